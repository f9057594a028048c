// One listening socket of the ingress gateway: a node:http (or node:https, terminating TLS with the
// SNI-picked certificate of tls-server.ts) server whose every request is routed into the mesh through the
// listener's route table; httpsRedirect answers 301. Graceful close: stop accepting, let in-flight finish.

import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { MeshRequest, MeshResponse } from '../request';
import { stripPort } from '../routing/virtual-host';
import { toMeshRequest, writeLocalReply, writeMeshResponse } from './ingress-http';
import type { PlannedListener } from './listener-plan';
import { serverNameMatches } from './tls-plan';
import { chainOfSocket, httpsServerOptions } from './tls-server';

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

/** True when the virtual host for `authority` on the listener requires TLS (Gateway httpsRedirect). */
export type RequiresTls = (authority: string, listenerName: string) => boolean;

/**
 * A local reply the edge gives before routing, or undefined to route: 301 to https for an
 * httpsRedirect host reached over plaintext; 404 for a Host outside the SNI-matched server's hosts
 * (each TLS server serves its own hosts, as Envoy's per-server route tables); the connection is cut
 * when an OPTIONAL_MUTUAL client presented a certificate that does not verify.
 */
function edgeReply(plan: PlannedListener, req: http.IncomingMessage, requiresTls: RequiresTls | undefined): { status: number; body: string; headers?: Record<string, string> } | 'cut' | undefined {
  const authority = String(req.headers.host ?? '');
  if (!plan.tls) {
    if (requiresTls?.(authority, plan.name)) return { status: 301, body: '', headers: { location: `https://${authority}${req.url ?? '/'}` } };
    return undefined;
  }
  const socket = req.socket as TLSSocket;
  const chain = chainOfSocket(plan.tls, socket);
  if (!chain) return 'cut';
  if (chain.clientCertificate === 'optional' && !socket.authorized && socket.getPeerCertificate()?.raw !== undefined) return 'cut';
  if (!serverNameMatches(chain.serverNames, stripPort(authority.toLowerCase()))) return { status: 404, body: '' };
  return undefined;
}

/** Binds the server of `plan`; resolves once it listens, rejects with the bind error (e.g. EADDRINUSE). */
export function startIngressServer(plan: PlannedListener, route: ListenerRouter, onError: IngressErrorSink, requiresTls?: RequiresTls): Promise<IngressServer> {
  const scheme = plan.tls ? 'https' : 'http';
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const local = edgeReply(plan, req, requiresTls);
    if (local === 'cut') {
      req.socket.destroy();
      return;
    }
    if (local) {
      req.resume();
      writeLocalReply(res, local.status, local.body, local.headers);
      return;
    }
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
      ? https.createServer({ ...httpsServerOptions(plan.tls), keepAlive: true }, handler)
      : http.createServer({ keepAlive: true }, handler);
  } catch (error) {
    // Unreadable or invalid certificate files: the listener cannot be served; the error names the server and file.
    return Promise.reject(new Error(`cannot set up TLS: ${(error as Error).message}`));
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
