// Test support for the BookInfo end-to-end tests: runs `npm start`'s entry (start.ts) on free ports,
// applies config with the real `inboard` CLI (in-process), waits for config to reach the clients
// (admin API /debug/syncz + /debug/config_dump), and talks HTTP through the ingress gateway.
// Config comes in two sets — the project's own YAML and Istio's original samples — so every
// scenario runs against both. Readers of pages and config dumps are in e2e-readers.ts.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { main as inboard } from '../../../packages/mesh-server/src/cli/main';
import { REPO_ROOT, spawnTs, stopProcess, waitForLine } from '../../../testing/spawn';
import { subsetWeights } from './e2e-readers';

/** The project's own mesh config. */
export const PROJECT_CONFIG = path.join(REPO_ROOT, 'examples/bookinfo/config');
/** Istio's samples (beside the repository, in CI too). */
export const ISTIO_SAMPLES = path.resolve(REPO_ROOT, '../shared/istio-samples');

/** The config files each scenario applies, by role. */
export interface ConfigSet {
  readonly name: 'project' | 'istio';
  /** Services (Istio's manifests also hold Deployments: applied with --skip-unsupported). */
  readonly services: readonly string[];
  readonly gateway: string;
  readonly destinationRuleAll: string;
  readonly allV1: string;
  readonly reviewsTestV2: string;
  readonly reviewsV3: string;
  readonly reviews50V3: string;
  readonly reviews8020: string;
  readonly reviews9010: string;
  readonly reviewsV2V3: string;
  readonly reviewsJasonV2V3: string;
  readonly ratingsTestDelay: string;
  readonly ratingsTestAbort: string;
  readonly detailsV2: string;
  readonly destinationRuleReviews: string;
  readonly faultDetails: string;
  readonly timeoutReviewsV2: string;
  readonly timeoutRatingsDelay: string;
  readonly timeoutReviewsV2Timeout: string;
  readonly circuitBreaker: string;
  readonly mirrorAllV1: string;
  readonly mirrorV2: string;
  readonly ingressHost: string;
}

const project = (file: string) => path.join(PROJECT_CONFIG, file);
const istio = (file: string) => path.join(ISTIO_SAMPLES, file);
const net = (file: string) => istio(`bookinfo/networking/${file}`);

/** Both config sets: every scenario is run with each. */
export const CONFIG_SETS: readonly ConfigSet[] = [
  {
    name: 'project',
    services: [project('services.yaml')],
    gateway: project('gateway.yaml'),
    destinationRuleAll: project('destination-rule-all.yaml'),
    allV1: project('virtual-service-all-v1.yaml'),
    reviewsTestV2: project('virtual-service-reviews-test-v2.yaml'),
    reviewsV3: project('virtual-service-reviews-v3.yaml'),
    reviews50V3: project('virtual-service-reviews-50-v3.yaml'),
    reviews8020: project('virtual-service-reviews-80-20.yaml'),
    reviews9010: project('virtual-service-reviews-90-10.yaml'),
    reviewsV2V3: project('virtual-service-reviews-v2-v3.yaml'),
    reviewsJasonV2V3: project('virtual-service-reviews-jason-v2-v3.yaml'),
    ratingsTestDelay: project('virtual-service-ratings-test-delay.yaml'),
    ratingsTestAbort: project('virtual-service-ratings-test-abort.yaml'),
    detailsV2: project('virtual-service-details-v2.yaml'),
    destinationRuleReviews: project('destination-rule-reviews.yaml'),
    faultDetails: project('fault-injection-details-v1.yaml'),
    timeoutReviewsV2: project('virtual-service-reviews-v2.yaml'),
    timeoutRatingsDelay: project('virtual-service-ratings-delay-2s.yaml'),
    timeoutReviewsV2Timeout: project('virtual-service-reviews-v2-timeout.yaml'),
    circuitBreaker: project('destination-rule-httpbin-circuit-breaker.yaml'),
    mirrorAllV1: project('httpbin-all-v1.yaml'),
    mirrorV2: project('httpbin-mirror-v2.yaml'),
    ingressHost: project('httpbin-gateway-host.yaml'),
  },
  {
    name: 'istio',
    services: [istio('bookinfo/platform/bookinfo.yaml'), istio('supporting/httpbin/httpbin.yaml')],
    gateway: net('bookinfo-gateway.yaml'),
    destinationRuleAll: net('destination-rule-all.yaml'),
    allV1: net('virtual-service-all-v1.yaml'),
    reviewsTestV2: net('virtual-service-reviews-test-v2.yaml'),
    reviewsV3: net('virtual-service-reviews-v3.yaml'),
    reviews50V3: net('virtual-service-reviews-50-v3.yaml'),
    reviews8020: net('virtual-service-reviews-80-20.yaml'),
    reviews9010: net('virtual-service-reviews-90-10.yaml'),
    reviewsV2V3: net('virtual-service-reviews-v2-v3.yaml'),
    reviewsJasonV2V3: net('virtual-service-reviews-jason-v2-v3.yaml'),
    ratingsTestDelay: net('virtual-service-ratings-test-delay.yaml'),
    ratingsTestAbort: net('virtual-service-ratings-test-abort.yaml'),
    detailsV2: net('virtual-service-details-v2.yaml'),
    destinationRuleReviews: net('destination-rule-reviews.yaml'),
    faultDetails: net('fault-injection-details-v1.yaml'),
    timeoutReviewsV2: istio('tasks/request-timeouts/reviews-v2.yaml'),
    timeoutRatingsDelay: istio('tasks/request-timeouts/ratings-delay-2s.yaml'),
    timeoutReviewsV2Timeout: istio('tasks/request-timeouts/reviews-v2-timeout-0.5s.yaml'),
    circuitBreaker: istio('tasks/circuit-breaking/destination-rule-httpbin.yaml'),
    mirrorAllV1: istio('tasks/mirroring/httpbin-all-v1.yaml'),
    mirrorV2: istio('tasks/mirroring/httpbin-mirror-v2.yaml'),
    ingressHost: istio('tasks/ingress/httpbin-gateway-host.yaml'),
  },
];

