// The CLI's client for the admin API: JSON over node:http, the bearer token attached, server
// errors turned into CliErrors (exit 1) and connection failures into exit 3 with what to do.

import http from 'node:http';
import path from 'node:path';
import { adminTokenPath, readAdminToken } from '../api/admin-token';
import type { ApiErrorBody } from '../api/wire';
import { CliError, EXIT_REJECTED, EXIT_UNREACHABLE, usageError } from './exit-codes';
import type { CliIo } from './io';

/** Default admin API address. */
export const DEFAULT_SERVER = 'http://127.0.0.1:15014';
/** Default data directory, relative to the working directory. */
export const DEFAULT_DATA_DIR = '.inboard';
const REQUEST_TIMEOUT_MS = 30_000;

/** An error response from the control plane (exit 1), with its status and body. */
export class ServerRejection extends CliError {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
    hint = '',
  ) {
    super(EXIT_REJECTED, `Error from server (${body.code}): ${body.message}${hint}`);
    this.name = 'ServerRejection';
  }
}

/** A client bound to one control plane. */
export class AdminClient {
  constructor(
    /** Base URL, e.g. http://127.0.0.1:15014. */
    readonly server: URL,
    private readonly token: string | undefined,
    /** Where the token came from (or would have), for the 401 hint. */
    private readonly tokenSource: string,
  ) {}

  /** GET a JSON document. */
  get<T>(pathAndQuery: string): Promise<T> {
    return this.request<T>('GET', pathAndQuery);
  }

  /** Sends a request; resolves with the parsed JSON body of a 2xx answer. */
  async request<T>(method: string, pathAndQuery: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(payload.length) });
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const { status, text } = await this.send(method, new URL(pathAndQuery, this.server), headers, payload);
    const parsed = parseBody(text);
    if (status >= 200 && status < 300) return parsed as T;
    const errorBody = isErrorBody(parsed) ? parsed : { code: `HTTP_${status}`, message: text.trim() || `HTTP ${status}`, details: {} };
    throw new ServerRejection(status, errorBody, status === 401 ? this.unauthorizedHint() : '');
  }

  private unauthorizedHint(): string {
    return this.token
      ? `\n(the token from ${this.tokenSource} was refused; is it this control plane's data dir?)`
      : `\n(no token found at ${this.tokenSource}; pass --token, set INBOARD_TOKEN, or --data-dir of the control plane)`;
  }

  private send(method: string, url: URL, headers: Record<string, string>, payload?: Buffer): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => reject(this.unreachable(error)));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000}s`), { code: 'ETIMEDOUT' })));
      req.on('error', (error) => reject(this.unreachable(error)));
      req.end(payload);
    });
  }

  private unreachable(error: NodeJS.ErrnoException): CliError {
    const reason = error.code ?? error.message;
    return new CliError(
      EXIT_UNREACHABLE,
      `error: cannot reach the Inboard control plane at ${this.server.origin} (${reason}).\n` +
        `Start one with \`inboard control-plane\`, or point --server or INBOARD_SERVER at a running one.`,
    );
  }
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as ApiErrorBody).code === 'string' && typeof (value as ApiErrorBody).message === 'string';
}

/** The connection flags as parsed by CONNECTION_OPTIONS. */
export interface ConnectionFlags {
  readonly server?: string | undefined;
  readonly token?: string | undefined;
  readonly 'data-dir'?: string | undefined;
}

/**
 * A client from --server / INBOARD_SERVER and --token / INBOARD_TOKEN / <data-dir>/admin-token.
 * A malformed server URL is a usage error.
 */
export function connect(flags: ConnectionFlags, io: CliIo, usage: string): AdminClient {
  const address = flags.server ?? io.env.INBOARD_SERVER ?? DEFAULT_SERVER;
  let server: URL;
  try {
    server = new URL(address);
  } catch {
    throw usageError(`--server "${address}" is not a URL (e.g. ${DEFAULT_SERVER})`, usage);
  }
  if (server.protocol !== 'http:') throw usageError(`--server must be an http:// URL; got "${address}"`, usage);
  if (flags.token !== undefined) return new AdminClient(server, flags.token, '--token');
  if (io.env.INBOARD_TOKEN) return new AdminClient(server, io.env.INBOARD_TOKEN, 'INBOARD_TOKEN');
  const dataDir = path.resolve(io.cwd, flags['data-dir'] ?? DEFAULT_DATA_DIR);
  let token: string | undefined;
  try {
    token = readAdminToken(dataDir);
  } catch (error) {
    throw new CliError(EXIT_REJECTED, `error: ${(error as Error).message}`);
  }
  return new AdminClient(server, token, adminTokenPath(dataDir));
}
