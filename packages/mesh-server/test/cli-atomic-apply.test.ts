// Integration: multi-document applies are atomic — one bad document stores nothing and every issue
// is printed with its file and document index; unsupported kinds are named, or skipped on request.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { apiCall, cliFor, removeDir, startControlPlaneProcess, tempDir, virtualServiceYaml, type ControlPlaneProcess } from './cli-harness';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews-v1
spec:
  replicas: 1
`;

describe('inboard apply: atomic batches and unsupported kinds (real processes)', function () {
  this.timeout(60_000);
  let work: string;
  let plane: ControlPlaneProcess;
  let cli: ReturnType<typeof cliFor>;
  const storedNames = async () => {
    const list = await apiCall(plane.url, 'GET', '/apis/networking.istio.io/v1/virtualservices');
    return list.body.items.map((r: { metadata: { name: string } }) => r.metadata.name);
  };

  before(async () => {
    work = tempDir();
    plane = await startControlPlaneProcess(path.join(work, '.inboard'));
    cli = cliFor(plane);
  });
  after(async () => {
    await plane?.stop();
    removeDir(work);
  });

  it('stores nothing when one document is invalid, and prints every issue with file and doc index', async () => {
    fs.writeFileSync(path.join(work, 'good.yaml'), virtualServiceYaml('productpage'));
    fs.writeFileSync(
      path.join(work, 'bad.yaml'),
      virtualServiceYaml('details') + '---\n' + virtualServiceYaml('reviews', { weight: -5 }) + '---\n' + virtualServiceYaml('ratings').replace('hosts:', 'hostz:'),
    );
    const run = await cli(['apply', '-f', 'good.yaml', '-f', 'bad.yaml']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trim().split('\n');
    assert.ok(lines.some((l) => l.startsWith('bad.yaml doc 2 VirtualService default/reviews: ') && /weight/.test(l) && /-5/.test(l)), run.stderr);
    assert.ok(lines.some((l) => l.startsWith('bad.yaml doc 3 ') && /hostz/.test(l)), run.stderr);
    assert.match(lines[lines.length - 1]!, /nothing was stored/);
    assert.deepEqual(await storedNames(), []);
    assert.equal((await apiCall(plane.url, 'GET', '/apis/networking.istio.io/v1/virtualservices')).body.metadata.resourceVersion, '0');
  });

  it('reports YAML syntax errors per file and sends nothing', async () => {
    fs.writeFileSync(path.join(work, 'broken.yaml'), 'kind: VirtualService\nmetadata: [unclosed\n');
    const run = await cli(['apply', '-f', 'good.yaml', '-f', 'broken.yaml']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /broken\.yaml/);
    assert.deepEqual(await storedNames(), []);
  });

  it('names unsupported kinds and rejects the batch, or skips them with --skip-unsupported', async () => {
    fs.writeFileSync(path.join(work, 'mixed.yaml'), virtualServiceYaml('reviews') + '---\n' + DEPLOYMENT);
    const rejected = await cli(['apply', '-f', 'mixed.yaml']);
    assert.equal(rejected.code, 1);
    assert.match(rejected.stderr, /mixed\.yaml doc 2 .*Deployment/);
    assert.match(rejected.stderr, /unsupported|not supported|does not store/i);
    assert.deepEqual(await storedNames(), []);

    const skipped = await cli(['apply', '--skip-unsupported', '-f', 'mixed.yaml']);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.deepEqual(skipped.stdout.trim().split('\n'), ['virtualservice.networking.istio.io/reviews created', 'skipped Deployment default/reviews-v1 (unsupported kind)']);
    assert.deepEqual(await storedNames(), ['reviews']);
  });
});
