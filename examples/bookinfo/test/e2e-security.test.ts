// End to end, on a running `npm start` (every process with its own workload certificate): Istio's
// "Authorization for HTTP traffic" (AC-18) and "Mutual TLS migration" (AC-17) tasks, through the
// ingress gateway and from in-test callers — with the project's YAML and with Istio's originals.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { connect, type Mesh } from '@inboard/mesh-client';
import { parseYamlDocuments } from '@inboard/mesh-server';
import { BookinfoUnderTest, CONFIG_SETS, ISTIO_SAMPLES, PROJECT_CONFIG, eventually, runInboard, type HttpAnswer } from './e2e-harness';
import { reviewsShown } from './e2e-readers';

/** The security config of each set, by role. */
const SECURITY = {
  project: {
    allowNothing: path.join(PROJECT_CONFIG, 'authz-allow-nothing.yaml'),
    productpageViewer: path.join(PROJECT_CONFIG, 'authz-productpage-viewer.yaml'),
    detailsViewer: path.join(PROJECT_CONFIG, 'authz-details-viewer.yaml'),
    reviewsViewer: path.join(PROJECT_CONFIG, 'authz-reviews-viewer.yaml'),
    ratingsViewer: path.join(PROJECT_CONFIG, 'authz-ratings-viewer.yaml'),
    strictNamespace: path.join(PROJECT_CONFIG, 'peer-authentication-strict-namespace.yaml'),
    strictMesh: path.join(PROJECT_CONFIG, 'peer-authentication-strict-mesh.yaml'),
  },
  istio: {
    allowNothing: path.join(ISTIO_SAMPLES, 'bookinfo/security/authz-http/allow-nothing.yaml'),
    productpageViewer: path.join(ISTIO_SAMPLES, 'bookinfo/security/authz-http/productpage-viewer.yaml'),
    detailsViewer: path.join(ISTIO_SAMPLES, 'bookinfo/security/authz-http/details-viewer.yaml'),
    reviewsViewer: path.join(ISTIO_SAMPLES, 'bookinfo/security/authz-http/reviews-viewer.yaml'),
    ratingsViewer: path.join(ISTIO_SAMPLES, 'bookinfo/security/authz-http/ratings-viewer.yaml'),
    // Istio's task applies these with `kubectl apply -n foo` / `-n istio-system`; they name no namespace.
    strictNamespace: path.join(ISTIO_SAMPLES, 'bookinfo/security/mtls-migration/peer-authentication-strict-namespace.yaml'),
    strictMesh: path.join(ISTIO_SAMPLES, 'bookinfo/security/mtls-migration/peer-authentication-strict-mesh.yaml'),
  },
} as const;
type SecurityRole = keyof typeof SECURITY.project;

const [PROJECT, ISTIO] = [CONFIG_SETS[0]!, CONFIG_SETS[1]!];
const DENIED = 'RBAC: access denied';

/** kind/namespace/name → spec of every document of `file`. */
function specs(file: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { object } of parseYamlDocuments(file, fs.readFileSync(file, 'utf8'))) {
    const o = object as { kind: string; metadata: { name: string; namespace?: string }; spec: unknown };
    out[`${o.kind}/${o.metadata.name}`] = o.spec;
  }
  return out;
}

/** A plain HTTP GET with no mesh at all (Istio's sleep in the `legacy` namespace): the status, or the socket error. */
function legacyGet(address: string, port: number, pathAndQuery: string): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = http.request({ host: address, port, path: pathAndQuery, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end();
  });
}

