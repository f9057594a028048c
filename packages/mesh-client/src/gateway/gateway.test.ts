// The gateway's serving side on real loopback sockets, with a stand-in mesh (config pushed by the
// test, the pipeline replaced by an echo): listeners bound and reconciled on every push, requests
// routed through the listener they arrived on, edge headers, TLS termination, client aborts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { makeKeys, makeRoot } from '../identity/test-certificates';
import type { MeshRequest, MeshResponse } from '../request';
import type { MeshSnapshot } from '../snapshot/types';
import { serveGateway, type Gateway, type GatewayMesh } from './gateway';
import { gatewaySocketListener, snapshotWithListeners } from './test-listeners';

/** A mesh whose config the test pushes and whose pipeline echoes what it was asked to route. */
class StandInMesh implements GatewayMesh {
  readonly ready: Promise<void>;
  readonly routed: { request: MeshRequest; listener: string; body: string }[] = [];
  closed = false;
  /** Replaces the echo for one test. */
  respond?: (request: MeshRequest) => Promise<MeshResponse>;
  private current: MeshSnapshot | undefined;
  private readonly subscribers = new Set<(s: MeshSnapshot) => void>();
  private markReady!: () => void;

  constructor() {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  push(snapshot: MeshSnapshot): void {
    this.current = snapshot;
    this.markReady();
    for (const s of this.subscribers) s(snapshot);
  }

  snapshot(): MeshSnapshot | undefined {
    return this.current;
  }

  onSnapshot(listener: (s: MeshSnapshot) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  async route(request: MeshRequest, listener: string): Promise<MeshResponse> {
    if (this.respond) return this.respond(request);
    const body = Buffer.isBuffer(request.body) ? request.body.toString() : '';
    this.routed.push({ request, listener, body });
    const json = JSON.stringify({ listener, authority: request.authority, path: request.path, method: request.method });
    return { status: 200, headers: { 'content-type': 'application/json', 'x-upstream': 'echo', connection: 'keep-alive' }, body: Readable.from([json]) };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ingress gateway serving', () => {
  let mesh: StandInMesh;
  let gateway: Gateway | undefined;
  let lines: string[];

  beforeEach(() => {
    mesh = new StandInMesh();
    lines = [];
  });

  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  const start = (options: Parameters<typeof serveGateway>[1] = {}) => serveGateway(mesh, { anyPort: true, log: (l) => lines.push(l), ...options });

  it('binds a server per listener and routes each request through the listener it came in on', async () => {
    mesh.push(snapshotWithListeners([gatewaySocketListener(8080), gatewaySocketListener(80)]));
    gateway = await start();
    const served = gateway.listeners();
    assert.deepEqual(served.map((l) => [l.name, l.configPort, l.routeConfigName]), [['0.0.0.0_80', 80, 'http.80'], ['0.0.0.0_8080', 8080, 'http.8080']]);
    for (const listener of served) {
      const answer = await get(`${listener.url}/productpage?u=normal`, { host: 'bookinfo.example.com' });
      assert.equal(answer.status, 200);
      assert.deepEqual(JSON.parse(answer.body), { listener: listener.name, authority: 'bookinfo.example.com', path: '/productpage?u=normal', method: 'GET' });
      assert.equal(answer.headers['x-upstream'], 'echo');
    }
    assert.ok(lines.some((l) => /^listener 0\.0\.0\.0_8080 serving http:\/\/127\.0\.0\.1:\d+ \(route table http\.8080\)$/.test(l)), lines.join('\n'));
  });

  it('forwards like an edge proxy: no hop-by-hop headers, x-forwarded-for/-proto and a request id added, small bodies buffered', async () => {
    mesh.push(snapshotWithListeners([gatewaySocketListener(8080)]));
    gateway = await start();
    const url = gateway.listeners()[0]!.url;
    await get(`${url}/login`, { connection: 'keep-alive, x-drop-me', 'x-drop-me': '1', 'keep-alive': 'timeout=5', 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '10.0.0.1', Cookie: 'session=abc' }, 'POST', 'username=jason&passwd=x');
    const { request, body } = mesh.routed[0]!;
    assert.equal(request.method, 'POST');
    assert.equal(body, 'username=jason&passwd=x');
    assert.equal(request.headers['content-length'], '23');
    assert.equal(request.headers['cookie'], 'session=abc');
    for (const dropped of ['connection', 'keep-alive', 'x-drop-me', 'host']) assert.equal(request.headers[dropped], undefined, dropped);
    assert.equal(request.headers['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
    assert.equal(request.headers['x-forwarded-proto'], 'http');
    assert.match(String(request.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(request.scheme, 'http');
  });

  it('reconciles on every push: new listeners bound, removed ones closed, unchanged ones kept', async () => {
    mesh.push(snapshotWithListeners([gatewaySocketListener(8080)]));
    gateway = await start();
    const first = gateway.listeners()[0]!;
    mesh.push(snapshotWithListeners([gatewaySocketListener(8080), gatewaySocketListener(9090)]));
    await until('the second listener', () => gateway!.listeners().length === 2);
    assert.equal(gateway.listeners().find((l) => l.name === '0.0.0.0_8080')!.port, first.port, 'kept, not rebound');
    mesh.push(snapshotWithListeners([gatewaySocketListener(9090)]));
    await until('the first listener closed', () => lines.includes('listener 0.0.0.0_8080 closed'));
    assert.deepEqual(gateway.listeners().map((l) => l.name), ['0.0.0.0_9090']);
    await assert.rejects(get(`${first.url}/`), /ECONNREFUSED/);
  });

  it('reports a port it cannot bind and keeps serving the others', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      mesh.push(snapshotWithListeners([gatewaySocketListener(8080), gatewaySocketListener(9090)]));
      gateway = await start({ anyPort: false, ports: { 8080: taken, 9090: 0 } });
      assert.deepEqual(gateway.listeners().map((l) => l.name), ['0.0.0.0_9090']);
      assert.ok(lines.some((l) => l.startsWith(`listener 0.0.0.0_8080 cannot be served: 127.0.0.1:${taken} is already in use`)), lines.join('\n'));
    } finally {
      blocker.close();
    }
  });

  it('terminates TLS with the listener\'s certificate files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-tls-'));
    try {
      const keys = makeKeys();
      const cert = makeRoot(keys, 'bookinfo.example.com');
      const certFile = path.join(dir, 'cert.pem');
      const keyFile = path.join(dir, 'key.pem');
      fs.writeFileSync(certFile, cert);
      fs.writeFileSync(keyFile, keys.privateKeyPem);
      mesh.push(snapshotWithListeners([gatewaySocketListener(8443, { certFile, keyFile })]));
      gateway = await start();
      const listener = gateway.listeners()[0]!;
      assert.match(listener.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        https.get(`${listener.url}/productpage`, { ca: cert, checkServerIdentity: () => undefined, agent: false }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      assert.equal(JSON.parse(body).listener, '0.0.0.0_8443');
      assert.equal(mesh.routed[0]!.request.scheme, 'https');
      assert.equal(mesh.routed[0]!.request.headers['x-forwarded-proto'], 'https');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports unreadable certificate files instead of failing', async () => {
    mesh.push(snapshotWithListeners([gatewaySocketListener(8443, { certFile: '/nonexistent/cert.pem', keyFile: '/nonexistent/key.pem' })]));
    gateway = await start();
    assert.deepEqual(gateway.listeners(), []);
    assert.ok(lines.some((l) => l.includes('cannot set up TLS: TLS server filter_chains[0]: cannot read its certificate /nonexistent/cert.pem: ENOENT')), lines.join('\n'));
  });

  it('aborts the routed request when the client goes away, and answers 503 when routing throws', async () => {
    mesh.push(snapshotWithListeners([gatewaySocketListener(8080)]));
    gateway = await start();
    const url = gateway.listeners()[0]!.url;
    let arrived!: () => void;
    let aborted!: () => void;
    const hasArrived = new Promise<void>((r) => (arrived = r));
    const wasAborted = new Promise<void>((r) => (aborted = r));
    mesh.respond = (request) => new Promise(() => {
      request.signal!.addEventListener('abort', () => aborted());
      arrived();
    });
    const req = http.get(`${url}/slow`, { agent: false });
    req.on('error', () => undefined);
    await hasArrived;
    req.destroy();
    await wasAborted;
    mesh.respond = () => Promise.reject(new Error('pipeline bug'));
    const answer = await get(`${url}/x`);
    assert.equal(answer.status, 503);
    assert.ok(lines.some((l) => l.includes('pipeline bug')));
  });

  it('closes its listeners and the mesh client', async () => {
    mesh.push(snapshotWithListeners([gatewaySocketListener(8080)]));
    gateway = await start();
    const url = gateway.listeners()[0]!.url;
    await gateway.close();
    assert.equal(mesh.closed, true);
    await assert.rejects(get(`${url}/`), /ECONNREFUSED/);
    await gateway.close();
  });
});
