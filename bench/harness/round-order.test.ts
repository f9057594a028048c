import assert from 'node:assert/strict';
import { HTTP_SCENARIOS } from '../scenarios/http';
import { roundOrder } from './round-order';

const ids = (rows: readonly { id: string }[]) => rows.map((row) => row.id);

describe('bench/harness/round-order', () => {
  const rows = [
    { id: 'raw' },
    { id: 'request', baseline: 'raw' },
    { id: 'fetch', baseline: 'raw' },
    { id: 'mesh-dispatcher', baseline: 'request' },
    { id: 'mesh-fetch', baseline: 'fetch' },
  ];

  it('measures a row that is its baseline\'s only dependant next to it, alternating which goes first', () => {
    assert.deepEqual(ids(roundOrder(rows, 0)), ['raw', 'request', 'mesh-dispatcher', 'fetch', 'mesh-fetch']);
    assert.deepEqual(ids(roundOrder(rows, 1)), ['mesh-dispatcher', 'request', 'mesh-fetch', 'fetch', 'raw']);
    assert.deepEqual(ids(roundOrder(rows, 2)), ['fetch', 'mesh-fetch', 'raw', 'request', 'mesh-dispatcher']);
  });

  it('keeps every row exactly once and rotates rows without pairs as before', () => {
    const plain = [{ id: 'a' }, { id: 'b', baseline: 'a' }, { id: 'c', baseline: 'a' }];
    assert.deepEqual(ids(roundOrder(plain, 1)), ['b', 'c', 'a']);
    const chain = [{ id: 'a' }, { id: 'b', baseline: 'a' }, { id: 'c', baseline: 'b' }];
    assert.deepEqual(ids(roundOrder(chain, 0)), ['a', 'b', 'c'], 'b pairs with a; c follows alone');
    for (let round = 0; round < 6; round++) {
      assert.deepEqual(ids(roundOrder(HTTP_SCENARIOS, round)).sort(), ids(HTTP_SCENARIOS).sort());
    }
  });

  it('puts each mesh front end of the http group next to the raw client it wraps in every round', () => {
    for (let round = 0; round < 4; round++) {
      const order = ids(roundOrder(HTTP_SCENARIOS, round));
      for (const row of HTTP_SCENARIOS.filter((scenario) => scenario.mesh)) {
        assert.equal(Math.abs(order.indexOf(row.id) - order.indexOf(row.baseline!)), 1, `${row.id} next to ${row.baseline} in round ${round}`);
      }
    }
  });
});
