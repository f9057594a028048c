// Unit tests of the service command line.
import assert from 'node:assert/strict';
import { parseServiceArgs } from './cli-args';
import { BookinfoError } from './errors';

describe('parseServiceArgs', function () {
  it('parses a reviews command with upstreams', function () {
    const command = parseServiceArgs(['--service', 'reviews', '--version', 'v2', '--port', '9082', '--upstream', 'ratings=http://127.0.0.1:9083'], 42);
    assert.equal(command.help, false);
    assert.equal(command.port, 9082);
    assert.equal(command.host, '127.0.0.1');
    assert.deepEqual(command.spec, { service: 'reviews', version: 'v2', upstreams: { ratings: 'http://127.0.0.1:9083' }, podName: 'reviews-v2-42' });
  });

  it('defaults: version v1, port 9080 (httpbin 8000), no upstream overrides', function () {
    assert.deepEqual(parseServiceArgs(['--service', 'details'], 1).spec, { service: 'details', version: 'v1', upstreams: {} });
    assert.equal(parseServiceArgs(['--service', 'details'], 1).port, 9080);
    assert.equal(parseServiceArgs(['--service', 'httpbin'], 1).port, 8000);
  });

  it('parses per-service options', function () {
    assert.equal(parseServiceArgs(['--service', 'ratings', '--version', 'v-delayed', '--delay-ms', '250'], 1).spec.delayMs, 250);
    assert.equal(parseServiceArgs(['--service', 'productpage', '--flood-factor', '3'], 1).spec.floodFactor, 3);
    assert.equal(parseServiceArgs(['--service', 'httpbin', '--max-delay-s', '0.5'], 1).spec.maxDelaySeconds, 0.5);
    assert.equal(parseServiceArgs(['--help'], 1).help, true);
  });

  const errors: Array<[string[], RegExp]> = [
    [[], /--service is required/],
    [['--service', 'web'], /unknown service "web"/],
    [['--service', 'reviews', '--upstream', 'ratings'], /--upstream expects NAME=URL/],
    [['--service', 'reviews', '--upstream', 'ratings=http://a', '--upstream', 'ratings=http://b'], /given twice/],
    [['--service', 'ratings', '--port=-1'], /--port must be an integer port/],
    [['--service', 'ratings', '--delay-ms', '0'], /--delay-ms must be a positive number/],
    [['--service', 'ratings', '--session-secret', 'x'], /--session-secret applies to productpage, not to ratings/],
    [['--service', 'ratings', 'extra'], /Unexpected argument 'extra'/],
  ];
  for (const [argv, message] of errors) {
    it(`rejects ${argv.join(' ') || '(nothing)'}`, function () {
      assert.throws(() => parseServiceArgs(argv, 1), (error: unknown) => error instanceof BookinfoError && message.test(error.message));
    });
  }
});
