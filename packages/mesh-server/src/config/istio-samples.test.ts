// Istio's own BookInfo samples must apply unchanged: every document of a kind Inboard stores
// validates with zero errors, and every other document is reported as an unsupported kind (and
// skipped with skipUnsupported). The samples live outside the repository, in ../shared.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../../testing/spawn';
import { parseYamlDocuments } from './documents';
import { KINDS } from './resource';
import { formatIssue, validateDocuments } from './validate';

const SAMPLES = path.resolve(REPO_ROOT, '../shared/istio-samples');
const SAMPLE_DIRS = ['bookinfo/networking', 'bookinfo/security', 'bookinfo/platform', 'tasks', 'supporting'];
const STORED = new Set(KINDS.map((k) => `${k.group === '' ? '' : `${k.group}/`}|${k.kind}`));

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : []))
    .sort();
}

function isStoredKind(object: unknown): boolean {
  const { apiVersion, kind } = object as { apiVersion: string; kind: string };
  const group = apiVersion.includes('/') ? `${apiVersion.slice(0, apiVersion.lastIndexOf('/'))}/` : '';
  return STORED.has(`${group}|${kind}`);
}

describe('Istio samples apply unchanged', () => {
  if (!fs.existsSync(SAMPLES)) {
    it('finds the shared Istio samples', () => {
      assert.fail(`the Istio samples are missing: looked for ${SAMPLES} (REPO_ROOT/../shared/istio-samples); CI must place shared/ beside the clone`);
    });
    return;
  }

  for (const dir of SAMPLE_DIRS) {
    const root = path.join(SAMPLES, dir);
    it(`has samples in ${dir}`, () => assert.ok(fs.existsSync(root) && yamlFiles(root).length > 0, `no YAML files under ${root}`));
    if (!fs.existsSync(root)) continue;
    for (const file of yamlFiles(root)) {
      const name = path.relative(SAMPLES, file);
      it(name, () => {
        const docs = parseYamlDocuments(name, fs.readFileSync(file, 'utf8'));
        assert.ok(docs.length > 0, 'the file has documents');
        const stored = docs.filter((d) => isStoredKind(d.object));
        const others = docs.filter((d) => !isStoredKind(d.object));

        const strict = validateDocuments(docs);
        assert.deepEqual(strict.errors.filter((e) => e.code !== 'UNSUPPORTED_KIND').map(formatIssue), [], 'documents of stored kinds validate');
        assert.deepEqual(strict.resources.length, stored.length, 'every stored-kind document yields a resource');
        assert.deepEqual(
          strict.errors.map((e) => [e.index, e.path]),
          others.map((d) => [d.index, 'kind']),
          'every other document is an unsupported-kind error',
        );
        for (const e of strict.errors) assert.match(e.message, /^unsupported kind \S+ \(apiVersion \S+\); Inboard stores .*; use --skip-unsupported to skip them$/);

        const lenient = validateDocuments(docs, { skipUnsupported: true });
        assert.deepEqual(lenient.errors.map(formatIssue), []);
        assert.deepEqual(lenient.skipped.map((s) => s.index), others.map((d) => d.index));
        assert.equal(lenient.resources.length, stored.length);
      });
    }
  }

  it('reports the EnvoyFilter in productpage_envoy_ratelimit.yaml as unsupported', () => {
    const name = 'bookinfo/security/productpage_envoy_ratelimit.yaml';
    const out = validateDocuments(parseYamlDocuments(name, fs.readFileSync(path.join(SAMPLES, name), 'utf8')));
    assert.ok(out.errors.length > 0);
    for (const e of out.errors) {
      assert.equal(e.code, 'UNSUPPORTED_KIND');
      assert.match(e.message, /^unsupported kind EnvoyFilter \(apiVersion networking\.istio\.io\/v1alpha3\)/);
    }
  });

  it('keeps the Services of platform/bookinfo.yaml and skips its Deployments and ServiceAccounts', () => {
    const name = 'bookinfo/platform/bookinfo.yaml';
    const out = validateDocuments(parseYamlDocuments(name, fs.readFileSync(path.join(SAMPLES, name), 'utf8')), { skipUnsupported: true });
    assert.deepEqual(out.resources.map((r) => `${r.kind}/${r.metadata.name}`).sort(), ['Service/details', 'Service/productpage', 'Service/ratings', 'Service/reviews']);
    assert.deepEqual([...new Set(out.skipped.map((s) => s.kind))].sort(), ['Deployment', 'ServiceAccount']);
    assert.ok(out.skipped.some((s) => s.kind === 'Deployment' && s.name === 'reviews-v3' && s.apiVersion === 'apps/v1'));
  });
});