/** The state every scenario starts from and returns to: npm start's default config. */
export function baseline(set: ConfigSet): string[] {
  return [...set.services, set.gateway, set.destinationRuleAll, set.allV1];
}

/**
 * The mocha hooks of a suite that runs against one `npm start`: started before the suite with `args`,
 * stopped after it with an assertion that it exits 0 on SIGTERM. `use` receives the running instance.
 */
export function bookinfoForSuite(use: (mesh: BookinfoUnderTest) => void, args: readonly string[] = ['--quiet']): void {
  let mesh: BookinfoUnderTest | undefined;
  before(async function () {
    this.timeout(120_000);
    mesh = await BookinfoUnderTest.start(args);
    use(mesh);
  });
  after(async function () {
    this.timeout(30_000);
    if (mesh) assert.equal(await mesh.stop(), 0, 'npm start exits 0 on SIGTERM');
  });
}

/** Resolves once `check` returns a value (not undefined) — polled every `everyMs` — or rejects after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** An HTTP answer with its body as text. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A plain HTTP request (no keep-alive; any Host header), bounded by `timeoutMs`. */
export function httpRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : Buffer.from(options.body);
    const req = http.request(url, {
      method: options.method ?? 'GET',
      agent: false,
      headers: { ...(payload ? { 'content-length': String(payload.length) } : {}), ...options.headers },
      timeout: options.timeoutMs ?? 20_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${(options.timeoutMs ?? 20_000) / 1000} s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs the real `inboard` CLI in-process with `args`, capturing its output. */
export async function runInboard(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await inboard([...args], {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    stdin: process.stdin,
    env: {},
    cwd: REPO_ROOT,
    now: () => new Date(),
  });
  return { code, stdout, stderr };
}

/** The example running under test. */
export class BookinfoUnderTest {
  private log = '';
  private constructor(
    private readonly child: ChildProcess,
    /** http://127.0.0.1:PORT — the gateway's server for Gateway port 8080. */
    readonly gatewayUrl: string,
    readonly apiUrl: string,
    /** xDS address host:port, for in-process mesh clients of the tests. */
    readonly xdsAddress: string,
    readonly dataDir: string,
  ) {
    const keep = (c: Buffer) => (this.log = (this.log + c.toString()).slice(-2_000_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
  }

  /** Starts start.ts on free ports in a temp data dir; resolves once it printed the product page URL. */
  static async start(extraArgs: readonly string[] = []): Promise<BookinfoUnderTest> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-e2e-'));
    const child = spawnTs('examples/bookinfo/src/start.ts', [
      '--data-dir', dataDir, '--api-port', '0', '--xds-port', '0', '--ca-port', '0', '--gateway-port', '0', '--base-port', '0', ...extraArgs,
    ]);
    let early = '';
    const keepEarly = (c: Buffer) => (early += c.toString());
    child.stdout!.on('data', keepEarly);
    child.stderr!.on('data', keepEarly);
    try {
      const page = await waitForLine(child, /product page: (http:\/\/\S+)\/productpage/, 90_000);
      const line = async (pattern: RegExp) => (early.match(pattern) ?? (await waitForLine(child, pattern, 5_000)))[1]!;
      const api = await line(/admin API:\s+(http:\/\/\S+)/);
      const xds = await line(/xDS:\s+(\S+)/);
      const running = new BookinfoUnderTest(child, page[1]!, api, xds, dataDir);
      running.log = early;
      child.stdout!.off('data', keepEarly);
      child.stderr!.off('data', keepEarly);
      return running;
    } catch (error) {
      await stopProcess(child, 'SIGTERM', 10_000);
      throw error;
    }
  }

  /** Everything start.ts (and the processes it relays) printed. */
  output(): string {
    return this.log;
  }

  /** The admin token of the control plane. */
  token(): string {
    return fs.readFileSync(path.join(this.dataDir, 'admin-token'), 'utf8').trim();
  }

  /** Runs the real `inboard` CLI in-process against this control plane; throws on a non-zero exit. */
  async inboard(...args: string[]): Promise<string> {
    const { code, stdout, stderr } = await runInboard([...args, '--server', this.apiUrl, `--token=${this.token()}`]);
    if (code !== 0) throw new Error(`inboard ${args.join(' ')} exited ${code}:\n${stdout}${stderr}`);
    return stdout + stderr;
  }

  /** `inboard apply --skip-unsupported -f …` (Istio's manifests carry Deployments too). */
  apply(...files: string[]): Promise<string> {
    return this.inboard('apply', '--skip-unsupported', ...files.flatMap((f) => ['-f', f]));
  }

  /** Applies `files`, then deletes every networking resource they do not name — the state becomes exactly `files`. */
  async resetTo(files: readonly string[]): Promise<void> {
    await this.apply(...files);
    const kept = new Set<string>();
    for (const line of (await this.inboard('apply', '--skip-unsupported', '--dry-run', ...files.flatMap((f) => ['-f', f]))).split('\n')) {
      const m = line.match(/^(\S+\/\S+) (created|configured|unchanged)/);
      if (m) kept.add(m[1]!);
    }
    for (const plural of ['virtualservices', 'destinationrules', 'gateways']) {
      const list = await this.api<{ items: { kind: string; metadata: { name: string; namespace: string } }[] }>(`/apis/networking.istio.io/v1/${plural}`);
      for (const item of list.items) {
        if (kept.has(`${item.kind.toLowerCase()}.networking.istio.io/${item.metadata.name}`)) continue;
        await this.inboard('delete', plural, item.metadata.name, '-n', item.metadata.namespace);
      }
    }
  }

  /** GET JSON from the admin API. */
  async api<T>(pathAndQuery: string): Promise<T> {
    const answer = await httpRequest(new URL(pathAndQuery, this.apiUrl).href, { headers: { authorization: `Bearer ${this.token()}` } });
    if (answer.status !== 200) throw new Error(`GET ${pathAndQuery}: ${answer.status} ${answer.body}`);
    return JSON.parse(answer.body) as T;
  }

  /**
   * Waits until every connected client whose labels include `labels` has ACKed (family SYNCED) a
   * resource `name` of `family` whose JSON satisfies `check` — the config reached them and is in force.
   */
  async waitForConfig(labels: Readonly<Record<string, string>>, family: 'routes' | 'clusters' | 'listeners' | 'endpoints', name: string, check: (json: string) => boolean, timeoutMs = 15_000): Promise<void> {
    interface Syncz { clients: { proxy: { id: string; labels: Record<string, string> }; families: Record<string, { state: string }> }[] }
    await eventually(`${family} ${name} in force at clients ${JSON.stringify(labels)}`, async () => {
      const { clients } = await this.api<Syncz>('/debug/syncz');
      // Config streams only: a workload's registration stream carries the same labels but no config.
      const matching = clients.filter((c) => c.families['listeners']?.state !== 'NOT_SENT' && Object.entries(labels).every(([k, v]) => c.proxy.labels[k] === v));
      if (matching.length === 0) return undefined;
      for (const client of matching) {
        if (client.families[family]?.state !== 'SYNCED') return undefined;
        const dump = await this.api<Record<string, { name?: string; cluster_name?: string }[]>>(`/debug/config_dump?proxyID=${encodeURIComponent(client.proxy.id)}`);
        const resource = (dump[family] ?? []).find((r) => (r.name ?? r.cluster_name) === name);
        if (!resource || !check(JSON.stringify(resource))) return undefined;
      }
      return true;
    }, timeoutMs);
  }

  /** {@link waitForConfig} for a route table. */
  waitForRoutes(labels: Readonly<Record<string, string>>, routeName: string, check: (json: string) => boolean, timeoutMs = 15_000): Promise<void> {
    return this.waitForConfig(labels, 'routes', routeName, check, timeoutMs);
  }

  /**
   * Waits until the baseline (every service on v1) is in force where it matters: productpage's
   * routes to details and reviews, and the ratings route of the reviews versions that call it.
   */
  async waitForAllV1(): Promise<void> {
    const v1 = (json: string) => JSON.stringify(subsetWeights(json)) === '{"v1":100}' && !json.includes('envoy.filters.http.fault');
    await this.waitForRoutes({ app: 'productpage' }, 'details.default.svc.cluster.local:9080', v1);
    await this.waitForRoutes({ app: 'productpage' }, 'reviews.default.svc.cluster.local:9080', v1);
    await this.waitForRoutes({ app: 'reviews', version: 'v2' }, 'ratings.default.svc.cluster.local:9080', v1);
    await this.waitForRoutes({ app: 'reviews', version: 'v3' }, 'ratings.default.svc.cluster.local:9080', v1);
  }

  /** Resets to npm start's default config for `set` and waits until it is in force. */
  async resetToBaseline(set: ConfigSet): Promise<void> {
    await this.resetTo(baseline(set));
    await this.waitForAllV1();
  }

  /** A request through the gateway (Gateway port 8080): `path` with optional Host, cookie, method and body. */
  gateway(pathAndQuery: string, options: { host?: string; cookie?: string; method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<HttpAnswer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.host) headers['host'] = options.host;
    if (options.cookie) headers['cookie'] = options.cookie;
    if (options.body !== undefined) headers['content-type'] ??= 'application/x-www-form-urlencoded';
    return httpRequest(`${this.gatewayUrl}${pathAndQuery}`, { method: options.method ?? 'GET', headers, ...(options.body !== undefined ? { body: options.body } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  }

  /** Signs in through the gateway as Istio's task scripts do; resolves with the session cookie. */
  async login(user: string): Promise<string> {
    const answer = await this.gateway('/login', { method: 'POST', body: `username=${encodeURIComponent(user)}&passwd=password`, headers: { referer: `${this.gatewayUrl}/productpage` } });
    const cookie = [answer.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('session='));
    if (answer.status !== 302 || !cookie) throw new Error(`login as ${user}: ${answer.status}, set-cookie ${JSON.stringify(answer.headers['set-cookie'])}`);
    return cookie.split(';')[0]!;
  }

  /** The URL where the gateway serves Gateway port `configPort` (from its `listener … serving …` lines). */
  gatewayUrlFor(configPort: number, timeoutMs = 15_000): Promise<string> {
    return eventually(`a gateway listener for port ${configPort}`, async () => {
      const all = [...this.log.matchAll(new RegExp(`listener \\S+_${configPort} (serving (https?://\\S+)|closed)`, 'g'))];
      const last = all[all.length - 1];
      return last?.[2];
    }, timeoutMs);
  }

  /**
   * A copy of `file` with `from` replaced by `to`, kept in the data dir (removed by stop()) — how
   * slow scenarios are shortened: through config only, never by changing the services.
   */
  configVariant(file: string, from: string, to: string): string {
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes(from)) throw new Error(`${file} does not contain "${from}"`);
    const dir = fs.mkdtempSync(path.join(this.dataDir, 'variant-'));
    const out = path.join(dir, path.basename(file));
    fs.writeFileSync(out, text.replace(from, to));
    return out;
  }

  /** SIGTERMs start.ts (which stops everything) and resolves with its exit code; removes the data dir. */
  async stop(): Promise<number | null> {
    const code = await stopProcess(this.child, 'SIGTERM', 20_000);
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    return code;
  }
}
