// The dashboard end to end: `npm start`'s BookInfo (control plane, every service, the gateway as real
// processes) reports edge statistics to the control plane; traffic goes through the gateway; headless
// Chromium (Debian's `chromium`, playwright-core) opens http://<admin API>/dashboard/ and sees the
// graph productpage → reviews v1/v2/v3 → ratings in its edge table; a 100 % abort (500) on ratings
// turns the reviews → ratings edge red. The screenshot is saved as test-artifacts/dashboard-graph.png.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort, REPO_ROOT } from '../../../testing/spawn';
import { BookinfoUnderTest, CONFIG_SETS } from './e2e-harness';
import { subsetWeights } from './e2e-readers';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = path.join(REPO_ROOT, 'test-artifacts', 'dashboard-graph.png');
const DASHBOARD_INDEX = path.join(REPO_ROOT, 'packages/dashboard/dist/index.html');

/** Every caller gets a 500 from ratings (Istio's test-abort sample is for jason only). */
const RATINGS_ABORT_ALL = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
  namespace: default
spec:
  hosts:
  - ratings
  http:
  - fault:
      abort:
        percentage:
          value: 100
        httpStatus: 500
    route:
    - destination:
        host: ratings
        subset: v1
`;

/** Builds the dashboard when its dist is missing (bounded to two minutes). */
function buildDashboardIfMissing(): Promise<void> {
  if (fs.existsSync(DASHBOARD_INDEX)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    execFile('npm', ['run', 'build', '-w', '@inboard/dashboard'], { cwd: REPO_ROOT, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`npm run build -w @inboard/dashboard failed: ${error.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

/** The edge row from `source` to `destination` (workload names) in the page's edge table. */
function edgeRow(page: Page, source: string, destination: string) {
  return page.locator(`[data-testid="edge-row"][data-source="${source}"][data-destination="${destination}"]`);
}

describe('BookInfo e2e: the dashboard shows the live service graph', function () {
  this.timeout(90_000);
  let mesh: BookinfoUnderTest | undefined;
  let browser: Browser | undefined;

  before(async function () {
    this.timeout(180_000);
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: this test drives Debian's Chromium. Install it with \`apt-get update && apt-get install -y chromium\` (CI's .ci/run installs it).`);
    }
    await buildDashboardIfMissing();
    // The services learn where to report from INBOARD_ADMIN_API (inherited through start.ts), so
    // the admin API gets a known free port instead of port 0.
    const apiPort = await freePort();
    const previous = process.env['INBOARD_ADMIN_API'];
    process.env['INBOARD_ADMIN_API'] = `http://127.0.0.1:${apiPort}`;
    try {
      [mesh, browser] = await Promise.all([
        BookinfoUnderTest.start(['--quiet', '--api-port', String(apiPort)]),
        chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 }),
      ]);
    } finally {
      if (previous === undefined) delete process.env['INBOARD_ADMIN_API'];
      else process.env['INBOARD_ADMIN_API'] = previous;
    }
  });

  after(async function () {
    this.timeout(30_000);
    await browser?.close();
    if (mesh) assert.equal(await mesh.stop(), 0);
  });

  it('draws productpage → reviews v1/v2/v3 → ratings from traffic, and turns reviews → ratings red under a 100 % abort', async () => {
    const project = CONFIG_SETS[0]!;
    // No VirtualServices: productpage balances over every reviews version, v2 and v3 call ratings.
    await mesh!.resetTo([...project.services, project.gateway, project.destinationRuleAll]);
    await mesh!.waitForRoutes({ app: 'productpage' }, 'reviews.default.svc.cluster.local:9080', (json) => JSON.stringify(subsetWeights(json)) === '{"":100}');
    const traffic = async (n: number) => {
      for (let i = 0; i < n; i++) assert.equal((await mesh!.gateway('/productpage')).status, 200);
    };
    await traffic(40);

    const context = await browser!.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    try {
      const response = await page.goto(`${mesh!.apiUrl}/dashboard/`);
      assert.equal(response?.status(), 200);
      assert.equal(await page.title(), 'Inboard dashboard');
      for (const [source, destination] of [
        ['istio-ingressgateway', 'productpage-v1'],
        ['productpage-v1', 'details-v1'],
        ['productpage-v1', 'reviews-v1'],
        ['productpage-v1', 'reviews-v2'],
        ['productpage-v1', 'reviews-v3'],
        ['reviews-v2', 'ratings-v1'],
        ['reviews-v3', 'ratings-v1'],
      ] as const) {
        await edgeRow(page, source, destination).waitFor({ state: 'attached' });
      }
      assert.equal(await edgeRow(page, 'reviews-v1', 'ratings-v1').count(), 0, 'reviews v1 never calls ratings');
      const toV2 = edgeRow(page, 'productpage-v1', 'reviews-v2');
      assert.ok(Number(await toV2.getAttribute('data-rate')) > 0);
      assert.equal(await edgeRow(page, 'reviews-v2', 'ratings-v1').getAttribute('data-health'), 'healthy');

      const abortFile = path.join(mesh!.dataDir, 'ratings-abort-all.yaml');
      fs.writeFileSync(abortFile, RATINGS_ABORT_ALL);
      await mesh!.apply(abortFile);
      for (const version of ['v2', 'v3']) {
        await mesh!.waitForRoutes({ app: 'reviews', version }, 'ratings.default.svc.cluster.local:9080', (json) => json.includes('envoy.filters.http.fault'));
      }
      await traffic(40);
      await page.locator('[data-testid="edge-row"][data-source="reviews-v2"][data-destination="ratings-v1"][data-health="failing"]').waitFor({ state: 'attached' });
      const ratio = Number(await edgeRow(page, 'reviews-v2', 'ratings-v1').getAttribute('data-error-ratio'));
      assert.ok(ratio >= 0.1, `error ratio ${ratio} is red`);

      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      assert.ok(fs.statSync(SCREENSHOT).size > 10_000, 'a real screenshot');

      // The other views: a service's golden signals, the config with the new VirtualService, the clients.
      await page.click('[data-testid="edge-row"][data-source="reviews-v2"][data-destination="ratings-v1"] a');
      await page.locator('[data-testid="service-detail"][data-service="ratings"] [data-testid="spark-errors"]').waitFor();
      await page.click('[data-testid="tab-config"]');
      await page.locator('[data-testid="resource"][data-kind="VirtualService"][data-name="ratings"]').waitFor();
      await page.click('[data-testid="tab-clients"]');
      await page.locator('[data-testid="client-row"]').first().waitFor();
      await page.locator('[data-testid="reporter-row"]').first().waitFor();
      assert.ok((await page.locator('[data-testid="client-row"]').count()) >= 7, 'every service instance and the gateway are connected');
    } finally {
      await context.close();
      await mesh!.resetToBaseline(project);
    }
  });
});