describe('BookInfo e2e: authorization and mutual TLS (AC-17, AC-18)', function () {
  this.timeout(60_000);
  let mesh: BookinfoUnderTest;
  const callers: Mesh[] = [];

  before(async function () {
    this.timeout(120_000);
    mesh = await BookinfoUnderTest.start(['--quiet']);
  });

  after(async function () {
    this.timeout(30_000);
    await Promise.all(callers.map((c) => c.close()));
    if (mesh) assert.equal(await mesh.stop(), 0, 'npm start exits 0 on SIGTERM');
  });

  /** Deletes every AuthorizationPolicy and PeerAuthentication, and resets the networking config to npm start's. */
  async function resetSecurity(): Promise<void> {
    for (const plural of ['authorizationpolicies', 'peerauthentications']) {
      const list = await mesh.api<{ items: { metadata: { name: string; namespace: string } }[] }>(`/apis/security.istio.io/v1/${plural}`);
      for (const item of list.items) await mesh.inboard('delete', plural, item.metadata.name, '-n', item.metadata.namespace);
    }
    await mesh.resetToBaseline(PROJECT);
  }

  /** `file` applied into `namespace`, as `kubectl apply -n NS` does for a document that names none. */
  function inNamespace(file: string, namespace: string): string {
    const text = fs.readFileSync(file, 'utf8');
    if (/^\s+namespace:/m.test(text)) return file;
    return mesh.configVariant(file, '  name: default\n', `  name: default\n  namespace: ${namespace}\n`);
  }

  /** Waits until details' inbound listener (what `inboard proxy-config` shows) says `mode`, decided by `policy`. */
  async function detailsInboundMode(mode: string, policy: string): Promise<void> {
    const { address, port } = await detailsAddress();
    await mesh.waitForConfig({ app: 'details' }, 'listeners', `xds.istio.io/grpc/lds/inbound/${address}:${port}`,
      (json) => new RegExp(`mtls_mode\\W+(string_value\\W+)?${mode}\\b`).test(json) && json.includes(policy));
  }

  /** A workload token for `serviceAccount` in `namespace`, made by the real `inboard token create`. */
  async function workloadToken(namespace: string, serviceAccount: string): Promise<string> {
    const { code, stdout, stderr } = await runInboard(['token', 'create', '-n', namespace, '--service-account', serviceAccount, '--ttl', '1h', '--data-dir', mesh.dataDir]);
    assert.equal(code, 0, `inboard token create: ${stdout}${stderr}`);
    return stdout.trim();
  }

  /** An in-test meshed caller holding a certificate for `serviceAccount` (default namespace); it serves nothing. */
  async function meshCaller(serviceAccount: string): Promise<Mesh> {
    const caAddress = mesh.output().match(/certificate signing (\S+?),/)?.[1];
    assert.ok(caAddress, 'npm start prints where certificate signing listens');
    const caller = connect({
      controlPlane: mesh.xdsAddress,
      service: `e2e-${serviceAccount}`,
      serviceAccount,
      mtls: { token: await workloadToken('default', serviceAccount), caRootFile: path.join(mesh.dataDir, 'mesh-root.pem'), caAddress },
    });
    callers.push(caller);
    await caller.ready;
    await caller.mtls.whenReady();
    return caller;
  }

  /** Where details-v1-1 registered itself (the admin API's workload list). */
  async function detailsAddress(): Promise<{ address: string; port: number }> {
    interface Workloads { items: { address: string; labels: Record<string, string>; ports: Record<string, number> }[] }
    const { items } = await mesh.api<Workloads>('/apis/inboard.io/v1/workloads?namespace=default');
    const details = items.find((w) => w.labels['app'] === 'details');
    assert.ok(details, 'details is registered');
    const port = Object.values(details.ports)[0];
    assert.ok(port, 'details registered a port');
    return { address: details.address, port };
  }

  /** The product page once `ready(page)` holds (polled, bounded). */
  function pageWhen(what: string, ready: (page: HttpAnswer) => boolean, timeoutMs = 15_000): Promise<HttpAnswer> {
    return eventually(what, async () => {
      const page = await mesh.gateway('/productpage');
      return ready(page) ? page : undefined;
    }, timeoutMs);
  }

  describe('AC-18 authorization for HTTP traffic', () => {
    before(() => resetSecurity());
    afterEach(() => resetSecurity());

    for (const set of ['project', 'istio'] as const) {
      const files = SECURITY[set];
      const reviewsV3 = set === 'project' ? PROJECT.reviewsV3 : ISTIO.reviewsV3;

      it(`${set} YAML: allow-nothing → 403; + productpage-viewer → page with both errors; + details/reviews-viewer → ratings unavailable; + ratings-viewer → stars`, async function () {
        this.timeout(80_000);
        // As Istio's test.sh: reviews v3 always calls ratings, so the ratings step shows.
        await mesh.apply(reviewsV3);
        await pageWhen('reviews v3 (red stars)', (p) => p.status === 200 && reviewsShown(p.body) === 'v3');

        await mesh.apply(files.allowNothing);
        const denied = await pageWhen('403 at the product page', (p) => p.status === 403);
        assert.equal(denied.body, DENIED);
        assert.equal(denied.headers['x-inboard-response-flags'], 'RBAC', 'denied by productpage\'s RBAC filter, passed on by the gateway');

        await mesh.apply(files.productpageViewer);
        const errors = await pageWhen('the page with both errors', (p) => p.status === 200);
        for (const text of ['The Comedy of Errors', 'Error fetching product details', 'Error fetching product reviews']) assert.ok(errors.body.includes(text), text);
        assert.equal((await mesh.gateway('/api/v1/products/0')).status, 403, 'productpage passes details\' 403 through');
        const post = await mesh.gateway('/productpage', { method: 'POST', body: 'x=1' });
        assert.deepEqual([post.status, post.body], [403, DENIED], 'productpage-viewer allows GET only');

        await mesh.apply(files.detailsViewer, files.reviewsViewer);
        const noRatings = await pageWhen('details and reviews (ratings denied)', (p) => p.status === 200 && !p.body.includes('Error fetching'));
        assert.ok(noRatings.body.includes('PublisherA'), 'details shown');
        assert.ok(noRatings.body.includes('Book Reviews'), 'reviews shown');
        assert.equal(reviewsShown(noRatings.body), 'ratings-error', 'reviews → ratings is still denied');

        await mesh.apply(files.ratingsViewer);
        const stars = await pageWhen('stars', (p) => p.status === 200 && reviewsShown(p.body) === 'v3');
        for (const text of ['Book Details', 'Book Reviews', 'PublisherA']) assert.ok(stars.body.includes(text), text);
        for (let i = 0; i < 5; i++) assert.equal(reviewsShown((await mesh.gateway('/productpage')).body), 'v3', 'stable');
      });
    }

    it('details-viewer admits productpage\'s identity only: another mesh identity and a plaintext caller get 403', async function () {
      this.timeout(40_000);
      await mesh.apply(SECURITY.project.allowNothing, SECURITY.project.detailsViewer);
      const asProductpage = await meshCaller('bookinfo-productpage');
      const asRatings = await meshCaller('bookinfo-ratings');
      const fromProductpage = await eventually('details to admit productpage\'s identity', async () => {
        const answer = await asProductpage.fetch('http://details:9080/details/0');
        return answer.status === 200 ? answer.json() : undefined;
      });
      assert.equal((fromProductpage as { publisher?: string }).publisher, 'PublisherA');
      const fromRatings = await asRatings.fetch('http://details:9080/details/0');
      assert.deepEqual([fromRatings.status, await fromRatings.text()], [403, DENIED], 'sa/bookinfo-ratings is not productpage');
      const post = await asProductpage.fetch('http://details:9080/details/0', { method: 'POST', body: '{}' });
      assert.equal(post.status, 403, 'details-viewer allows GET only');
      const { address, port } = await detailsAddress();
      const plaintext = await legacyGet(address, port, '/details/0');
      assert.deepEqual([plaintext.status, plaintext.body], [403, DENIED], 'a plaintext caller has no principal');
    });
  });

  describe('AC-17 mutual TLS migration', () => {
    before(() => resetSecurity());
    afterEach(() => resetSecurity());

    for (const set of ['project', 'istio'] as const) {
      it(`${set} YAML: PERMISSIVE serves the legacy client; STRICT (namespace, then mesh-wide) refuses it while the page keeps working; deleting restores it`, async function () {
        this.timeout(80_000);
        const { address, port } = await detailsAddress();
        const legacyServed = async () => {
          const answer = await legacyGet(address, port, '/details/0');
          return answer.status === 200 ? answer : undefined;
        };
        const legacyRefused = async () => {
          const answer = await legacyGet(address, port, '/details/0');
          return answer.status === undefined ? answer.error : undefined;
        };
        const pageOk = async () => {
          for (let i = 0; i < 5; i++) {
            const page = await mesh.gateway('/productpage');
            assert.equal(page.status, 200);
            assert.ok(!page.body.includes('Error fetching'), 'every hop works');
            assert.equal(reviewsShown(page.body), 'v1');
          }
        };

        // A meshed caller without a workload certificate (mtls disabled) sends plaintext too.
        const meshLegacy = connect({ controlPlane: mesh.xdsAddress, service: 'e2e-legacy', mtls: { enabled: false } });
        callers.push(meshLegacy);
        await meshLegacy.ready;
        const meshLegacyStatus = async () => (await meshLegacy.fetch('http://details:9080/details/0')).status;

        const served = await eventually('the legacy client to be served (PERMISSIVE)', legacyServed);
        assert.equal(JSON.parse(served.body!).publisher, 'PublisherA');
        assert.equal(await eventually('the mesh client without identity to reach details', async () => ((await meshLegacyStatus()) === 200 ? 200 : undefined)), 200);
        await pageWhen('every hop to work', (p) => p.status === 200 && !p.body.includes('Error fetching'));
        await pageOk();

        await mesh.apply(inNamespace(SECURITY[set].strictNamespace, 'default'));
        const refused = await eventually('the legacy client to be refused (STRICT in default)', legacyRefused);
        assert.match(refused, /ECONNRESET|ECONNREFUSED|EPIPE|socket hang up/);
        await detailsInboundMode('STRICT', 'PeerAuthentication/default/default');
        assert.equal(await meshLegacyStatus(), 503, 'a mesh client without identity is refused as well (upstream connect error)');
        await pageOk();

        await mesh.inboard('delete', 'peerauthentications', 'default', '-n', 'default');
        await eventually('the legacy client to be served again', legacyServed);
        await mesh.apply(inNamespace(SECURITY[set].strictMesh, 'istio-system'));
        await eventually('the legacy client to be refused (STRICT mesh-wide)', legacyRefused);
        await detailsInboundMode('STRICT', 'PeerAuthentication/istio-system/default');
        await pageOk();

        await mesh.inboard('delete', 'peerauthentications', 'default', '-n', 'istio-system');
        await eventually('the legacy client to be served after the delete', legacyServed);
        await detailsInboundMode('PERMISSIVE', '');
        await pageOk();
      });
    }
  });

  describe('mutual TLS on every hop', () => {
    it('the dashboard graph reports gateway → productpage → details and reviews as mutual_tls', async function () {
      interface Graph { edges: { source: string; destinationService: string; mtls: string }[] }
      await pageWhen('the product page', (page) => page.status === 200);
      const hops = await eventually('the gateway and productpage edges in the telemetry graph', async () => {
        const { edges } = await mesh.api<Graph>('/apis/inboard.io/v1/telemetry/graph?window=60s');
        const hop = (source: string, service: string) => edges.find((e) => e.source === source && e.destinationService.startsWith(`${service}.`));
        const found = [hop('istio-system/istio-ingressgateway', 'productpage'), hop('default/productpage-v1', 'details'), hop('default/productpage-v1', 'reviews')];
        return found.every((e) => e !== undefined) ? found : undefined;
      }, 30_000);
      for (const edge of hops) assert.equal(edge!.mtls, 'mutual_tls', `${edge!.source} → ${edge!.destinationService}`);
    });
  });

  describe('the project\'s security YAML', () => {
    it('means the same as Istio\'s originals (kinds, names, specs)', () => {
      for (const role of Object.keys(SECURITY.project) as SecurityRole[]) {
        assert.deepEqual(specs(SECURITY.project[role]), specs(SECURITY.istio[role]), role);
      }
    });
  });
});
