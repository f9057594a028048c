// Integration: certificate rotation under load. A real control plane and CA (this process, ports 0),
// a served workload and a caller both on 10-second certificates (the CA has no minimum lifetime; the
// issue's 60 s is shortened to keep the file fast), traffic on 4 concurrent loops across at least 3
// rotations of each side: zero failed requests, and the serial the server presents really changes.

import assert from 'node:assert/strict';
import tls from 'node:tls';
import { connect, type Mesh } from '../src';
import { startTestPlane, until, untilEndpoints, type TestPlane } from './support/control-plane';

interface PlaneWithCa {
  readonly caAddress: string;
  readonly ca: { trustBundle(): readonly string[] };
  readonly tokens: { issue(request: { scope: 'workload'; namespace: string; serviceAccount: string }): { token: string } };
}

const LIFETIME_MS = 10_000;

/** The serial of the certificate a TLS server presents, handshaking with `client`'s current certificate. */
function servingSerial(port: number, client: Mesh): Promise<string | undefined> {
  const material = client.certificate();
  if (!material) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, key: material.keyPem, cert: material.certChainPem, ca: [...material.trustBundle], checkServerIdentity: () => undefined });
    socket.once('secureConnect', () => { resolve(socket.getPeerCertificate().serialNumber?.toUpperCase()); socket.destroy(); });
    socket.once('error', () => resolve(undefined));
  });
}

describe('mesh mTLS certificate rotation under load', function () {
  this.timeout(60_000);
  let tp: TestPlane;
  const meshes: Mesh[] = [];

  after(async () => {
    await Promise.all(meshes.map((m) => m.close()));
    await tp?.close();
  });

  it('serves continuous traffic across 3+ rotations of both sides with zero failed requests', async () => {
    tp = await startTestPlane();
    const ca = tp.plane as unknown as PlaneWithCa;
    const mtlsFor = (serviceAccount: string) => ({
      token: ca.tokens.issue({ scope: 'workload', namespace: 'default', serviceAccount }).token,
      caRootPem: ca.ca.trustBundle()[0]!, caAddress: ca.caAddress, certificateTtlMs: LIFETIME_MS,
    });
    const server = connect({ controlPlane: tp.xds, service: 'reviews', serviceAccount: 'bookinfo-reviews', mtls: mtlsFor('bookinfo-reviews') });
    const client = connect({ controlPlane: tp.xds, service: 'productpage', serviceAccount: 'bookinfo-productpage', mtls: mtlsFor('bookinfo-productpage') });
    meshes.push(server, client);
    await Promise.all([server.mtls.whenReady(), client.mtls.whenReady()]);
    const clientSerialsSeen = new Set<string>();
    const served = await server.serve((_req, res) => {
      const peer = server.peer();
      if (peer) clientSerialsSeen.add(peer.serialNumber);
      res.end(peer ? 'mtls' : 'plaintext');
    }, { port: 0 });
    await tp.apply({
      apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'strict', namespace: 'default' }, spec: { mtls: { mode: 'STRICT' } },
    }, {
      // New connections keep coming, so handshakes happen with every new certificate.
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'default' },
      spec: { host: 'reviews', trafficPolicy: { connectionPool: { http: { maxRequestsPerConnection: 20 } } } },
    });
    await client.ready;
    await untilEndpoints(client, 'http://reviews/', 1);
    await until('the first mTLS response', async () => (await (await client.fetch('http://reviews/')).text()) === 'mtls');

    const serverSerials = new Set<string>();
    const failures: string[] = [];
    let ok = 0;
    let stop = false;
    const loop = async () => {
      while (!stop) {
        try {
          const response = await client.fetch('http://reviews/load');
          const body = await response.text();
          if (response.status === 200 && body === 'mtls') ok++;
          else failures.push(`${response.status} ${body.slice(0, 120)}`);
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const loops = [loop(), loop(), loop(), loop()];
    const probe = async () => {
      while (!stop) {
        const serial = await servingSerial(served.port, client);
        if (serial) serverSerials.add(serial);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const probing = probe();
    try {
      await until('3 rotations of each side', () => serverSerials.size >= 4 && clientSerialsSeen.size >= 4 && (server.mtls.identity!.status().issued >= 4), 50_000, 200);
    } finally {
      stop = true;
      await Promise.all([...loops, probing]);
    }
    assert.deepEqual(failures, [], `failed requests out of ${ok + failures.length}`);
    assert.ok(ok > 100, `traffic flowed (${ok} requests)`);
    assert.ok(serverSerials.size >= 4, `the server presented ${serverSerials.size} distinct certificates`);
    assert.ok(clientSerialsSeen.size >= 4, `the client presented ${clientSerialsSeen.size} distinct certificates`);
  });
});
