import assert from 'node:assert/strict';
import { requestId } from './request-id';

describe('pipeline/request-id', () => {
  it('gives version 4 UUIDs in the form crypto.randomUUID gives them', () => {
    for (let i = 0; i < 1000; i++) assert.match(requestId(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('never repeats, across refills of its random block', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(requestId());
    assert.equal(seen.size, 10_000);
  });

  it('draws every hex digit of the random part with the same odds', () => {
    const counts = new Map<string, number>();
    const n = 20_000;
    for (let i = 0; i < n; i++) for (const c of requestId().replace(/-/g, '').slice(0, 12)) counts.set(c, (counts.get(c) ?? 0) + 1);
    assert.equal(counts.size, 16);
    const expected = (n * 12) / 16;
    for (const [digit, count] of counts) assert.ok(Math.abs(count - expected) < expected * 0.05, `digit ${digit}: ${count} times, expected about ${expected}`);
  });
});
