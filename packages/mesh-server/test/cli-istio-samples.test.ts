// Integration: every Istio BookInfo networking and security sample applies unchanged through the
// CLI and reads back equal; files with kinds the mesh does not store are named, or skipped on request.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { resourcePath } from '../src/api/resource-paths';
import { findKind, KINDS } from '../src/config/resource';
import { apiCall, cliFor, ISTIO_SAMPLES, removeDir, startControlPlaneProcess, tempDir, type ControlPlaneProcess } from './cli-harness';

interface SampleDoc {
  readonly file: string;
  readonly key: string;
  readonly object: { kind: string; metadata: { name: string; namespace?: string }; spec: unknown };
}

function sampleFiles(): string[] {
  const dirs = ['bookinfo/networking', 'bookinfo/security', 'bookinfo/security/authz-http', 'bookinfo/security/mtls-migration'];
  return dirs.flatMap((dir) =>
    fs
      .readdirSync(path.join(ISTIO_SAMPLES, dir))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(ISTIO_SAMPLES, dir, f)),
  );
}

function documentsOf(file: string): SampleDoc[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((d) => d.toJSON())
    .filter((o) => o && typeof o === 'object')
    .map((object) => ({ file, key: `${object.kind}/${object.metadata.namespace ?? 'default'}/${object.metadata.name}`, object }));
}

/** Packs files into as few batches as possible with no resource key twice in a batch (one apply each). */
function batches(files: readonly string[]): string[][] {
  const packed: { files: string[]; keys: Set<string> }[] = [];
  for (const file of files) {
    const keys = documentsOf(file).map((d) => d.key);
    const fits = packed.find((b) => keys.every((k) => !b.keys.has(k)));
    const batch = fits ?? (packed.push({ files: [], keys: new Set() }), packed[packed.length - 1]!);
    batch.files.push(file);
    keys.forEach((k) => batch.keys.add(k));
  }
  return packed.map((b) => b.files);
}

describe('Istio BookInfo samples through the CLI (real processes)', function () {
  this.timeout(90_000);
  let work: string;
  let plane: ControlPlaneProcess;
  let cli: ReturnType<typeof cliFor>;

  before(async () => {
    work = tempDir();
    plane = await startControlPlaneProcess(path.join(work, '.inboard'));
    cli = cliFor(plane);
  });
  after(async () => {
    await plane?.stop();
    removeDir(work);
  });

  it('finds the samples', () => {
    assert.ok(sampleFiles().length >= 25, `samples missing under ${ISTIO_SAMPLES}`);
  });

  it('applies every supported sample unchanged, each file once, and gets every resource back equal', async () => {
    const files = sampleFiles();
    const supported = files.filter((f) => documentsOf(f).every((d) => findKind(d.object.kind)?.kind === d.object.kind));
    const unsupported = files.filter((f) => !supported.includes(f));
    assert.deepEqual(unsupported.map((f) => path.basename(f)), ['productpage_envoy_ratelimit.yaml']);

    const storedSpecs = async (): Promise<Map<string, unknown>> => {
      const lists = await Promise.all(KINDS.map((k) => apiCall(plane.url, 'GET', resourcePath(k))));
      return new Map(lists.flatMap((l) => l.body.items).map((r: SampleDoc['object']) => [`${r.kind}/${r.metadata.namespace}/${r.metadata.name}`, r.spec]));
    };
    const lastApplied = new Map<string, SampleDoc>();
    for (const batch of batches(supported)) {
      const run = await cli(['apply', ...batch.flatMap((f) => ['-f', f])]);
      assert.equal(run.code, 0, `apply ${batch.map((f) => path.basename(f)).join(' ')}\n${run.stderr}`);
      const expected = batch.flatMap(documentsOf);
      assert.equal(run.stdout.trim().split('\n').length, expected.length, run.stdout);
      const stored = await storedSpecs();
      for (const doc of expected) {
        assert.deepEqual(stored.get(doc.key), doc.object.spec, `${doc.key} from ${path.basename(doc.file)}`);
        lastApplied.set(doc.key, doc);
      }
    }

    // And back through the CLI: every resource, as last applied.
    const got = await cli(['get', 'all', '-A', '-o', 'yaml']);
    assert.equal(got.code, 0, got.stderr);
    const items = (YAML.parse(got.stdout).items as SampleDoc['object'][]).map((r) => [`${r.kind}/${r.metadata.namespace}/${r.metadata.name}`, r.spec] as const);
    assert.deepEqual(new Map(items), new Map([...lastApplied].map(([key, doc]) => [key, doc.object.spec])));
  });

  it('names the unsupported kind of the rate-limit sample, and skips it on request', async () => {
    const file = path.join(ISTIO_SAMPLES, 'bookinfo/security/productpage_envoy_ratelimit.yaml');
    const rejected = await cli(['apply', '-f', file]);
    assert.equal(rejected.code, 1);
    assert.match(rejected.stderr, /EnvoyFilter/);
    const skipped = await cli(['apply', '--skip-unsupported', '-f', file]);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.equal(skipped.stdout.trim().split('\n').filter((l) => /^skipped EnvoyFilter istio-system\//.test(l)).length, 2, skipped.stdout);
  });

  it('applies the Services of the BookInfo platform file with --skip-unsupported', async () => {
    const file = path.join(ISTIO_SAMPLES, 'bookinfo/platform/bookinfo.yaml');
    const run = await cli(['apply', '--skip-unsupported', '-f', file]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^service\/reviews created$/m);
    assert.match(run.stdout, /^skipped Deployment default\/reviews-v1 \(unsupported kind\)$/m);
    const services = await apiCall(plane.url, 'GET', '/api/v1/namespaces/default/services');
    assert.deepEqual(services.body.items.map((s: { metadata: { name: string } }) => s.metadata.name).sort(), ['details', 'productpage', 'ratings', 'reviews']);
  });
});
