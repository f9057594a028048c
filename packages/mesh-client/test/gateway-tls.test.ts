// HTTPS on the ingress gateway, end to end with real servers: a control plane, a backend outside the
// mesh (Service + WorkloadEntry), and `inboard gateway` as its own process with --credential-dir.
// Gateway servers: SIMPLE (credentialName), MUTUAL (credentialName with ca.crt) and an HTTP server with
// httpsRedirect. Certificates are made in the test (a server CA and a client CA).

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawnTs, stopProcess } from '../../../testing/spawn';
import { basicConstraints, extKeyUsage, keyUsage, makeCertificate, makeKeys, makeRoot, subjectAltName, type TestKeys } from '../src/identity/test-certificates';
import { EKU_OID, EXTENSION_OID } from '../src/identity/x509-extensions';
import { startPlainServer } from './support/backends';
import { startTestPlane, until, type TestPlane } from './support/control-plane';
import { kubernetesService, virtualService, workloadEntry } from './support/istio';

/** A leaf signed by `ca` for DNS name `dns` with extended key usage `usage` (serverAuth or clientAuth). */
function leaf(ca: { keys: TestKeys; pem: string }, dns: string, usage: string): { cert: string; key: string } {
  const keys = makeKeys();
  const now = Date.now();
  const cert = makeCertificate({
    subjectKey: keys.publicKey, signingKey: ca.keys.privateKey, issuerPem: ca.pem, subjectCn: dns,
    notBefore: new Date(now - 3_600_000), notAfter: new Date(now + 86_400_000),
    extensions: [
      { oid: EXTENSION_OID.basicConstraints, critical: true, value: basicConstraints(false) },
      { oid: EXTENSION_OID.keyUsage, critical: true, value: keyUsage({ digitalSignature: true, keyEncipherment: true }) },
      { oid: EXTENSION_OID.extKeyUsage, value: extKeyUsage([usage]) },
      { oid: EXTENSION_OID.subjectAltName, value: subjectAltName([{ dns }]) },
    ],
  });
  return { cert, key: keys.privateKeyPem };
}

/** A self-signed CA. */
function makeCa(cn: string): { keys: TestKeys; pem: string } {
  const keys = makeKeys();
  return { keys, pem: makeRoot(keys, cn) };
}

interface Answer { readonly status: number; readonly body: string; readonly headers: http.IncomingHttpHeaders }

/** One HTTPS request to 127.0.0.1:port with SNI `servername`, the server CA pinned; rejects on a refused handshake. */
function httpsGet(port: number, servername: string, ca: string, options: { host?: string; path?: string; cert?: string; key?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port, servername, ca, path: options.path ?? '/productpage', agent: false,
      headers: { host: options.host ?? servername },
      ...(options.cert ? { cert: options.cert, key: options.key } : {}),
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function httpGet(port: number, host: string, pathName: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: pathName, headers: { host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: '', headers: res.headers }));
    }).on('error', reject);
  });
}

const gatewayResource = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'Gateway',
  metadata: { name: 'bookinfo-gateway', namespace: 'default' },
  spec: {
    selector: { istio: 'ingressgateway' },
    servers: [
      { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['bookinfo.example.com'], tls: { mode: 'SIMPLE', credentialName: 'bookinfo-credential' } },
      { port: { number: 8443, name: 'https-mutual', protocol: 'HTTPS' }, hosts: ['secure.example.com'], tls: { mode: 'MUTUAL', credentialName: 'mutual-credential' } },
      { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['bookinfo.example.com'], tls: { httpsRedirect: true } },
    ],
  },
};

