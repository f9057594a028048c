// A REAL Prometheus (Debian package `prometheus`) started on loopback scrapes the per-workload
// metrics endpoint after a known set of requests was recorded; PromQL answers (requests per
// destination version, error ratio, p99) must match what was recorded.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { freePort, stopProcess } from '../../../testing/spawn';
import { destinationService, outboundLabels, workloadPeer } from '../src/telemetry/istio-labels';
import { MeshMetrics } from '../src/telemetry/metrics';
import { PrometheusReader } from '../src/telemetry/prometheus-exposition';
import { startMetricsServer, type MetricsServer } from '../src/telemetry/prometheus';

const PROMETHEUS = process.env['PROMETHEUS_BIN'] ?? 'prometheus';

interface Sample { readonly metric: Record<string, string>; readonly value: [number, string] }

async function query(base: string, promql: string): Promise<Sample[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`PromQL ${promql} failed: ${body.error}`);
  return body.data!.result;
}

/** Equal within floating-point noise (PromQL's interpolation is done in float64). */
function assertClose(actual: number, expected: number, message?: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${message ?? ''} expected ${expected}, got ${actual}`);
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a real Prometheus scrapes /stats/prometheus', function () {
  this.timeout(40_000);
  let provider: MeterProvider;
  let endpoint: MetricsServer;
  let prometheus: ChildProcess | undefined;
  let dir: string;
  let base = '';
  let output = '';

  before(async () => {
    const probe = spawnSync(PROMETHEUS, ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      assert.fail(`the prometheus binary is missing (${probe.error?.message ?? `exit ${probe.status}`}): install the Debian package "prometheus" (apt-get install -y prometheus) or set PROMETHEUS_BIN`);
    }
    const reader = new PrometheusReader();
    provider = new MeterProvider({ readers: [reader] });
    const metrics = new MeshMetrics({ meterProvider: provider });
    const self = workloadPeer({ namespace: 'default', labels: { app: 'productpage', version: 'v1' }, serviceAccount: 'bookinfo-productpage' });
    const reviews = destinationService('outbound|9080|v1|reviews.default.svc.cluster.local');
    const peer = (version: string) => workloadPeer({ namespace: 'default', labels: { app: 'reviews', version }, serviceAccount: 'bookinfo-reviews' });
    for (let i = 0; i < 30; i++) {
      metrics.recordRequest(outboundLabels(self, peer('v1'), reviews, { protocol: 'http', responseCode: 200, mtls: true }), { durationMs: 7, requestBytes: 0, responseBytes: 295 });
    }
    for (let i = 0; i < 10; i++) {
      metrics.recordRequest(outboundLabels(self, peer('v2'), reviews, { protocol: 'http', responseCode: 503, responseFlags: 'UF', mtls: true }), { durationMs: 300, requestBytes: 0, responseBytes: 91 });
    }
    endpoint = await startMetricsServer({ reader, port: 0 });

    dir = mkdtempSync(path.join(os.tmpdir(), 'inboard-prometheus-'));
    writeFileSync(path.join(dir, 'prometheus.yml'), [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: inboard',
      '    metrics_path: /stats/prometheus',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${endpoint.port}']`,
      '',
    ].join('\n'));
    const webPort = await freePort();
    prometheus = spawn(PROMETHEUS, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${webPort}`,
      '--log.level=warn',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    prometheus.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    prometheus.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    base = `http://127.0.0.1:${webPort}`;
    await poll('Prometheus to be ready', async () => {
      if (prometheus!.exitCode !== null) throw new Error(`prometheus exited ${prometheus!.exitCode}: ${output}`);
      return (await fetch(`${base}/-/ready`)).ok ? true : undefined;
    });
    await poll('the first scrape of the mesh endpoint', async () => {
      const [up] = await query(base, 'up{job="inboard"}');
      const [total] = await query(base, 'sum(istio_requests_total)');
      return up?.value[1] === '1' && total !== undefined ? true : undefined;
    });
  });

  after(async () => {
    if (prometheus) await stopProcess(prometheus);
    await endpoint?.close();
    await provider?.shutdown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers requests per destination version', async () => {
    const rows = await query(base, 'sum by (destination_version) (istio_requests_total{reporter="source"})');
    const byVersion = Object.fromEntries(rows.map((r) => [r.metric['destination_version'], Number(r.value[1])]));
    assert.deepEqual(byVersion, { v1: 30, v2: 10 });
  });

  it('answers the error ratio', async () => {
    const [ratio] = await query(base, 'sum(istio_requests_total{reporter="source",response_code=~"5.."}) / sum(istio_requests_total{reporter="source"})');
    assert.equal(Number(ratio!.value[1]), 0.25);
    const [flagged] = await query(base, 'sum(istio_requests_total{response_flags="UF",destination_workload="reviews-v2",connection_security_policy="unknown"})');
    assert.equal(Number(flagged!.value[1]), 10);
  });

  it('answers p99 from Istio\'s duration buckets', async () => {
    // 30 requests in (5, 10] ms and 10 in (250, 500] ms: rank 0.99 × 40 = 39.6 falls in the upper
    // bucket, interpolated 250 + 250 × (39.6 − 30) / 10 = 490.
    const [p99] = await query(base, 'histogram_quantile(0.99, sum by (le) (istio_request_duration_milliseconds_bucket{reporter="source"}))');
    assertClose(Number(p99!.value[1]), 490);
    const [p50v1] = await query(base, 'histogram_quantile(0.5, sum by (le) (istio_request_duration_milliseconds_bucket{destination_version="v1"}))');
    assertClose(Number(p50v1!.value[1]), 7.5, 'half-way through the (5, 10] bucket');
    const [bytes] = await query(base, 'sum(istio_response_bytes_sum)');
    assert.equal(Number(bytes!.value[1]), 30 * 295 + 10 * 91);
  });
});
