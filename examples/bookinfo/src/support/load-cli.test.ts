// Unit tests of the load client's fortio-style command line.
import assert from 'node:assert/strict';
import { parseGoDuration, parseLoadArgs } from './load-cli';

describe('load client command line', function () {
  it('parses Go durations', function () {
    assert.equal(parseGoDuration('5s'), 5000);
    assert.equal(parseGoDuration('1m30s'), 90_000);
    assert.equal(parseGoDuration('250ms'), 250);
    assert.equal(parseGoDuration('0'), 0);
    assert.throws(() => parseGoDuration('5'), /not a duration/);
    assert.throws(() => parseGoDuration('5x'), /not a duration/);
  });

  it('parses fortio flags with single dashes', function () {
    const command = parseLoadArgs(['load', '-c', '2', '-qps', '0', '-n', '20', '-H', 'end-user: jason', 'http://httpbin:8000/get']);
    assert.equal(command.help, false);
    if (command.help) return;
    assert.deepEqual(command.options, {
      url: 'http://httpbin:8000/get', connections: 2, qps: 0, calls: 20, headers: { 'end-user': 'jason' }, timeoutMs: 3000,
    });
  });

  it('defaults to fortio\'s -c 4 -qps 8 -t 5s, and reads -qps -1 as unpaced', function () {
    const command = parseLoadArgs(['http://x/']);
    assert.ok(!command.help && command.options.connections === 4 && command.options.qps === 8 && command.options.durationMs === 5000);
    const unpaced = parseLoadArgs(['-qps', '-1', '-t', '1s', 'http://x/']);
    assert.ok(!unpaced.help && unpaced.options.qps === 0);
  });

  it('rejects bad input', function () {
    assert.throws(() => parseLoadArgs([]), /exactly one URL/);
    assert.throws(() => parseLoadArgs(['-c', '0', 'http://x/']), /-c must be an integer ≥ 1/);
    assert.throws(() => parseLoadArgs(['-H', 'novalue', 'http://x/']), /-H expects/);
    assert.throws(() => parseLoadArgs(['-qps', 'fast', 'http://x/']), /-qps must be a number/);
  });
});