describe('ingress gateway HTTPS end to end (inboard gateway --credential-dir)', function () {
  this.timeout(60_000);
  let tp: TestPlane;
  let backend: Awaited<ReturnType<typeof startPlainServer>>;
  let gateway: ChildProcess;
  let dir: string;
  const serverCa = makeCa('gateway server CA');
  const clientCa = makeCa('gateway client CA');
  const otherCa = makeCa('some other CA');
  const ports: Record<string, number> = {};

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-gateway-tls-'));
    const write = (credential: string, files: Record<string, string>) => {
      fs.mkdirSync(path.join(dir, credential));
      for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, credential, name), text, { mode: 0o600 });
    };
    const simple = leaf(serverCa, 'bookinfo.example.com', EKU_OID.serverAuth);
    const mutual = leaf(serverCa, 'secure.example.com', EKU_OID.serverAuth);
    write('bookinfo-credential', { 'tls.crt': simple.cert, 'tls.key': simple.key });
    write('mutual-credential', { 'tls.crt': mutual.cert, 'tls.key': mutual.key, 'ca.crt': clientCa.pem });

    tp = await startTestPlane();
    backend = await startPlainServer('web');
    await tp.apply(
      kubernetesService('web'),
      workloadEntry('web-1', 'web', backend.port),
      gatewayResource,
      virtualService('web', {
        hosts: ['bookinfo.example.com', 'secure.example.com'],
        gateways: ['bookinfo-gateway'],
        http: [{ route: [{ destination: { host: 'web', port: { number: 9080 } } }] }],
      }),
    );
    gateway = spawnTs('packages/mesh-client/src/gateway/main.ts', ['--control-plane', tp.xds, '--any-port', '--credential-dir', dir]);
    let output = '';
    gateway.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    gateway.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    for (const port of [443, 8443, 80]) {
      const scheme = port === 80 ? 'http' : 'https';
      const line = new RegExp(`listener 0\\.0\\.0\\.0_${port} serving ${scheme}://127\\.0\\.0\\.1:(\\d+)`);
      ports[port] = await until(`the gateway to serve port ${port} (output: ${output})`, () => Number(line.exec(output)?.[1] ?? 0) || undefined, 20_000);
    }
    // The listeners are up; wait (bounded) until the route reaches the backend.
    await until('the HTTPS route to reach the backend', async () => (await httpsGet(ports[443]!, 'bookinfo.example.com', serverCa.pem)).status === 200, 20_000);
  });

  after(async () => {
    if (gateway) await stopProcess(gateway);
    await backend?.close();
    await tp?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('SIMPLE: an HTTPS request with the CA pinned and SNI bookinfo.example.com gets 200 from the backend', async () => {
    const answer = await httpsGet(ports[443]!, 'bookinfo.example.com', serverCa.pem, { path: '/productpage?u=normal' });
    assert.equal(answer.status, 200);
    const identity = JSON.parse(answer.body) as { service: string; path: string; host: string };
    assert.equal(identity.service, 'web');
    assert.equal(identity.path, '/productpage?u=normal');
    assert.equal(backend.received.at(-1)!.headers['x-forwarded-proto'], 'https');
  });

  it('SIMPLE: the handshake is refused for an SNI no server has, and the certificate fails against another CA', async () => {
    await assert.rejects(httpsGet(ports[443]!, 'unknown.example.com', serverCa.pem), (error: NodeJS.ErrnoException) => /ECONNRESET|alert|socket hang up|handshake/i.test(`${error.code} ${error.message}`));
    await assert.rejects(httpsGet(ports[443]!, 'bookinfo.example.com', otherCa.pem), (error: NodeJS.ErrnoException) => /UNABLE_TO_VERIFY_LEAF_SIGNATURE|self.signed|unable to verify/i.test(`${error.code} ${error.message}`));
  });

  it('SIMPLE: a Host outside the SNI-matched server gets 404, never another server\'s routes', async () => {
    const answer = await httpsGet(ports[443]!, 'bookinfo.example.com', serverCa.pem, { host: 'secure.example.com' });
    assert.equal(answer.status, 404);
  });

  it('MUTUAL: no client certificate or one from another CA is refused; one from the credential\'s ca.crt gets 200', async () => {
    await assert.rejects(httpsGet(ports[8443]!, 'secure.example.com', serverCa.pem), (error: NodeJS.ErrnoException) => /ECONNRESET|alert|certificate required|socket hang up|handshake/i.test(`${error.code} ${error.message}`));
    const stranger = leaf(otherCa, 'client.example.com', EKU_OID.clientAuth);
    await assert.rejects(httpsGet(ports[8443]!, 'secure.example.com', serverCa.pem, { cert: stranger.cert, key: stranger.key }), (error: NodeJS.ErrnoException) => /ECONNRESET|alert|unknown ca|socket hang up|handshake/i.test(`${error.code} ${error.message}`));
    const client = leaf(clientCa, 'client.example.com', EKU_OID.clientAuth);
    const answer = await httpsGet(ports[8443]!, 'secure.example.com', serverCa.pem, { cert: client.cert, key: client.key });
    assert.equal(answer.status, 200, answer.body);
    assert.equal((JSON.parse(answer.body) as { service: string }).service, 'web');
  });

  it('httpsRedirect: plaintext requests for the host get 301 to https with the same path', async () => {
    const answer = await httpGet(ports[80]!, 'bookinfo.example.com', '/productpage?x=1');
    assert.equal(answer.status, 301);
    assert.equal(answer.headers.location, 'https://bookinfo.example.com/productpage?x=1');
  });
});
