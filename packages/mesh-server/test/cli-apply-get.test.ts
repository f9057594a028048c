// Integration: a real control plane process and real `inboard` CLI processes — apply, get in every
// output format, describe and delete.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { cliFor, removeDir, startControlPlaneProcess, tempDir, virtualServiceYaml, type CliRun, type ControlPlaneProcess } from './cli-harness';

const DESTINATION_RULE = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
`;

describe('inboard CLI against a real control plane: apply, get, describe, delete', function () {
  this.timeout(60_000);
  let work: string;
  let plane: ControlPlaneProcess;
  let cli: ReturnType<typeof cliFor>;

  const ok = (run: CliRun) => {
    assert.equal(run.code, 0, `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    return run;
  };

  before(async () => {
    work = tempDir();
    plane = await startControlPlaneProcess(path.join(work, '.inboard'));
    cli = cliFor(plane);
    fs.writeFileSync(path.join(work, 'reviews.yaml'), virtualServiceYaml('reviews') + '---\n' + DESTINATION_RULE);
    fs.mkdirSync(path.join(work, 'more'));
    fs.writeFileSync(path.join(work, 'more', 'ratings.yml'), virtualServiceYaml('ratings', { namespace: 'prod' }));
    fs.writeFileSync(path.join(work, 'more', 'details.json'), JSON.stringify(YAML.parse(virtualServiceYaml('details'))));
    fs.writeFileSync(path.join(work, 'more', 'notes.txt'), 'not config');
  });
  after(async () => {
    await plane?.stop();
    removeDir(work);
  });

  it('applies files, directories and stdin, reporting created / configured / unchanged like kubectl', async () => {
    const first = ok(await cli(['apply', '-f', 'reviews.yaml', '-f', 'more']));
    assert.deepEqual(first.stdout.trim().split('\n'), [
      'virtualservice.networking.istio.io/reviews created',
      'destinationrule.networking.istio.io/reviews created',
      'virtualservice.networking.istio.io/details created',
      'virtualservice.networking.istio.io/ratings created',
    ]);
    const again = ok(await cli(['apply', '-f', 'reviews.yaml']));
    assert.match(again.stdout, /virtualservice.networking.istio.io\/reviews unchanged/);
    const changed = ok(await cli(['apply', '-f', '-'], { stdin: virtualServiceYaml('reviews', { weight: 100 }) }));
    assert.equal(changed.stdout.trim(), 'virtualservice.networking.istio.io/reviews configured');
    const dry = ok(await cli(['apply', '--dry-run', '-f', '-'], { stdin: virtualServiceYaml('dry') }));
    assert.equal(dry.stdout.trim(), 'virtualservice.networking.istio.io/dry created (dry run)');
    assert.equal((await cli(['get', 'vs', 'dry'])).code, 1, 'a dry run stores nothing');
  });

  it('gets tables with per-kind columns, -A, -o wide, yaml and json', async () => {
    const table = ok(await cli(['get', 'virtualservices']));
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+GATEWAYS\s+HOSTS\s+AGE$/);
    assert.deepEqual(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3)), [['details', '<none>', 'details'], ['reviews', '<none>', 'reviews']]);
    assert.match(lines[1]!, /\s\d+s$/);

    const all = ok(await cli(['get', 'vs', '-A']));
    assert.match(all.stdout, /^NAMESPACE\s+NAME\s+GATEWAYS\s+HOSTS\s+AGE\n/);
    assert.match(all.stdout, /\nprod\s+ratings\s/);

    const dr = ok(await cli(['get', 'dr', '-o', 'wide']));
    assert.match(dr.stdout, /^NAME\s+HOST\s+SUBSETS\s+AGE\s+LOAD BALANCER\s+TLS MODE\n/);
    assert.match(dr.stdout, /\nreviews\s+reviews\s+v1,v2\s/);

    const yamlOne = YAML.parse(ok(await cli(['get', 'virtualservice', 'reviews', '-o', 'yaml'])).stdout);
    assert.equal(yamlOne.kind, 'VirtualService');
    assert.equal(yamlOne.spec.http[0].route[0].weight, 100);
    assert.match(yamlOne.metadata.resourceVersion, /^\d+$/);

    const jsonList = JSON.parse(ok(await cli(['get', 'vs', '-n', 'prod', '-o', 'json'])).stdout);
    assert.equal(jsonList.kind, 'List');
    assert.deepEqual(jsonList.items.map((r: { metadata: { name: string } }) => r.metadata.name), ['ratings']);

    const everything = ok(await cli(['get', 'all']));
    assert.match(everything.stdout, /virtualservice.networking.istio.io\/reviews/);
    assert.match(everything.stdout, /destinationrule.networking.istio.io\/reviews/);

    const empty = ok(await cli(['get', 'gateways']));
    assert.equal(empty.stdout, '');
    assert.match(empty.stderr, /No resources found in default namespace/);

    const workloads = ok(await cli(['get', 'workloads', '-A']));
    assert.match(workloads.stderr + workloads.stdout, /No resources found|NAME/);
  });

  it('describes a resource with its spec and analysis', async () => {
    const run = ok(await cli(['describe', 'dr', 'reviews']));
    assert.match(run.stdout, /^Name:\s+reviews$/m);
    assert.match(run.stdout, /^Kind:\s+DestinationRule$/m);
    assert.match(run.stdout, /^Spec:\n {2}host: reviews\n/m);
    assert.match(run.stdout, /^Analysis:\n/m);
  });

  it('deletes by kind and name and by file, and reports what is missing with exit 1', async () => {
    const byName = ok(await cli(['delete', 'vs', 'details']));
    assert.equal(byName.stdout.trim(), 'virtualservice.networking.istio.io "details" deleted');
    const byFile = ok(await cli(['delete', '-f', 'reviews.yaml']));
    assert.deepEqual(byFile.stdout.trim().split('\n'), ['virtualservice.networking.istio.io "reviews" deleted', 'destinationrule.networking.istio.io "reviews" deleted']);
    const missing = await cli(['delete', 'vs', 'reviews']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NotFound|NOT_FOUND/);
    assert.match(missing.stderr, /"reviews" not found/);
    ok(await cli(['delete', 'vs', 'reviews', '--ignore-not-found']));
    const left = JSON.parse(ok(await cli(['get', 'all', '-A', '-o', 'json'])).stdout);
    assert.deepEqual(left.items.map((r: { metadata: { name: string } }) => r.metadata.name), ['ratings']);
  });
});
