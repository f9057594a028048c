// Reads the documents named by `-f` arguments: files, directories (non-recursively, their
// *.yaml/*.yml/*.json files in name order) or "-" for standard input. The parser expands
// Kubernetes `List` documents into their items; YAML syntax errors are reported for every file.

import fs from 'node:fs';
import path from 'node:path';
import { parseYamlDocuments } from '../config/documents';
import { isServerError } from '../errors';
import type { ApplyDocument, ApiIssue } from '../api/wire';
import { CliError, EXIT_REJECTED } from './exit-codes';
import type { CliIo } from './io';

const CONFIG_FILE = /\.(ya?ml|json)$/i;

/** Name used as the source of documents read from standard input. */
export const STDIN_SOURCE = '<stdin>';

/** A file that could not be parsed, with its issues. */
export class DocumentSyntaxError extends CliError {
  constructor(readonly issues: readonly ApiIssue[]) {
    super(EXIT_REJECTED, `error: ${issues.length} syntax error${issues.length === 1 ? '' : 's'} in the input; nothing was sent`);
  }
}

/** The files a `-f` argument names (a directory expands to its config files, sorted). */
export function expandPath(arg: string, cwd: string): string[] {
  if (arg === '-') return ['-'];
  const full = path.resolve(cwd, arg);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    throw new CliError(EXIT_REJECTED, `error: the path "${arg}" does not exist`);
  }
  if (!stat.isDirectory()) return [arg];
  const files = fs
    .readdirSync(full, { withFileTypes: true })
    .filter((e) => e.isFile() && CONFIG_FILE.test(e.name))
    .map((e) => path.join(arg, e.name))
    .sort();
  if (files.length === 0) throw new CliError(EXIT_REJECTED, `error: the directory "${arg}" has no *.yaml, *.yml or *.json files`);
  return files;
}

/** Reads and parses every document of every `-f` argument, in order. Throws DocumentSyntaxError listing every file's syntax errors. */
export async function readDocuments(args: readonly string[], io: CliIo): Promise<ApplyDocument[]> {
  const files = args.flatMap((arg) => expandPath(arg, io.cwd));
  if (files.filter((f) => f === '-').length > 1) throw new CliError(EXIT_REJECTED, 'error: standard input ("-f -") can be read only once');
  const documents: ApplyDocument[] = [];
  const issues: ApiIssue[] = [];
  for (const file of files) {
    const source = file === '-' ? STDIN_SOURCE : file;
    const text = file === '-' ? await readStream(io.stdin) : fs.readFileSync(path.resolve(io.cwd, file), 'utf8');
    try {
      documents.push(...parseYamlDocuments(source, text));
    } catch (error) {
      if (!isServerError(error, 'INVALID')) throw error;
      const found = (error.details.errors as ApiIssue[] | undefined) ?? [{ source, path: '', message: error.message }];
      issues.push(...found);
    }
  }
  if (issues.length > 0) throw new DocumentSyntaxError(issues);
  return documents;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
