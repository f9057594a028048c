import assert from 'node:assert/strict';
import { parseOptions } from './options';

describe('bench options', () => {
  it('has full-run defaults', () => {
    const options = parseOptions([]);
    assert.deepEqual(options.settings, { quick: false, durationMs: 4000, warmupMs: 2000, rounds: 3, concurrency: 16, rate: 1000, bodyBytes: 1024, pacer: 'precise', patienceMs: 60_000 });
    assert.deepEqual(options.only, []);
    assert.equal(options.pin, true);
  });

  it('shortens everything for --quick, and explicit flags still win', () => {
    const quick = parseOptions(['--quick']).settings;
    assert.deepEqual([quick.quick, quick.durationMs, quick.warmupMs, quick.rounds, quick.patienceMs], [true, 800, 300, 1, 0]);
    const custom = parseOptions(['--quick', '--duration', '2.5', '--rounds', '2', '--concurrency', '32', '--rate', '500', '--pacer', 'timer', '--requests', '1000']).settings;
    assert.deepEqual([custom.durationMs, custom.rounds, custom.concurrency, custom.rate, custom.pacer, custom.requests], [2500, 2, 32, 500, 'timer', 1000]);
  });

  it('splits --only and reads the switches', () => {
    const options = parseOptions(['--only', 'http, grpc', '--no-pin', '--markdown', '--out', 'x.json']);
    assert.deepEqual(options.only, ['http', 'grpc']);
    assert.deepEqual([options.pin, options.markdown, options.out], [false, true, 'x.json']);
  });

  it('names the flag at fault', () => {
    const cases: [string[], RegExp][] = [
      [['--duration', '0'], /--duration must be a positive number \(got "0"\)/],
      [['--rounds', '1.5'], /--rounds must be a positive integer/],
      [['--concurrency', 'many'], /--concurrency must be a positive integer/],
      [['--pacer', 'sleep'], /--pacer must be "precise" or "timer"/],
      [['--patience=-1'], /--patience must be a number ≥ 0/],
      [['--bogus'], /bogus/],
    ];
    for (const [argv, message] of cases) assert.throws(() => parseOptions(argv), message, argv.join(' '));
  });
});
