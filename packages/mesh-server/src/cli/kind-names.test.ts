import assert from 'node:assert/strict';
import { workloadNamed } from './commands/get';
import { qualifiedName, resolveKindArg } from './kind-names';

describe('cli kind names', () => {
  const table: [string, string][] = [
    ['vs', 'VirtualService'],
    ['virtualservices', 'VirtualService'],
    ['VirtualService', 'VirtualService'],
    ['virtualservice.networking.istio.io', 'VirtualService'],
    ['virtualservices.networking.istio.io', 'VirtualService'],
    ['dr', 'DestinationRule'],
    ['svc', 'Service'],
    ['ap', 'AuthorizationPolicy'],
  ];
  for (const [arg, kind] of table) {
    it(`${arg} → ${kind}`, () => {
      const target = resolveKindArg(arg, false);
      assert.equal(target.type === 'kind' && target.info.kind, kind);
    });
  }
  it('knows the pseudo kinds only where allowed', () => {
    assert.deepEqual(resolveKindArg('workloads', true), { type: 'workloads' });
    assert.deepEqual(resolveKindArg('all', true), { type: 'all' });
    assert.throws(() => resolveKindArg('all', false), /doesn't have a resource type "all"/);
  });
  it('rejects unknown kinds and mismatched groups with exit code 1', () => {
    assert.throws(() => resolveKindArg('deployments', true), (e: unknown) => (e as { exitCode: number }).exitCode === 1);
    assert.throws(() => resolveKindArg('virtualservice.security.istio.io', false), /resource type/);
  });
  it('qualifies names like kubectl', () => {
    assert.equal(qualifiedName('VirtualService', 'reviews'), 'virtualservice.networking.istio.io/reviews');
    assert.equal(qualifiedName('Service', 'reviews'), 'service/reviews');
  });
});

describe('workload names', () => {
  const table: [string, string, boolean][] = [
    ['reviews-v1-1', 'reviews-v1-1', true],
    ['WorkloadEntry/default/reviews-vm', 'reviews-vm', true],
    ['ServiceEntry/default/ext#api.example.com', 'ext', true],
    ['WorkloadEntry/default/reviews-vm', 'vm', false],
    ['reviews-v1-1', 'reviews', false],
  ];
  for (const [id, name, expected] of table) it(`${id} ${expected ? 'answers to' : 'is not'} ${name}`, () => assert.equal(workloadNamed(id, name), expected));
});
