// The inbound mTLS front of a served node:http server: per accepted connection it applies the port's
// effective PeerAuthentication mode (read at accept time, so a config push applies without restart).
// STRICT: TLS with a client certificate of the mesh root only; PERMISSIVE: the first byte decides
// (0x16 = TLS ClientHello → TLS, else plaintext HTTP); DISABLE: plaintext. Verified peers are recorded.

import type http from 'node:http';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import type { InboundMtlsMode } from '../authz';
import type { MtlsSource } from '../identity/mesh-mtls';
import type { IdentityMaterial } from '../identity/issued-chain';
import { readPeerIdentity } from '../identity/peer-verify';
import { recordVerifiedPeer, verifiedPeerOf } from './inbound-context';

/** First byte of a TLS record carrying a handshake (ClientHello). */
const TLS_HANDSHAKE_RECORD = 0x16;

/** Options of installMtlsFront. */
export interface MtlsFrontOptions {
  /** The workload identity (absent or disabled: no TLS can be served). */
  readonly mtls: MtlsSource | undefined;
  /** The effective mode for a connection accepted on `localAddress`. */
  readonly modeFor: (localAddress: string | undefined) => InboundMtlsMode;
  /** Reports a refused connection (once per reason kind is enough for callers). */
  readonly onRefused?: (reason: string) => void;
}

/** An installed front: counters for tests and health, and `close()` to stop rotation updates and cut its connections. */
export interface MtlsFront {
  /** Connections open now (raw sockets accepted by the front). */
  readonly open: number;
  /** Connections refused so far, by reason. */
  readonly refused: Readonly<Record<string, number>>;
  /** True if a request on this connection may be served under the current mode (STRICT needs a verified peer). */
  admits(socket: Socket): boolean;
  close(): void;
}

/** The TLS server options for the current certificate: client certificate required, mesh roots only. */
function secureOptions(material: IdentityMaterial): tls.SecureContextOptions {
  return { key: material.keyPem, cert: material.certChainPem, ca: [...material.trustBundle], minVersion: 'TLSv1.2' };
}

/** How a front hands over accepted connections. */
export interface MtlsFrontSink {
  /** ALPN protocols offered on TLS (http/1.1 for HTTP, h2 for gRPC). */
  readonly alpn: readonly string[];
  /** A plaintext connection (its first bytes are still unread). */
  plaintext(socket: Socket): void;
  /** A TLS connection whose client certificate was verified (peer recorded). */
  secure(socket: tls.TLSSocket): void;
}

/** A front not tied to a server: `accept` every raw connection of the port. */
export interface MtlsConnectionFront extends MtlsFront {
  accept(socket: Socket): void;
}

/**
 * Puts the mTLS front before `server`'s own connection handling: its 'connection' listeners are
 * taken over and called with either the raw socket (plaintext) or the verified TLS socket.
 */
export function installMtlsFront(server: http.Server, options: MtlsFrontOptions): MtlsFront {
  const httpListeners = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  const toHttp = (socket: Socket) => { for (const listener of httpListeners) listener.call(server, socket); };
  const front = createMtlsFront(options, { alpn: ['http/1.1'], plaintext: toHttp, secure: toHttp });
  server.on('connection', front.accept);
  return front;
}

/** The mTLS front over raw connections; see installMtlsFront for an http.Server. */
export function createMtlsFront(options: MtlsFrontOptions, sink: MtlsFrontSink): MtlsConnectionFront {
  const refused: Record<string, number> = {};
  const refuse = (socket: Socket, kind: string, reason: string) => {
    refused[kind] = (refused[kind] ?? 0) + 1;
    options.onRefused?.(reason);
    socket.destroy();
  };

  const mtls = options.mtls?.enabled ? options.mtls : undefined;
  let unsubscribe: () => void = () => undefined;
  let toTls: (socket: Socket) => void = (socket) => refuse(socket, 'no-certificate', 'inbound mTLS: no workload certificate');
  if (mtls) {
    const tlsServer = tls.createServer({ requestCert: true, rejectUnauthorized: true, ALPNProtocols: [...sink.alpn] });
    let current: IdentityMaterial | undefined;
    const install = (material: IdentityMaterial) => { current = material; tlsServer.setSecureContext(secureOptions(material)); };
    try { install(mtls.current()); } catch { /* not issued yet: connections wait in `toTls` */ }
    unsubscribe = mtls.onRotate(install);
    tlsServer.on('secureConnection', (socket: tls.TLSSocket) => {
      const der = socket.getPeerCertificate()?.raw;
      const result = der ? readPeerIdentity(der) : undefined;
      if (!result?.ok) return refuse(socket, 'bad-peer-certificate', `inbound mTLS: refused a client certificate: ${result ? result.message : 'none presented'}`);
      const id = result.identity;
      recordVerifiedPeer(socket, {
        principal: id.uri, istioPrincipal: id.principal, trustDomain: id.trustDomain, namespace: id.namespace, serviceAccount: id.serviceAccount,
        serialNumber: socket.getPeerCertificate().serialNumber?.toUpperCase() ?? '',
      });
      sink.secure(socket);
    });
    tlsServer.on('tlsClientError', (error: Error, socket: tls.TLSSocket) => refuse(socket, 'handshake', `inbound mTLS handshake failed: ${error.message}`));
    toTls = (socket: Socket) => {
      if (current) return void tlsServer.emit('connection', socket);
      mtls.whenReady().then(() => tlsServer.emit('connection', socket), () => refuse(socket, 'no-certificate', 'inbound mTLS: no workload certificate to serve TLS with'));
    };
  }

  // Raw connections the front holds (sniffing, handshaking): close() destroys what is left of them.
  const accepted = new Set<Socket>();
  const accept = (socket: Socket) => {
    accepted.add(socket);
    socket.once('close', () => accepted.delete(socket));
    const mode = options.modeFor(socket.localAddress);
    if (mode === 'DISABLE') return sink.plaintext(socket);
    if (mode === 'PERMISSIVE' && !mtls) return sink.plaintext(socket);
    if (!mtls) return refuse(socket, 'no-certificate', 'inbound mTLS: the port is STRICT but this workload has no certificate (no token), so it cannot accept connections');
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] === TLS_HANDSHAKE_RECORD) toTls(socket);
      else if (mode === 'STRICT') return refuse(socket, 'plaintext', 'inbound mTLS: refused a plaintext connection on a STRICT port');
      else sink.plaintext(socket);
      process.nextTick(() => socket.resume());
    });
  };

  return {
    refused,
    accept,
    get open() { return accepted.size; },
    admits(socket) {
      return options.modeFor(socket.localAddress) !== 'STRICT' || verifiedPeerOf(socket) !== undefined;
    },
    close() {
      unsubscribe();
      for (const socket of accepted) socket.destroy();
      accepted.clear();
    },
  };
}
