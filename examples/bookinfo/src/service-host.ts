// Serves one request handler on node:http (keep-alive, graceful close). This is the plain,
// mesh-less way to run a BookInfo service; `mesh.serve(handler)` is the mesh's equivalent.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestHandler } from './services/types';

/** Where and how to listen. */
export interface RunServiceOptions {
  /** TCP port; 0 picks a free one (read it back from the result). */
  readonly port: number;
  /** Bind address; loopback unless the operator says otherwise. */
  readonly host?: string;
  /** How long an idle keep-alive connection stays open (default 5 s, Node's default). */
  readonly keepAliveTimeoutMs?: number;
  /** On close, how long in-flight requests may finish before their connections are cut (default 5 s). */
  readonly closeGraceMs?: number;
}

/** A listening service. */
export interface RunningService {
  /** The port actually bound. */
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), then resolves. */
  close(): Promise<void>;
}

/** Starts serving `handler`; resolves once the socket listens. */
export function runService(handler: RequestHandler, options: RunServiceOptions): Promise<RunningService> {
  const host = options.host ?? '127.0.0.1';
  const graceMs = options.closeGraceMs ?? 5_000;
  let closingStarted = false;
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    // While closing, answer in-flight and late keep-alive requests with `connection: close`,
    // and drop each connection as soon as it goes idle, so close() does not wait for the grace.
    if (closingStarted) res.shouldKeepAlive = false;
    res.once('finish', () => {
      if (closingStarted) setImmediate(() => server.closeIdleConnections());
    });
    handler(req, res);
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 5_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      let closing: Promise<void> | undefined;
      const close = (): Promise<void> => {
        closing ??= new Promise<void>((done) => {
          closingStarted = true;
          const cut = setTimeout(() => server.closeAllConnections(), graceMs);
          cut.unref();
          server.close(() => {
            clearTimeout(cut);
            done();
          });
          server.closeIdleConnections();
        });
        return closing;
      };
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({ port, url: `http://${shownHost}:${port}`, close });
    });
  });
}
