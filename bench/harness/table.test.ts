import assert from 'node:assert/strict';
import { formatCount, formatDelta, formatMicros, formatRatio, renderMarkdown, renderText } from './table';

describe('tables and number formats', () => {
  const columns = [{ title: 'scenario', align: 'left' as const }, { title: 'req/s', align: 'right' as const }];

  it('aligns terminal columns to the widest cell', () => {
    assert.equal(renderText(columns, [['raw', '44,000'], ['haproxy hop', '9']]), ['scenario      req/s', '-----------  ------', 'raw          44,000', 'haproxy hop       9'].join('\n'));
  });

  it('renders Markdown with right-aligned number columns and escaped pipes', () => {
    assert.equal(renderMarkdown(columns, [['a|b', '1']]), ['| scenario | req/s |', '| --- | ---: |', '| a\\|b | 1 |'].join('\n'));
  });

  it('formats counts, µs, differences and ratios', () => {
    assert.equal(formatCount(18234.4), '18,234');
    assert.deepEqual([formatMicros(12.34), formatMicros(99.96), formatMicros(1234.5)], ['12.3', '100.0', '1,235']);
    assert.deepEqual([formatDelta(12.5), formatDelta(-3), formatDelta(1204)], ['+12.5', '−3.0', '+1,204']);
    assert.deepEqual([formatRatio(0.5, 0.5, 0.5), formatRatio(0.52, 0.5, 0.551)], ['0.50×', '0.52× (0.50–0.55)']);
  });
});
