// The embedded ConfigStore: one SQLite database in the data dir (WAL, synchronous=FULL, so an
// acknowledged commit survives kill -9), held with an exclusive lock so one process owns the dir.
// Tables: current resources, an event log for watch-from-revision (compacted), and the revisions.

import fs from 'node:fs';
import path from 'node:path';
import type { ResourceKey } from '../config/resource';
import { MeshServerError, isServerError } from '../errors';
import type { CommitResult, ConfigStore, ListOptions, StoreOp, StoredResource, Watch, WatchEvent, WatchOptions } from './config-store';
import { planCommit, type CommitPlan, type StoredEntry } from './commit-planner';
import { openSqliteDatabase, sqliteErrorCode, type SqliteDatabase } from './sqlite-driver';
import { checkWatchStart, closedStoreError, compareResources, deepFreeze, historyLimitOption, parseRevision } from './store-helpers';
import { WatchHub, failedWatch } from './watch-hub';

/** Name of the database file inside the data dir. */
export const EMBEDDED_STORE_FILE = 'config.sqlite';

/** Options of the embedded store. */
export interface EmbeddedStoreOptions {
  /** How many past events watches can replay; older ones are compacted. Default 10 000. */
  readonly historyLimit?: number;
  /** Clock for creationTimestamp. Default: the system clock. */
  readonly clock?: () => Date;
}

