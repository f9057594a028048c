import assert from 'node:assert/strict';
import { formatAge, formatLabels, joinList, renderTable } from './table';

describe('cli table', () => {
  it('renders kubectl-style columns: padded, three spaces apart, <none> for empty cells', () => {
    const text = renderTable(['NAME', 'HOSTS', 'AGE'], [['reviews', 'reviews', '5s'], ['productpage-long', '', '10m']]);
    assert.equal(text, ['NAME               HOSTS     AGE', 'reviews            reviews   5s', 'productpage-long   <none>    10m', ''].join('\n'));
  });

  describe('formatAge follows kubectl HumanDuration', () => {
    const now = new Date('2026-01-10T00:00:00Z');
    const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();
    const table: [number, string][] = [
      [0, '0s'],
      [59, '59s'],
      [119, '119s'],
      [120, '2m'],
      [150, '2m30s'],
      [600, '10m'],
      [179 * 60, '179m'],
      [3 * 3600, '3h'],
      [3 * 3600 + 20 * 60, '3h20m'],
      [8 * 3600, '8h'],
      [47 * 3600, '47h'],
      [48 * 3600, '2d'],
      [50 * 3600, '2d2h'],
      [8 * 86400, '8d'],
      [400 * 86400, '400d'],
      [731 * 86400, '2y1d'],
      [9 * 365 * 86400, '9y'],
      [-30, '0s'],
    ];
    for (const [seconds, expected] of table) it(`${seconds}s → ${expected}`, () => assert.equal(formatAge(ago(seconds), now), expected));
    it('unknown for a missing or bad timestamp', () => {
      assert.equal(formatAge(undefined, now), '<unknown>');
      assert.equal(formatAge('yesterday', now), '<unknown>');
    });
  });

  it('formats labels and cuts long lists', () => {
    assert.equal(formatLabels({ app: 'reviews', version: 'v1' }), 'app=reviews,version=v1');
    assert.equal(formatLabels(undefined), '');
    assert.equal(joinList(['a', 'b']), 'a,b');
    assert.equal(joinList(['a', 'b', 'c', 'd', 'e', 'f'], 4), 'a,b,c,d + 2 more...');
  });
});
