// The slice of better-sqlite3 the embedded store uses, typed here: the package ships no type
// declarations and @types/better-sqlite3 is not a dependency, so it is loaded through require().

/** A prepared statement. Parameters are positional values or one object of named (@name) values. */
export interface SqliteStatement {
  run(...params: unknown[]): { readonly changes: number; readonly lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** An open database connection (synchronous API). */
export interface SqliteDatabase {
  readonly open: boolean;
  prepare(sql: string): SqliteStatement;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(sql: string): void;
  /** Wraps `fn` in BEGIN/COMMIT; a throw rolls everything back and is rethrown. */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): void;
}

/** Options of the connection: `timeout` is the busy timeout in ms (0 = fail at once when locked). */
export interface SqliteOpenOptions {
  readonly timeout: number;
}

type DatabaseConstructor = new (file: string, options: SqliteOpenOptions) => SqliteDatabase;

/** Opens (creating if needed) the SQLite database file `file`. */
export function openSqliteDatabase(file: string, options: SqliteOpenOptions): SqliteDatabase {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as DatabaseConstructor;
  return new Database(file, options);
}

/** SQLite's result code of a driver error ('SQLITE_BUSY', …), if it has one. */
export function sqliteErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}
