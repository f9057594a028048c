import assert from 'node:assert/strict';
import http from 'node:http';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { isMeshError } from '../errors';
import { startMetricsServer, type MetricsServer } from './prometheus';
import { PROMETHEUS_CONTENT_TYPE, PrometheusReader } from './prometheus-exposition';

function request(url: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('telemetry/prometheus (metrics endpoint)', () => {
  let provider: MeterProvider;
  let reader: PrometheusReader;
  let server: MetricsServer | undefined;
  beforeEach(() => {
    reader = new PrometheusReader();
    provider = new MeterProvider({ readers: [reader] });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await provider.shutdown();
  });

  it('serves the text exposition on /stats/prometheus, fresh on every scrape', async () => {
    server = await startMetricsServer({ reader, port: 0 });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/stats\/prometheus$/);
    const counter = provider.getMeter('t').createCounter('istio_requests_total');
    counter.add(1, { reporter: 'source' });
    let res = await request(server.url);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], PROMETHEUS_CONTENT_TYPE);
    assert.match(res.body, /^istio_requests_total\{reporter="source"\} 1$/m);
    counter.add(2, { reporter: 'source' });
    res = await request(server.url);
    assert.match(res.body, /^istio_requests_total\{reporter="source"\} 3$/m);
    const head = await request(server.url, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
  });

  it('answers 404 off the path and 405 for other methods; serves a custom path', async () => {
    server = await startMetricsServer({ reader, port: 0, path: '/metrics' });
    const origin = server.url.replace(/\/metrics$/, '');
    assert.equal((await request(`${origin}/stats/prometheus`)).status, 404);
    const post = await request(server.url, 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers['allow'], 'GET, HEAD');
    assert.equal((await request(`${server.url}?x=1`)).status, 200);
  });

  it('rejects bad options by name and reports a taken port', async () => {
    const cases: [object, RegExp][] = [
      [{ reader, port: -1 }, /port must be an integer/],
      [{ reader, port: 0, path: 'metrics' }, /path must start with "\/"/],
      [{ port: 0 }, /reader must be a PrometheusReader/],
    ];
    for (const [options, message] of cases) {
      await assert.rejects(startMetricsServer(options as never), (e: unknown) => isMeshError(e, 'INVALID_OPTIONS') && message.test((e as Error).message));
    }
    server = await startMetricsServer({ reader, port: 0 });
    await assert.rejects(startMetricsServer({ reader, port: server.port }), /EADDRINUSE/);
  });

  it('close() is idempotent and frees the port', async () => {
    const running = await startMetricsServer({ reader, port: 0 });
    await Promise.all([running.close(), running.close()]);
    await assert.rejects(request(running.url), /ECONNREFUSED/);
  });
});
