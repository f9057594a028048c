import assert from 'node:assert/strict';
import { integerPercentToFraction, parseDuration, percentToFraction } from './durations';

describe('translate/durations', () => {
  const table: [string, { seconds: number; nanos: number } | undefined][] = [
    ['7s', { seconds: 7, nanos: 0 }],
    ['0.5s', { seconds: 0, nanos: 500_000_000 }],
    ['100ms', { seconds: 0, nanos: 100_000_000 }],
    ['1.5s', { seconds: 1, nanos: 500_000_000 }],
    ['3m', { seconds: 180, nanos: 0 }],
    ['1h30m', { seconds: 5400, nanos: 0 }],
    ['250us', { seconds: 0, nanos: 250_000 }],
    ['10ns', { seconds: 0, nanos: 10 }],
    ['0', { seconds: 0, nanos: 0 }],
    ['0s', { seconds: 0, nanos: 0 }],
    ['', undefined],
    ['5', undefined],
    ['-1s', undefined],
    ['1x', undefined],
    ['s', undefined],
  ];
  for (const [text, expected] of table) {
    it(`parses "${text}"`, () => assert.deepEqual(parseDuration(text), expected));
  }

  it('converts Istio percentages to parts per million, truncating like istiod', () => {
    assert.deepEqual(percentToFraction(100), { numerator: 1_000_000, denominator: 'MILLION' });
    assert.deepEqual(percentToFraction(0.1), { numerator: 1000, denominator: 'MILLION' });
    assert.deepEqual(percentToFraction(0.0001), { numerator: 1, denominator: 'MILLION' });
    assert.deepEqual(percentToFraction(0.57), { numerator: 5699, denominator: 'MILLION' }); // uint32(0.57 * 10000) in Go, too
    assert.deepEqual(percentToFraction(33.3333), { numerator: 333333, denominator: 'MILLION' });
  });

  it('converts the deprecated integer percentages to hundredths', () => {
    assert.deepEqual(integerPercentToFraction(50), { numerator: 50, denominator: 'HUNDRED' });
    assert.deepEqual(integerPercentToFraction(0), { numerator: 0, denominator: 'HUNDRED' });
  });
});
