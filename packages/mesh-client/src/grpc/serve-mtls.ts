// Inbound mTLS for a grpc-js Server: instead of bindAsync, a net.Server accepts the port's
// connections, the shared mTLS front (inbound/mtls-front.ts) applies the effective PeerAuthentication
// mode per connection, and grpc-js gets each one through its connection injector — TLS already
// terminated and the client certificate verified, so the peer identity is known per connection.

import * as grpc from '@grpc/grpc-js';
import net, { type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { InboundMtlsMode } from '../authz';
import type { MtlsSource } from '../identity/mesh-mtls';
import { verifiedPeerOf, type VerifiedPeer } from '../inbound/inbound-context';
import { createMtlsFront } from '../inbound/mtls-front';
import { GrpcMeshError } from './errors';

/** mTLS settings of serveGrpc. */
export interface GrpcServeMtls {
  /** The workload certificate (mesh.mtls). */
  readonly source: MtlsSource;
  /** The effective mode for a connection accepted on `localAddress` of the bound `port`. */
  readonly modeFor: (localAddress: string | undefined, port: number) => InboundMtlsMode;
  /** Where refused connections are reported. */
  readonly onRefused?: (reason: string) => void;
}

/** A port served through the mTLS front. */
export interface MtlsGrpcBinding {
  readonly port: number;
  /** The verified caller of a call on this port (handler's `call`), or undefined (plaintext). */
  peerOf(call: { getPeer(): string }): VerifiedPeer | undefined;
  /** Stops accepting, cuts the front's connections and the injector's sessions. */
  close(): void;
}

/** A JS-stream view of a socket, so bytes the front already read (unshifted) reach HTTP/2 too. */
function streamOf(socket: Socket): Duplex {
  const duplex = new Duplex({
    read() { socket.resume(); },
    write(chunk: Buffer, _encoding, callback) { socket.write(chunk, callback); },
    final(callback) { socket.end(); callback(); },
    destroy(error, callback) { socket.destroy(); callback(error); },
  });
  socket.on('data', (chunk: Buffer) => { if (!duplex.push(chunk)) socket.pause(); });
  socket.once('end', () => duplex.push(null));
  socket.once('close', () => duplex.destroy());
  socket.once('error', (error) => duplex.destroy(error));
  Object.defineProperties(duplex, {
    remoteAddress: { get: () => socket.remoteAddress },
    remotePort: { get: () => socket.remotePort },
    localAddress: { get: () => socket.localAddress },
    localPort: { get: () => socket.localPort },
  });
  return duplex;
}

/** Binds `host:port` for `server` through the mTLS front. */
export async function bindWithMtls(server: grpc.Server, host: string, port: number, mtls: GrpcServeMtls): Promise<MtlsGrpcBinding> {
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const listener = net.createServer();
  // Verified peers of live connections, by `address:port` as grpc-js `call.getPeer()` names them.
  const peersByAddress = new Map<string, VerifiedPeer>();
  let boundPort = port;
  const front = createMtlsFront({
    mtls: mtls.source,
    modeFor: (localAddress) => mtls.modeFor(localAddress, boundPort),
    ...(mtls.onRefused ? { onRefused: mtls.onRefused } : {}),
  }, {
    alpn: ['h2'],
    plaintext: (socket) => injector.injectConnection(streamOf(socket)),
    secure: (socket: TLSSocket) => {
      const peer = verifiedPeerOf(socket);
      const key = `${socket.remoteAddress}:${socket.remotePort}`;
      if (peer) {
        peersByAddress.set(key, peer);
        socket.once('close', () => peersByAddress.delete(key));
      }
      injector.injectConnection(socket);
    },
  });
  listener.on('connection', front.accept);
  await new Promise<void>((resolve, reject) => {
    listener.once('error', (error) => reject(new GrpcMeshError('BIND_FAILED', `serveGrpc: cannot bind ${host}:${port}: ${error.message}`, { address: `${host}:${port}` }, { cause: error })));
    listener.listen(port, host, () => resolve());
  });
  boundPort = (listener.address() as net.AddressInfo).port;
  return {
    port: boundPort,
    peerOf: (call) => peersByAddress.get(call.getPeer()),
    close() {
      listener.close();
      front.close();
      injector.destroy();
    },
  };
}
