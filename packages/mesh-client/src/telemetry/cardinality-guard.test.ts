import assert from 'node:assert/strict';
import { isMeshError } from '../errors';
import { CardinalityGuard, OTHER_LABEL_VALUE } from './cardinality-guard';

describe('telemetry/cardinality-guard', () => {
  it('admits the first K values of a budgeted label, then reports the rest as other and counts them', () => {
    const drops: string[] = [];
    const guard = new CardinalityGuard({ request_path: { maxValues: 2 } }, { onDrop: (label) => drops.push(label) });
    const seen = ['/a', '/b', '/c', '/a', '/d', '/b'].map((v) => guard.admit('request_path', v));
    assert.deepEqual(seen, ['/a', '/b', OTHER_LABEL_VALUE, '/a', OTHER_LABEL_VALUE, '/b']);
    assert.deepEqual(drops, ['request_path', 'request_path']);
    assert.equal(guard.admit('response_code', '418'), '418', 'labels without a budget pass');
  });

  it('always admits the allow-list, besides maxValues others', () => {
    const guard = new CardinalityGuard({ request_path: { maxValues: 0, allow: ['/productpage', '/login'] } });
    assert.equal(guard.admit('request_path', '/login'), '/login');
    assert.equal(guard.admit('request_path', '/productpage'), '/productpage');
    assert.equal(guard.admit('request_path', '/static/x.css'), OTHER_LABEL_VALUE);
  });

  it('follows the top K of the traffic when the admitted set is recomputed', () => {
    const guard = new CardinalityGuard({ request_path: { maxValues: 2 } }, { rebalanceEvery: 100 });
    // Two early, rare paths take the budget first …
    guard.admit('request_path', '/rare-1');
    guard.admit('request_path', '/rare-2');
    // … then the traffic is dominated by two others.
    const results: string[] = [];
    for (let i = 0; i < 98; i++) results.push(guard.admit('request_path', i % 2 === 0 ? '/hot-a' : '/hot-b'));
    assert.ok(results.every((r) => r === OTHER_LABEL_VALUE), 'before the recomputation the budget is spent');
    assert.deepEqual(guard.admitted('request_path'), ['/hot-a', '/hot-b']);
    assert.equal(guard.admit('request_path', '/hot-a'), '/hot-a');
    assert.equal(guard.admit('request_path', '/rare-1'), OTHER_LABEL_VALUE);
  });

  it('keeps memory bounded under a flood of distinct values', () => {
    const guard = new CardinalityGuard({ request_path: { maxValues: 3 } }, { rebalanceEvery: 50 });
    for (let i = 0; i < 300; i++) guard.admit('request_path', '/hot');
    for (let i = 0; i < 20_000; i++) guard.admit('request_path', `/scan/${i}`);
    for (let i = 0; i < 10; i++) guard.admit('request_path', '/hot');
    assert.ok(guard.admitted('request_path').length <= 3);
    const state = (guard as unknown as { states: Map<string, { counts: Map<string, number> }> }).states.get('request_path')!;
    assert.ok(state.counts.size <= 64, `tracked ${state.counts.size} values`);
  });

  it('apply() returns the same object when nothing changes and a copy with other otherwise', () => {
    const guard = new CardinalityGuard({ destination_service: { maxValues: 1 } });
    const first = { destination_service: 'a.example', response_code: '200' };
    assert.equal(guard.apply(first), first);
    const second = { destination_service: 'b.example', response_code: '200' };
    const applied = guard.apply(second);
    assert.notEqual(applied, second);
    assert.deepEqual(applied, { destination_service: OTHER_LABEL_VALUE, response_code: '200' });
    assert.equal(second.destination_service, 'b.example', 'the input is not mutated');
  });

  it('takes a new budget at run time, trimming to the most frequent values at once', () => {
    const guard = new CardinalityGuard({ request_path: { maxValues: 3 } });
    for (const [path, n] of [['/a', 5], ['/b', 9], ['/c', 1]] as const) for (let i = 0; i < n; i++) guard.admit('request_path', path);
    guard.setBudget({ request_path: { maxValues: 1 }, source_workload: { maxValues: 5 } });
    assert.deepEqual(guard.admitted('request_path'), ['/b']);
    assert.equal(guard.admit('request_path', '/a'), OTHER_LABEL_VALUE);
    assert.deepEqual(Object.keys(guard.budget()), ['request_path', 'source_workload']);
    guard.setBudget({});
    assert.equal(guard.admit('request_path', '/anything'), '/anything');
  });

  it('rejects a bad budget with INVALID_OPTIONS naming the entry and keeps the old one', () => {
    const guard = new CardinalityGuard({ request_path: { maxValues: 1 } });
    const cases: [unknown, RegExp][] = [
      [{ request_path: { maxValues: -1 } }, /labelBudget\.request_path\.maxValues must be an integer ≥ 0/],
      [{ request_path: { maxValues: 1.5 } }, /maxValues/],
      [{ request_path: { maxValues: 2, allow: [1] } }, /labelBudget\.request_path\.allow must be a list of strings/],
      [{ request_path: 3 }, /labelBudget\.request_path must be an object/],
      [[], /labelBudget must be an object/],
    ];
    for (const [budget, message] of cases) {
      assert.throws(() => guard.setBudget(budget as never), (e: unknown) => isMeshError(e, 'INVALID_OPTIONS') && message.test((e as Error).message));
    }
    assert.deepEqual(guard.budget(), { request_path: { maxValues: 1 } });
    assert.throws(() => new CardinalityGuard({}, { rebalanceEvery: 0 }), /rebalanceEvery must be a positive integer/);
  });
});