const SCHEMA_VERSION = '1';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS resources (
  kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
  create_revision INTEGER NOT NULL, mod_revision INTEGER NOT NULL, generation INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (kind, namespace, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, revision INTEGER NOT NULL, type TEXT NOT NULL,
  kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_revision ON events (revision);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', '${SCHEMA_VERSION}'), ('revision', '0'), ('compacted', '0');
`;

/**
 * Opens the embedded store in `dataDir` (created with mode 0700 if missing). Throws
 * MeshServerError 'UNAVAILABLE' when another live process (or another open store) holds the dir,
 * and 'STORE_FAILURE' when the database cannot be opened or fails its integrity check.
 */
export function openEmbeddedStore(dataDir: string, options: EmbeddedStoreOptions = {}): ConfigStore {
  const historyLimit = historyLimitOption(options.historyLimit);
  const dir = path.resolve(dataDir);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new MeshServerError('STORE_FAILURE', `cannot create the data dir ${dir}: ${(error as Error).message}`, { dataDir: dir }, { cause: error });
  }
  const file = path.join(dir, EMBEDDED_STORE_FILE);
  let db: SqliteDatabase | undefined;
  try {
    db = openSqliteDatabase(file, { timeout: 0 });
    // Exclusive locking mode before WAL: the lock taken by the first transaction is held until
    // close (the OS drops it if the process dies), and no shared-memory index is used.
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`SQLite refused WAL journal mode (got ${String(mode)})`);
    db.pragma('synchronous = FULL');
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new MeshServerError('STORE_FAILURE', `the store ${file} failed its integrity check: ${String(check)}`, { file });
    const database = db;
    database.transaction(() => database.exec(SCHEMA))();
    return new EmbeddedStore(db, file, historyLimit, options.clock ?? (() => new Date()));
  } catch (error) {
    db?.close();
    throw openError(error, dir, file);
  }
}

function openError(error: unknown, dir: string, file: string): MeshServerError {
  if (isServerError(error)) return error;
  const code = sqliteErrorCode(error);
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new MeshServerError(
      'UNAVAILABLE',
      `the data dir ${dir} is in use by another running control plane (its store ${file} is locked); stop that process or choose another --data-dir`,
      { dataDir: dir, file },
      { cause: error },
    );
  }
  return new MeshServerError('STORE_FAILURE', `cannot open the store ${file}: ${(error as Error).message}`, { dataDir: dir, file, sqliteCode: code }, { cause: error });
}

interface ResourceRow { readonly body: string; readonly create_revision: number; readonly mod_revision: number }
interface EventRow { readonly revision: number; readonly type: WatchEvent['type']; readonly body: string }

class EmbeddedStore implements ConfigStore {
  private readonly hub = new WatchHub();
  private currentRevision: number;
  private compactedRevision: number;
  private readonly statements: Statements;
  private readonly commitTransaction: (ops: readonly StoreOp[], now: Date) => { plan: CommitPlan; compacted: number };

  constructor(
    private readonly db: SqliteDatabase,
    private readonly file: string,
    private readonly historyLimit: number,
    private readonly clock: () => Date,
  ) {
    this.statements = prepareStatements(db);
    const schema = this.readMeta('schema');
    if (schema !== SCHEMA_VERSION) {
      throw new MeshServerError('STORE_FAILURE', `the store ${file} has schema version ${schema}; this control plane reads version ${SCHEMA_VERSION}`, { file });
    }
    this.currentRevision = Number(this.readMeta('revision'));
    this.compactedRevision = Number(this.readMeta('compacted'));
    this.commitTransaction = db.transaction((ops: readonly StoreOp[], now: Date) => this.applyCommit(ops, now));
  }

  async get(key: ResourceKey): Promise<StoredResource | undefined> {
    this.assertOpen();
    return this.readEntry(key)?.resource;
  }

  async list(options: ListOptions = {}): Promise<{ readonly revision: string; readonly items: readonly StoredResource[] }> {
    this.assertOpen();
    const rows = this.statements.list.all({ kind: options.kind ?? null, namespace: options.namespace ?? null }) as { body: string }[];
    const items = rows.map((row) => parseStored(row.body)).sort(compareResources);
    return { revision: String(this.currentRevision), items };
  }

  async commit(ops: readonly StoreOp[]): Promise<CommitResult> {
    this.assertOpen();
    let plan: CommitPlan;
    try {
      const outcome = this.commitTransaction(ops, this.clock());
      plan = outcome.plan;
      this.compactedRevision = outcome.compacted;
    } catch (error) {
      if (isServerError(error)) throw error;
      throw new MeshServerError('STORE_FAILURE', `commit to ${this.file} failed: ${(error as Error).message}`, { file: this.file }, { cause: error });
    }
    if (plan.events.length > 0) {
      this.currentRevision = plan.revision;
      this.hub.publish(plan.events);
    }
    return { revision: String(plan.revision), results: plan.results, unchanged: plan.unchanged };
  }

  watch(options: WatchOptions, listener: (event: WatchEvent) => void, onError?: (error: Error) => void): Watch {
    let replay: WatchEvent[] = [];
    try {
      this.assertOpen();
      if (options.afterRevision !== undefined) {
        const after = parseRevision(options.afterRevision, 'afterRevision');
        checkWatchStart(after, this.currentRevision, this.compactedRevision);
        const rows = this.statements.replay.all({ after, kind: options.kind ?? null, namespace: options.namespace ?? null }) as EventRow[];
        replay = rows.map((row) => ({ type: row.type, revision: String(row.revision), resource: parseStored(row.body) }));
      }
    } catch (error) {
      return failedWatch(error as Error, onError);
    }
    return this.hub.add(options, replay, listener, onError);
  }

  async revision(): Promise<string> {
    this.assertOpen();
    return String(this.currentRevision);
  }

  async close(): Promise<void> {
    this.hub.closeAll();
    if (this.db.open) this.db.close();
  }

  /** Runs inside the SQLite transaction: plan, write resources and events, bump and compact. */
  private applyCommit(ops: readonly StoreOp[], now: Date): { plan: CommitPlan; compacted: number } {
    const plan = planCommit(ops, (key) => this.readEntry(key), this.currentRevision, now);
    if (plan.writes.length === 0) return { plan, compacted: this.compactedRevision };
    for (const write of plan.writes) {
      if (write.type === 'put') this.writeEntry(write.key, write.entry);
      else this.statements.delete.run(write.key.kind, write.key.namespace, write.key.name);
    }
    for (const event of plan.events) {
      const { kind, metadata } = event.resource;
      this.statements.insertEvent.run(plan.revision, event.type, kind, metadata.namespace, metadata.name, JSON.stringify(event.resource));
    }
    this.statements.setMeta.run(String(plan.revision), 'revision');
    return { plan, compacted: this.compactHistory() };
  }

  /**
   * Keeps the last `historyLimit` events, cutting at a revision boundary so a transaction's events
   * stay together; records and returns the compacted revision.
   */
  private compactHistory(): number {
    const lastId = (this.statements.lastEventId.get() as { id: number | null }).id ?? 0;
    const row = this.statements.eventRevision.get(lastId - this.historyLimit) as { revision: number } | undefined;
    if (!row) return this.compactedRevision;
    this.statements.dropEvents.run(row.revision);
    this.statements.setMeta.run(String(row.revision), 'compacted');
    return row.revision;
  }

  private readEntry(key: ResourceKey): StoredEntry | undefined {
    const row = this.statements.get.get(key.kind, key.namespace, key.name) as ResourceRow | undefined;
    if (!row) return undefined;
    return { resource: parseStored(row.body), createRevision: row.create_revision, modRevision: row.mod_revision };
  }

  private writeEntry(key: ResourceKey, entry: StoredEntry): void {
    this.statements.upsert.run({
      kind: key.kind, namespace: key.namespace, name: key.name,
      createRevision: entry.createRevision, modRevision: entry.modRevision,
      generation: entry.resource.metadata.generation ?? 1, body: JSON.stringify(entry.resource),
    });
  }

  private readMeta(key: string): string {
    const row = this.statements.meta.get(key) as { value: string } | undefined;
    if (!row) throw new MeshServerError('STORE_FAILURE', `the store ${this.file} lacks its '${key}' record`, { file: this.file });
    return row.value;
  }

  private assertOpen(): void {
    if (!this.db.open) throw closedStoreError(`the config store ${this.file}`);
  }
}

type Statements = ReturnType<typeof prepareStatements>;

/** Every SQL statement the store runs, prepared once per connection. */
function prepareStatements(db: SqliteDatabase) {
  return {
    meta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare('UPDATE meta SET value = ? WHERE key = ?'),
    get: db.prepare('SELECT body, create_revision, mod_revision FROM resources WHERE kind = ? AND namespace = ? AND name = ?'),
    list: db.prepare('SELECT body FROM resources WHERE (@kind IS NULL OR kind = @kind) AND (@namespace IS NULL OR namespace = @namespace)'),
    upsert: db.prepare(`INSERT INTO resources (kind, namespace, name, create_revision, mod_revision, generation, body)
      VALUES (@kind, @namespace, @name, @createRevision, @modRevision, @generation, @body)
      ON CONFLICT (kind, namespace, name) DO UPDATE SET mod_revision = excluded.mod_revision,
        generation = excluded.generation, body = excluded.body`),
    delete: db.prepare('DELETE FROM resources WHERE kind = ? AND namespace = ? AND name = ?'),
    insertEvent: db.prepare('INSERT INTO events (revision, type, kind, namespace, name, body) VALUES (?, ?, ?, ?, ?, ?)'),
    lastEventId: db.prepare('SELECT max(id) AS id FROM events'),
    eventRevision: db.prepare('SELECT revision FROM events WHERE id = ?'),
    dropEvents: db.prepare('DELETE FROM events WHERE revision <= ?'),
    replay: db.prepare(`SELECT revision, type, body FROM events WHERE revision > @after
      AND (@kind IS NULL OR kind = @kind) AND (@namespace IS NULL OR namespace = @namespace) ORDER BY id`),
  };
}

function parseStored(body: string): StoredResource {
  return deepFreeze(JSON.parse(body) as StoredResource);
}
