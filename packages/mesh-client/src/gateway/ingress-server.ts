// One listening socket of the ingress gateway: a node:http (or node:https, terminating TLS with the
// listener's certificate) server whose every request is routed into the mesh through the listener's
// route table. Graceful close: stop accepting, let in-flight requests finish, then cut what is left.

import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { MeshRequest, MeshResponse } from '../request';
import { toMeshRequest, writeLocalReply, writeMeshResponse } from './ingress-http';
import type { PlannedListener } from './listener-plan';

/** Routes one request that arrived on `listenerName` (the same pipeline as mesh.fetch, with that listener's route table). */
export type ListenerRouter = (request: MeshRequest, listenerName: string) => Promise<MeshResponse>;

/** A bound ingress server. */
export interface IngressServer {
  readonly plan: PlannedListener;
  /** The port actually bound. */
  readonly port: number;
  /** `http(s)://host:port`. */
  readonly url: string;
  /** Stops accepting; in-flight requests get up to `graceMs` before their connections are cut. */
  close(graceMs?: number): Promise<void>;
}

/** Reports a request the gateway could not route (a bug or a closed mesh), for its log. */
export type IngressErrorSink = (listenerName: string, error: unknown) => void;

/** Binds the server of `plan`; resolves once it listens, rejects with the bind error (e.g. EADDRINUSE). */
export function startIngressServer(plan: PlannedListener, route: ListenerRouter, onError: IngressErrorSink): Promise<IngressServer> {
  const scheme = plan.tls ? 'https' : 'http';
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const remoteAddress = req.socket.remoteAddress ?? '';
    toMeshRequest(req, { remoteAddress, scheme }, abort.signal)
      .then((request) => route(request, plan.name).then((response) => writeMeshResponse(res, response, request.method)))
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        onError(plan.name, error);
        writeLocalReply(res, 503, 'gateway could not route the request');
      });
  };
  let server: http.Server;
  try {
    server = plan.tls
      ? https.createServer({ cert: fs.readFileSync(plan.tls.certFile), key: fs.readFileSync(plan.tls.keyFile), keepAlive: true }, handler)
      : http.createServer({ keepAlive: true }, handler);
  } catch (error) {
    // Unreadable or invalid certificate files: the listener cannot be served; say which files.
    const files = plan.tls ? ` (certificate ${plan.tls.certFile}, key ${plan.tls.keyFile})` : '';
    return Promise.reject(new Error(`cannot set up TLS${files}: ${(error as Error).message}`));
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(plan.localPort, plan.bindHost, () => {
      server.off('error', reject);
      server.on('error', (error) => onError(plan.name, error));
      const { port } = server.address() as AddressInfo;
      const host = plan.bindHost.includes(':') ? `[${plan.bindHost}]` : plan.bindHost;
      let closing: Promise<void> | undefined;
      resolve({
        plan,
        port,
        url: `${scheme}://${host}:${port}`,
        close(graceMs = 5_000) {
          closing ??= new Promise<void>((done) => {
            const cut = setTimeout(() => server.closeAllConnections(), graceMs);
            cut.unref();
            server.close(() => {
              clearTimeout(cut);
              done();
            });
            server.closeIdleConnections();
          });
          return closing;
        },
      });
    });
  });
}
