// Integration: a brownout never multiplies traffic beyond the retry limit. Four loopback endpoints
// hold every attempt until the test releases it (lock-step waves, counts only, no timing); the share
// of failing endpoints grows 0 % → 50 % → 100 % (503s and connection resets), and the endpoints
// count attempts per x-request-id. Config comes from a hand-made xDS server (a retry budget; Envoy's
// default max_retries) and from the Inboard control plane with Istio config (DR maxRetries; Istio's
// unlimited default). Outlier detection ejects the failing endpoints during the brownout.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXTENSION_TYPE_URL } from '@inboard/xds';
import { connect, type Mesh } from '../src';
import { meshServer, startTestPlane, until, untilExplained } from './support/control-plane';
import { destinationRule, kubernetesService, virtualService, workloadEntry } from './support/istio';

/** How an endpoint answers the attempts it holds when a wave is released. */
type Mode = 'ok' | '503' | 'reset';

/** One attempt held at an endpoint until the wave is released. */
interface HeldAttempt {
  readonly endpoint: number;
  /** 1 for the request's first try: how often its x-request-id has been seen, counted here. */
  readonly attempt: number;
  /** The x-envoy-attempt-count header (when the route asks for it). */
  readonly attemptHeader?: number;
  answer(mode: Mode): void;
}

/** Four loopback endpoints that hold every attempt until the test releases the wave. */
class Upstreams {
  readonly modes: Mode[] = ['ok', 'ok', 'ok', 'ok'];
  readonly held: HeldAttempt[] = [];
  readonly ports: number[] = [];
  private readonly servers: http.Server[] = [];
  private readonly seen = new Map<string, number>();

