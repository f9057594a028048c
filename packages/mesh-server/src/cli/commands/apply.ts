// `inboard apply -f FILE|DIR|- [-f …]`: sends every document in ONE atomic apply request and
// prints what happened per resource, kubectl style; a rejected batch prints every issue.

import { formatIssue } from '../../config/validate';
import { APPLY_PATH, type ApiIssue, type ApplyDocument, type ApplyResponse } from '../../api/wire';
import { connect, ServerRejection } from '../client';
import { CONNECTION_HELP, CONNECTION_OPTIONS, parseCommand, type Command } from '../command';
import { CliError, EXIT_OK, EXIT_REJECTED, usageError } from '../exit-codes';
import { eprintln, println, type CliIo } from '../io';
import { qualifiedName } from '../kind-names';
import { DocumentSyntaxError, readDocuments } from '../read-documents';

const USAGE = `Usage: inboard apply -f FILE|DIR|- [-f …] [-n NS] [--skip-unsupported] [--dry-run]

Validates every document of every file as one batch and stores all of them, or none.
Directories are read non-recursively (*.yaml, *.yml, *.json); "-" reads standard input.

Options:
  -f, --filename PATH   file, directory or "-" (repeatable)
  -n, --namespace NS    namespace of documents that name none (default "default"); a document
                        naming another namespace is an error, as with kubectl
  --skip-unsupported    skip documents of kinds the mesh does not store (Deployment, …)
                        instead of rejecting the batch
  --dry-run             validate and report what would change; store nothing
${CONNECTION_HELP}

Exit codes: 0 applied, 1 rejected (nothing stored), 2 usage, 3 control plane unreachable.`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  filename: { type: 'string', short: 'f', multiple: true },
  namespace: { type: 'string', short: 'n' },
  'skip-unsupported': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
} as const;

/** `inboard apply`. */
export const applyCommand: Command = {
  name: 'apply',
  summary: 'apply config from files, directories or stdin (atomic)',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, OPTIONS, USAGE);
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}" (files go after -f)`, USAGE);
    if (!values.filename?.length) throw usageError('at least one -f FILE|DIR|- is required', USAGE);
    const client = connect(values, io, USAGE);
    const read = await readOrReport(values.filename, io);
    const documents = values.namespace === undefined ? read : inNamespace(read, values.namespace);
    if (documents.length === 0) throw new CliError(EXIT_REJECTED, 'error: no objects passed to apply');
    const dryRun = values['dry-run'] === true;
    let response: ApplyResponse;
    try {
      response = await client.request<ApplyResponse>('POST', APPLY_PATH, { documents, skipUnsupported: values['skip-unsupported'] === true, dryRun });
    } catch (error) {
      if (error instanceof ServerRejection && error.status === 422) return reportRejection(error, io);
      throw error;
    }
    for (const warning of response.warnings) eprintln(io, `Warning: ${formatIssue(warning)}`);
    for (const result of response.results) println(io, `${qualifiedName(result.kind, result.name)} ${result.action}${dryRun ? ' (dry run)' : ''}`);
    for (const skipped of response.skipped) {
      println(io, `skipped ${skipped.kind} ${namespaceOf(documents, skipped)}/${skipped.name} (unsupported kind)`);
    }
    return EXIT_OK;
  },
};

async function readOrReport(files: readonly string[], io: CliIo): Promise<ApplyDocument[]> {
  try {
    return await readDocuments(files, io);
  } catch (error) {
    if (error instanceof DocumentSyntaxError) for (const issue of error.issues) eprintln(io, formatIssue(issue));
    throw error;
  }
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * `-n NS`, kubectl's way: documents without a namespace get NS; one naming another namespace is an
 * error naming its file and index (nothing is sent).
 */
export function inNamespace(documents: readonly ApplyDocument[], namespace: string): ApplyDocument[] {
  if (!NAMESPACE.test(namespace)) throw usageError(`--namespace "${namespace}" is not a valid namespace (lowercase letters, digits and "-", at most 63)`, USAGE);
  return documents.map((doc) => {
    const object = doc.object as { metadata?: { namespace?: unknown } } | null;
    if (typeof object !== 'object' || object === null || Array.isArray(object)) return doc;
    const own = object.metadata?.namespace;
    if (own === undefined || own === '') return { ...doc, object: { ...object, metadata: { ...object.metadata, namespace } } };
    if (own !== namespace) {
      throw new CliError(EXIT_REJECTED, `error: ${doc.source} doc ${doc.index}: the namespace from the provided object "${String(own)}" does not match the namespace "${namespace}" given with -n`);
    }
    return doc;
  });
}

function reportRejection(error: ServerRejection, io: CliIo): number {
  const issues = (error.body.details.errors as ApiIssue[] | undefined) ?? [];
  for (const issue of issues) eprintln(io, formatIssue(issue));
  eprintln(io, `error: ${error.body.message}`);
  return EXIT_REJECTED;
}

function namespaceOf(documents: readonly ApplyDocument[], skipped: { source: string; index: number }): string {
  const doc = documents.find((d) => d.source === skipped.source && d.index === skipped.index);
  const namespace = (doc?.object as { metadata?: { namespace?: unknown } } | undefined)?.metadata?.namespace;
  return typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
}
