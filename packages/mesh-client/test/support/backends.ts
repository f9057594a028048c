// Test support: meshed HTTP backends that answer with their identity (service, version, port) and
// misbehave on command (fail with a status, answer slowly), registered through mesh.serve — plus a
// plain loopback server outside the mesh. Each records what it received.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type ConnectOptions, type Mesh, type ServedHttp } from '../../src';

/** What a backend received. */
export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** What the serving mesh said was left of the caller's deadline (mesh.remainingTime()) on arrival. */
  readonly remainingMs?: number;
}

/** How a backend answers. */
export interface BackendMode {
  /** Answer with this status (default 200). */
  status?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer only once this promise settles. */
  hold?: Promise<unknown>;
}

/** A meshed backend instance. */
export interface Backend {
  readonly name: string;
  readonly mesh: Mesh;
  readonly served: ServedHttp;
  readonly port: number;
  readonly received: Received[];
  mode: BackendMode;
  /** Requests being handled right now, and the most seen at once. */
  readonly concurrency: { now: number; max: number };
  close(): Promise<void>;
}

/** The JSON body a backend answers with. */
export interface Identity {
  readonly service: string;
  readonly version: string;
  readonly port: number;
  readonly host: string;
  readonly path: string;
}

/** A request handler that records, misbehaves per `state.mode` and answers its identity. */
export function identityHandler(service: string, version: string, state: { mode: BackendMode; received: Received[]; concurrency: { now: number; max: number }; port: () => number; remaining?: () => number | undefined }): http.RequestListener {
  return (req, res) => {
    const remainingMs = state.remaining?.();
    handle(req, res, remainingMs);
  };
  function handle(req: http.IncomingMessage, res: http.ServerResponse, remainingMs: number | undefined): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.received.push({ method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, body: Buffer.concat(chunks).toString(), ...(remainingMs !== undefined ? { remainingMs } : {}) });
      state.concurrency.now++;
      state.concurrency.max = Math.max(state.concurrency.max, state.concurrency.now);
      let answered = false;
      res.once('close', () => { if (!answered) { answered = true; state.concurrency.now--; } });
      const answer = () => {
        if (answered) return;
        answered = true;
        state.concurrency.now--;
        if (res.destroyed) return;
        const body: Identity = { service, version, port: state.port(), host: String(req.headers.host ?? ''), path: req.url ?? '' };
        res.writeHead(state.mode.status ?? 200, { 'content-type': 'application/json', 'x-backend': `${service}-${version}` });
        res.end(JSON.stringify(body));
      };
      const { delayMs, hold } = state.mode;
      if (hold) void hold.then(answer, answer);
      else if (delayMs) {
        const timer = setTimeout(answer, delayMs);
        res.once('close', () => clearTimeout(timer));
      } else answer();
    });
  }
}

/** Starts a backend of `service` (label version `version`) registered through its own Mesh. */
export async function startBackend(xds: string, service: string, version: string, options: { port?: number; connect?: ConnectOptions } = {}): Promise<Backend> {
  const mesh = connect({ controlPlane: xds, service, version, ...options.connect });
  let port = 0;
  const state = { mode: {} as BackendMode, received: [] as Received[], concurrency: { now: 0, max: 0 }, port: () => port, remaining: () => mesh.remainingTime() };
  const served = await mesh.serve(identityHandler(service, version, state), { port: options.port ?? 0 });
  port = served.port;
  return {
    name: `${service}-${version}`,
    mesh, served, port,
    received: state.received,
    get mode() { return state.mode; },
    set mode(m: BackendMode) { state.mode = m; },
    concurrency: state.concurrency,
    close: () => mesh.close(),
  };
}

/** A plain HTTP server outside the mesh (not registered), answering its identity. */
export async function startPlainServer(service = 'outside'): Promise<{ port: number; received: Received[]; server: http.Server; close(): Promise<void> }> {
  let port = 0;
  const state = { mode: {} as BackendMode, received: [] as Received[], concurrency: { now: 0, max: 0 }, port: () => port };
  const server = http.createServer(identityHandler(service, 'none', state));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    port, received: state.received, server,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Reads a fetch Response as the identity JSON (throws with the body when the status is not 200). */
export async function identityOf(response: Response): Promise<Identity> {
  const text = await response.text();
  if (response.status !== 200) throw new Error(`expected 200, got ${response.status} (${response.headers.get('x-inboard-response-flags') ?? 'no flags'}): ${text}`);
  return JSON.parse(text) as Identity;
}