  async start(): Promise<void> {
    for (let i = 0; i < this.modes.length; i++) {
      const server = http.createServer((req, res) => {
        req.resume();
        const id = String(req.headers['x-request-id']);
        const attempt = (this.seen.get(id) ?? 0) + 1;
        this.seen.set(id, attempt);
        const header = req.headers['x-envoy-attempt-count'];
        req.on('end', () => this.held.push({
          endpoint: i, attempt,
          ...(header !== undefined ? { attemptHeader: Number(header) } : {}),
          answer: (mode) => {
            if (mode === 'reset') return void req.socket.destroy();
            res.writeHead(mode === 'ok' ? 200 : 503, { 'content-type': 'text/plain' });
            res.end(mode);
          },
        }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.servers.push(server);
      this.ports.push((server.address() as AddressInfo).port);
    }
  }

  /** Answers every held attempt with its endpoint's mode; returns what was released. */
  release(): HeldAttempt[] {
    const wave = this.held.splice(0);
    for (const a of wave) a.answer(this.modes[a.endpoint]!);
    return wave;
  }

  async close(): Promise<void> {
    for (const s of this.servers) await new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); });
  }
}

/** The xDS world: listener → route (retries) → EDS cluster of the four endpoints (breakers, outlier detection). */
function world(ports: readonly number[], circuitBreakers: object | undefined): Record<'listeners' | 'routes' | 'clusters' | 'endpoints', Map<string, object>> {
  return {
    listeners: new Map([['up', {
      name: 'up',
      api_listener: { api_listener: {
        '@type': EXTENSION_TYPE_URL.HTTP_CONNECTION_MANAGER,
        rds: { route_config_name: 'up-routes', config_source: { ads: {} } },
        http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': EXTENSION_TYPE_URL.ROUTER } }],
      } },
    }]]),
    routes: new Map([['up-routes', {
      name: 'up-routes',
      virtual_hosts: [{
        name: 'up', domains: ['*'], include_request_attempt_count: true,
        routes: [{ match: { prefix: '/' }, route: {
          cluster: 'up-cluster',
          retry_policy: {
            retry_on: '5xx', num_retries: { value: 3 }, host_selection_retry_max_attempts: '5',
            retry_host_predicate: [{ name: 'envoy.retry_host_predicates.previous_hosts', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' } }],
          },
        } }],
      }],
    }]]),
    clusters: new Map([['up-cluster', {
      name: 'up-cluster', type: 'EDS', lb_policy: 'ROUND_ROBIN', eds_cluster_config: { eds_config: { ads: {} } },
      ...(circuitBreakers ? { circuit_breakers: circuitBreakers } : {}),
      // Istio's translation: consecutive 5xx enforced, panic threshold 0 (ejected hosts are never used).
      outlier_detection: { consecutive_5xx: { value: 3 }, interval: { seconds: 0, nanos: 50_000_000 }, base_ejection_time: { seconds: 60 }, max_ejection_percent: { value: 50 } },
      common_lb_config: { healthy_panic_threshold: { value: 0 } },
    }]]),
    endpoints: new Map([['up-cluster', {
      cluster_name: 'up-cluster',
      endpoints: [{ locality: {}, lb_endpoints: ports.map((port) => ({ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } })) }],
    }]]),
  };
}

/** What one wave looked like at the upstreams. */
interface Wave {
  readonly attempts: number;
  readonly retries: number;
  readonly byEndpoint: number[];
}

/** A mesh client configured (by some control plane) to route `url` to the four endpoints. */
interface Plane {
  readonly mesh: Mesh;
  readonly url: string;
  close(): Promise<void>;
}

/** A hand-made xDS server (mesh-server's XdsServer) serving {@link world}. */
async function handMadePlane(ports: readonly number[], circuitBreakers: object | undefined): Promise<Plane> {
  const resources = world(ports, circuitBreakers);
  const server = new (meshServer().XdsServer)({
    translate: () => ({ ...resources, warnings: new Map() }),
    input: () => ({ config: [], registry: { version: 0, services: new Map(), endpoints: [], endpointsFor: () => [] } }),
    debounceMs: 5,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const port = await server.listen(0, '127.0.0.1');
  const mesh = connect({ controlPlane: `127.0.0.1:${port}`, env: {}, mtls: { enabled: false } });
  await mesh.ready;
  return { mesh, url: 'http://up/brownout', close: async () => { await mesh.close(); await server.close(); } };
}

/** The Inboard control plane with Istio config: VS retries, DR outlier detection and maxRetries (absent: Istio's 2^32−1). */
async function istioPlane(ports: readonly number[], maxRetries?: number): Promise<Plane> {
  const tp = await startTestPlane();
  const mesh = connect({ controlPlane: tp.xds, service: 'caller', mtls: { enabled: false } });
  try {
    await tp.apply(
      kubernetesService('up'),
      ...ports.map((port, i) => workloadEntry(`up-${i}`, 'up', port)),
      virtualService('up', { hosts: ['up'], http: [{ route: [{ destination: { host: 'up' } }], retries: { attempts: 3, retryOn: '5xx' } }] }),
      destinationRule('up', { host: 'up', trafficPolicy: {
        loadBalancer: { simple: 'ROUND_ROBIN' },
        ...(maxRetries !== undefined ? { connectionPool: { http: { maxRetries } } } : {}),
        outlierDetection: { consecutive5xxErrors: 3, interval: '0.05s', baseEjectionTime: '60s', maxEjectionPercent: 50 },
      } }),
    );
    const url = 'http://up:9080/brownout';
    await untilExplained(mesh, url, (e) => (e['endpoints'] as unknown[] | undefined)?.length === 4 && (e['cluster'] as { outlierDetection?: unknown } | undefined)?.outlierDetection != null
      && (e['retryPolicy'] as { retryOn?: string[] } | null | undefined)?.retryOn?.includes('5xx') === true);
    return { mesh, url, close: async () => { await mesh.close(); await tp.close(); } };
  } catch (error) {
    await mesh.close();
    await tp.close();
    throw error;
  }
}

/** A brownout run: `callers` closed-loop callers, lock-step waves, a mode per endpoint per phase. */
async function brownout(plane: (ports: readonly number[]) => Promise<Plane>, callers: number, phases: readonly { modes: Mode[]; waves: number }[]) {
  const upstreams = new Upstreams();
  await upstreams.start();
  const waves: Wave[][] = phases.map(() => []);
  const statuses: number[] = [];
  const ejectedAfterPhase: string[][] = [];
  const headerMismatches: HeldAttempt[] = [];
  let started = 0;
  let running: Plane | undefined;
  try {
    running = await plane(upstreams.ports);
    const { mesh, url } = running;
    let stop = false;
    const loops = Array.from({ length: callers }, async (_, caller) => {
      while (!stop) {
        started++;
        const response = await mesh.fetch(url, { headers: { 'x-request-id': `caller-${caller}-${started}` } });
        statuses.push(response.status);
        await response.arrayBuffer();
      }
    });
    for (const [p, phase] of phases.entries()) {
      for (let w = 0; w < phase.waves; w++) {
        // Lock step: every caller's request has exactly one attempt held at an endpoint.
        await until(`wave ${w + 1} of phase ${p + 1}: ${callers} attempts held`, () => upstreams.held.length === callers, 10_000, 2);
        upstreams.modes.splice(0, 4, ...phase.modes);
        const released = upstreams.release();
        headerMismatches.push(...released.filter((a) => a.attemptHeader !== undefined && a.attemptHeader !== a.attempt));
        waves[p]!.push({
          attempts: released.length,
          retries: released.filter((a) => a.attempt > 1).length,
          byEndpoint: [0, 1, 2, 3].map((i) => released.filter((a) => a.endpoint === i).length),
        });
      }
      const endpoints = mesh.explain({ url })['endpoints'] as { address: string; ejected: boolean }[];
      ejectedAfterPhase.push(endpoints.filter((e) => e.ejected).map((e) => e.address).sort());
    }
    stop = true;
    const done = Promise.all(loops);
    let finished = false;
    void done.then(() => (finished = true));
    await until('every caller to finish', () => { upstreams.release(); return finished; }, 10_000, 2);
    await done;
  } finally {
    await running?.close();
    await upstreams.close();
  }
  return { waves, statuses, started, ejectedAfterPhase, headerMismatches, ports: upstreams.ports };
}

const total = (waves: readonly Wave[], key: 'attempts' | 'retries') => waves.reduce((n, w) => n + w[key], 0);

describe('brownout: retries never multiply traffic beyond the retry limit', function () {
  this.timeout(30_000);

  it('with a retry budget (20 %, min 3): retries per wave ≤ max(3, ⌊20 % × active⌋); failing hosts are ejected', async () => {
    const callers = 40;
    // Envoy's RetryBudgetImpl::max: max(min_retry_concurrency, budget_percent × (active + pending requests)).
    // Every logical request has at most one attempt in flight, so active + pending ≤ callers.
    const allowed = Math.max(3, Math.floor(0.2 * callers));
    const run = await brownout((ports) => handMadePlane(ports, { thresholds: [{ priority: 'DEFAULT', retry_budget: { budget_percent: { value: 20 }, min_retry_concurrency: { value: 3 } } }] }), callers, [
      { modes: ['ok', 'ok', 'ok', 'ok'], waves: 4 },
      { modes: ['503', 'reset', 'ok', 'ok'], waves: 8 },
      { modes: ['503', 'reset', '503', 'reset'], waves: 8 },
    ]);
    const [healthy, half, all] = run.waves as [Wave[], Wave[], Wave[]];

    // 0 %: no retries at all.
    assert.equal(total(healthy, 'retries'), 0);
    // Never beyond the budget, in any wave of any phase.
    for (const wave of [...half, ...all]) assert.ok(wave.retries <= allowed, `a wave carried ${wave.retries} retries, the budget allows ${allowed}: ${JSON.stringify(wave)}`);
    // Over the run: attempts ≤ first tries + waves × allowed, i.e. at most 1/(1 − 20 %) = 1.25 × the requests.
    const attempts = [healthy, half, all].reduce((n, p) => n + total(p, 'attempts'), 0);
    const retries = [healthy, half, all].reduce((n, p) => n + total(p, 'retries'), 0);
    const requests = attempts - retries;
    assert.ok(attempts <= requests + (half.length + all.length) * allowed, `${attempts} attempts for ${requests} requests`);
    assert.ok(attempts <= requests * 1.25 + allowed, `${attempts} attempts for ${requests} requests exceeds the 20 % budget`);
    // Every call reached an upstream (no local replies), and every request was counted once as a first try.
    assert.equal(requests, run.started, 'first tries at the upstreams = calls the callers made');
    assert.deepEqual(run.headerMismatches, [], 'x-envoy-attempt-count agrees with the attempts counted here');

    // 50 %: outlier detection ejects both failing endpoints; the last wave reaches only the healthy ones.
    const failing = [`127.0.0.1:${run.ports[0]}`, `127.0.0.1:${run.ports[1]}`].sort();
    assert.deepEqual(run.ejectedAfterPhase[1], failing);
    const lastHalf = half[half.length - 1]!;
    assert.deepEqual([lastHalf.byEndpoint[0], lastHalf.byEndpoint[1]], [0, 0], JSON.stringify(lastHalf));
    // 100 %: max_ejection_percent 50 keeps the other two in use; the budget, not the 3 retries per
    // request, bounds the retries: fewer retries than failed attempts, so callers see the 5xx.
    assert.deepEqual(run.ejectedAfterPhase[2], failing);
    assert.ok(all.some((w) => w.retries >= 3), `the budget grants at least min_retry_concurrency: ${JSON.stringify(all.map((w) => w.retries))}`);
    assert.ok(total(all, 'retries') * 2 < total(all, 'attempts'), `every attempt failed, yet most were not retried: ${JSON.stringify(all)}`);
    assert.ok(run.statuses.filter((s) => s === 503).length > 0);
  });

  it('without a budget, Envoy\'s default max_retries (3 retries in flight per cluster) bounds concurrent retries', async () => {
    const callers = 20;
    const run = await brownout((ports) => handMadePlane(ports, undefined), callers, [
      { modes: ['ok', 'ok', 'ok', 'ok'], waves: 2 },
      { modes: ['503', '503', '503', '503'], waves: 8 },
    ]);
    const all = run.waves[1]!;
    for (const wave of all) assert.ok(wave.retries <= 3, `a wave carried ${wave.retries} retries in flight, max_retries is 3`);
    assert.ok(all.some((w) => w.retries === 3), `the limit is reached: ${JSON.stringify(all.map((w) => w.retries))}`);
    const attempts = total(all, 'attempts');
    assert.ok(total(all, 'retries') <= all.length * 3, `${attempts} attempts`);
  });

  it('with Istio config (VS retries {attempts: 3, retryOn: 5xx}, DR maxRetries 3, outlierDetection): the same bounds through the control plane', async () => {
    const callers = 20;
    const run = await brownout((ports) => istioPlane(ports, 3), callers, [
      { modes: ['ok', 'ok', 'ok', 'ok'], waves: 2 },
      { modes: ['503', 'reset', 'ok', 'ok'], waves: 6 },
      { modes: ['503', 'reset', '503', 'reset'], waves: 6 },
    ]);
    const [healthy, half, all] = run.waves as [Wave[], Wave[], Wave[]];
    assert.equal(total(healthy, 'retries'), 0);
    for (const wave of [...half, ...all]) assert.ok(wave.retries <= 3, `a wave carried ${wave.retries} retries in flight, maxRetries is 3: ${JSON.stringify(wave)}`);
    assert.ok(all.some((w) => w.retries === 3), `the limit is reached: ${JSON.stringify(all.map((w) => w.retries))}`);
    assert.equal(total([...healthy, ...half, ...all], 'attempts') - total([...healthy, ...half, ...all], 'retries'), run.started);
    const failing = [`127.0.0.1:${run.ports[0]}`, `127.0.0.1:${run.ports[1]}`].sort();
    assert.deepEqual(run.ejectedAfterPhase[1], failing, 'consecutive5xxErrors: 3 ejected the failing endpoints (resets count as 5xx)');
    const lastHalf = half[half.length - 1]!;
    assert.deepEqual([lastHalf.byEndpoint[0], lastHalf.byEndpoint[1]], [0, 0], JSON.stringify(lastHalf));
    assert.deepEqual(run.ejectedAfterPhase[2], failing, 'maxEjectionPercent 50 keeps the last two in use');
  });

  it('Istio\'s default (no maxRetries: 2^32−1 retries in flight): only the per-request attempts bound retries, up to 4× the traffic', async () => {
    const callers = 20;
    const run = await brownout((ports) => istioPlane(ports), callers, [
      { modes: ['ok', 'ok', 'ok', 'ok'], waves: 1 },
      { modes: ['503', '503', '503', '503'], waves: 8 },
    ]);
    const all = run.waves[1]!;
    // Every failed attempt with retries left is retried: far more retries in flight than Envoy's default 3.
    assert.ok(Math.max(...all.map((w) => w.retries)) > 3, JSON.stringify(all.map((w) => w.retries)));
    const attempts = total(run.waves.flat(), 'attempts');
    assert.ok(attempts <= run.started * 4, `${attempts} attempts for ${run.started} requests: never beyond 1 + attempts each`);
    assert.ok(total(all, 'retries') * 2 > total(all, 'attempts'), `most attempts of the brownout are retries: ${JSON.stringify(all)}`);
  });
});
