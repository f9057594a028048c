// dispatchForResponse against a real loopback server: body and headers, the caller's abort before
// and after headers, a body destroyed early aborting the upstream request, connect failures.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { dispatchForResponse } from './dispatch-response';

describe('dispatchForResponse', () => {
  let server: http.Server;
  let pool: Pool;
  const closedEarly: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/hang') { req.on('close', () => closedEarly.push('hang')); return; }
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first');
        res.on('close', () => closedEarly.push('stream'));
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(201, 'Made', { 'x-one': 'a', 'set-cookie': ['a=1', 'b=2'] });
        res.end(`echo:${Buffer.concat(chunks).toString()}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });

  after(async () => {
    await pool.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function text(body: NodeJS.ReadableStream): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString();
  }

  async function until(check: () => boolean): Promise<void> {
    for (const deadline = Date.now() + 5_000; !check();) {
      assert.ok(Date.now() < deadline, 'condition not reached');
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('resolves with status, status text, lower-cased headers (repeats as arrays) and the body', async () => {
    const response = await dispatchForResponse(pool, { path: '/x', method: 'POST', body: Buffer.from('hi') });
    assert.equal(response.status, 201);
    assert.equal(response.statusText, 'Made');
    assert.equal(response.headers['x-one'], 'a');
    assert.deepEqual(response.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(await text(response.body), 'echo:hi');
  });

  it('rejects with the signal reason when aborted before headers, and frees the upstream request', async () => {
    const controller = new AbortController();
    const pending = dispatchForResponse(pool, { path: '/hang', method: 'GET' }, controller.signal);
    await until(() => closedEarly.length === 0 && pool.stats.running > 0);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await assert.rejects(pending, (error) => error === reason);
    await until(() => closedEarly.includes('hang'));
  });

  it('an already aborted signal rejects without sending', async () => {
    const controller = new AbortController();
    controller.abort('stop');
    await assert.rejects(dispatchForResponse(pool, { path: '/x', method: 'GET' }, controller.signal), (error) => error === 'stop');
  });

  it('an abort after headers breaks the body with the reason; destroying the body aborts upstream', async () => {
    const controller = new AbortController();
    const response = await dispatchForResponse(pool, { path: '/stream', method: 'GET' }, controller.signal);
    const failed = new Promise<unknown>((resolve) => response.body.once('error', resolve));
    response.body.resume();
    const reason = new Error('route deadline');
    controller.abort(reason);
    assert.equal(await failed, reason);
    await until(() => closedEarly.includes('stream'));

    closedEarly.length = 0;
    const second = await dispatchForResponse(pool, { path: '/stream', method: 'GET' });
    second.body.destroy();
    await until(() => closedEarly.includes('stream'));
  });

  it('rejects with the connect error when nothing listens', async () => {
    const dead = new http.Server();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((resolve) => dead.close(resolve));
    const nowhere = new Pool(`http://127.0.0.1:${port}`);
    try {
      await assert.rejects(dispatchForResponse(nowhere, { path: '/', method: 'GET' }), (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED');
    } finally {
      await nowhere.destroy();
    }
  });
});
