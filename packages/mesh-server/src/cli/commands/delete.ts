// `inboard delete -f FILE|DIR|- | KIND NAME [NAME…] [-n NS]`: removes resources, kubectl style;
// keeps going past a missing resource and exits 1 at the end unless --ignore-not-found.

import { findKind, type KindInfo, type Resource } from '../../config/resource';
import { resourcePath } from '../../api/resource-paths';
import { formatIssue } from '../../config/validate';
import { connect, ServerRejection, type AdminClient } from '../client';
import { CONNECTION_HELP, CONNECTION_OPTIONS, parseCommand, type Command } from '../command';
import { EXIT_OK, EXIT_REJECTED, usageError } from '../exit-codes';
import { eprintln, println, type CliIo } from '../io';
import { resolveKindArg, typeName } from '../kind-names';
import { DocumentSyntaxError, readDocuments } from '../read-documents';

const USAGE = `Usage: inboard delete -f FILE|DIR|- [-f …]
       inboard delete KIND NAME [NAME…] [-n NAMESPACE]

Deletes the resources named by the documents of the files, or by KIND and NAME.

Options:
  -f, --filename PATH    file, directory or "-" (repeatable)
  -n, --namespace NS     namespace for KIND NAME (default "default")
  --ignore-not-found     a missing resource is not an error
${CONNECTION_HELP}

Exit codes: 0 all deleted, 1 something was not found, 2 usage, 3 unreachable.`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  filename: { type: 'string', short: 'f', multiple: true },
  namespace: { type: 'string', short: 'n' },
  'ignore-not-found': { type: 'boolean' },
} as const;

interface Target {
  readonly info: KindInfo;
  readonly namespace: string;
  readonly name: string;
}

/** `inboard delete`. */
export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete resources by file or by kind and name',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, OPTIONS, USAGE);
    const files = values.filename ?? [];
    if (files.length > 0 && positionals.length > 0) throw usageError('give either -f FILE or KIND NAME, not both', USAGE);
    if (files.length === 0 && positionals.length < 2) throw usageError('name what to delete: -f FILE, or KIND NAME', USAGE);
    const client = connect(values, io, USAGE);
    const targets = files.length > 0 ? await targetsFromFiles(files, io) : targetsFromArgs(positionals, values.namespace ?? 'default');
    let missing = 0;
    for (const target of targets) {
      if (!(await deleteOne(client, target, io, values['ignore-not-found'] === true))) missing++;
    }
    return missing > 0 ? EXIT_REJECTED : EXIT_OK;
  },
};

function targetsFromArgs(positionals: readonly string[], namespace: string): Target[] {
  const kind = resolveKindArg(positionals[0]!, false);
  if (kind.type !== 'kind') throw new Error('unreachable: pseudo kinds are not allowed here');
  return positionals.slice(1).map((name) => ({ info: kind.info, namespace, name }));
}

async function targetsFromFiles(files: readonly string[], io: CliIo): Promise<Target[]> {
  let documents;
  try {
    documents = await readDocuments(files, io);
  } catch (error) {
    if (error instanceof DocumentSyntaxError) for (const issue of error.issues) eprintln(io, formatIssue(issue));
    throw error;
  }
  const targets: Target[] = [];
  for (const doc of documents) {
    const object = doc.object as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
    if (!object || typeof object !== 'object') continue;
    const kind = typeof object.kind === 'string' ? object.kind : '';
    const name = typeof object.metadata?.name === 'string' ? object.metadata.name : '';
    const namespace = typeof object.metadata?.namespace === 'string' && object.metadata.namespace ? object.metadata.namespace : 'default';
    const info = findKind(kind);
    if (!info || info.kind !== kind) {
      println(io, `skipped ${kind || '<no kind>'} ${namespace}/${name} (unsupported kind)`);
    } else if (!name) {
      eprintln(io, `error: ${doc.source} doc ${doc.index} ${kind}: metadata.name is missing`);
    } else targets.push({ info, namespace, name });
  }
  return targets;
}

/** Deletes one resource; false if it was not found (reported unless ignored). */
async function deleteOne(client: AdminClient, target: Target, io: CliIo, ignoreNotFound: boolean): Promise<boolean> {
  try {
    await client.request<Resource>('DELETE', resourcePath(target.info, target.namespace, target.name));
    println(io, `${typeName(target.info)} "${target.name}" deleted`);
    return true;
  } catch (error) {
    if (!(error instanceof ServerRejection) || error.status !== 404) throw error;
    if (ignoreNotFound) return true;
    eprintln(io, error.message);
    return false;
  }
}
