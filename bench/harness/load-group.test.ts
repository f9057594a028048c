import assert from 'node:assert/strict';
import { HAPROXY } from '../proxies/haproxy';
import { GRPC_SCENARIOS } from '../scenarios/grpc';
import { HTTP_SCENARIOS } from '../scenarios/http';
import { describePath, validateScenarios, type LoadScenario } from './load-group';

const raw: LoadScenario = { id: 'raw', label: 'raw', driver: 'undici-pool', server: 'http' };

describe('load group rows', () => {
  it('the shipped groups have unique ids and baselines that exist', () => {
    for (const rows of [HTTP_SCENARIOS, GRPC_SCENARIOS]) validateScenarios(rows);
  });

  it('names the row at fault', () => {
    const cases: [LoadScenario[], RegExp][] = [
      [[raw, { ...raw }], /two rows have the id "raw"/],
      [[raw, { ...raw, id: 'hop', baseline: 'missing' }], /row "hop" names baseline "missing", which is not a row of the group/],
      [[{ ...raw, baseline: 'raw' }], /row "raw" names itself as its baseline/],
      [[raw, { ...raw, id: 'mesh', versus: ['sidecar'] }], /row "mesh" is set against "sidecar", which is not another row of the group/],
    ];
    for (const [rows, message] of cases) assert.throws(() => validateScenarios(rows), message);
  });

  it('describes the request path hop by hop', () => {
    assert.equal(describePath(raw), 'undici-pool → http server');
    assert.equal(describePath({ ...raw, proxy: { kind: HAPROXY, layout: 'client-side' } }), 'undici-pool → haproxy → http server');
    assert.equal(describePath({ ...raw, proxy: { kind: HAPROXY, layout: 'both-sides' } }), 'undici-pool → haproxy → haproxy → http server');
    assert.equal(describePath({ ...raw, driver: 'mesh-fetch', mesh: true }), 'mesh-fetch (in-process mesh) → http server');
  });
});
