// A real browser through the ingress gateway: headless Chromium (Debian's `chromium`, driven by
// playwright-core) loads the product page, signs in as jason with the page's own dialog, and sees
// reviews v2's black stars under the jason → v2 rule. The screenshot is saved as a test artifact
// (test-artifacts/bookinfo-jason.png).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO_ROOT } from '../../../testing/spawn';
import { BookinfoUnderTest, CONFIG_SETS } from './e2e-harness';

/** Debian's Chromium (CI installs the `chromium` package). */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = path.join(REPO_ROOT, 'test-artifacts', 'bookinfo-jason.png');

describe('BookInfo e2e: a real browser signs in as jason', function () {
  this.timeout(60_000);
  let mesh: BookinfoUnderTest | undefined;
  let browser: Browser | undefined;

  before(async function () {
    this.timeout(120_000);
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: this test drives Debian's Chromium. Install it with \`apt-get update && apt-get install -y chromium\` (CI's .ci/run installs it).`);
    }
    [mesh, browser] = await Promise.all([
      BookinfoUnderTest.start(['--quiet']),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 }),
    ]);
  });

  after(async function () {
    this.timeout(30_000);
    await browser?.close();
    if (mesh) assert.equal(await mesh.stop(), 0);
  });

  it('shows no stars before sign-in, and reviews v2 black stars for jason after it; saves a screenshot', async () => {
    const project = CONFIG_SETS[0]!;
    await mesh!.resetToBaseline(project);
    await mesh!.apply(project.reviewsTestV2);
    await mesh!.waitForRoutes({ app: 'productpage' }, 'reviews.default.svc.cluster.local:9080', (json) => json.includes('jason'));
    const context = await browser!.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    try {
      const response = await page.goto(`${mesh!.gatewayUrl}/productpage`);
      assert.equal(response?.status(), 200);
      assert.equal(await page.title(), 'Simple Bookstore App');
      assert.equal(await page.locator('.glyphicon-star').count(), 0, 'anonymous: reviews v1, no stars');

      await page.click('#sign-in-button');
      await page.fill('#username', 'jason');
      await page.fill('#password', 'password');
      await Promise.all([page.waitForURL('**/productpage'), page.click('#login-submit')]);

      assert.equal((await page.locator('nav .user span').textContent())?.trim(), 'jason');
      assert.equal(await page.locator('.glyphicon-star').count(), 9, '5 + 4 filled stars from reviews v2');
      assert.equal(await page.locator('.text-black-500').count(), 2, 'black, one star row per review');
      assert.equal(await page.locator('.text-red-500.flex').count(), 0, 'not v3');
      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      assert.ok(fs.statSync(SCREENSHOT).size > 10_000, 'a real screenshot');
    } finally {
      await context.close();
      await mesh!.resetToBaseline(project);
    }
  });
});
