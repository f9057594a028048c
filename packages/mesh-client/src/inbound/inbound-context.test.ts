// takeInboundContext: the expected timeout becomes the inbound deadline; the mesh's control headers
// leave both `headers` and `rawHeaders`; InboundContext carries the context through async work.

import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { InboundContext, takeInboundContext } from './inbound-context';

function request(pairs: string[]): IncomingMessage {
  const headers: Record<string, string> = {};
  const headersDistinct: Record<string, string[]> = {};
  for (let i = 0; i < pairs.length; i += 2) {
    headers[pairs[i]!.toLowerCase()] = pairs[i + 1]!;
    (headersDistinct[pairs[i]!.toLowerCase()] ??= []).push(pairs[i + 1]!);
  }
  return { headers, headersDistinct, rawHeaders: [...pairs] } as unknown as IncomingMessage;
}

describe('inbound context', () => {
  it('turns x-envoy-expected-rq-timeout-ms into a deadline and strips control headers', () => {
    const req = request(['Host', 'a', 'X-Envoy-Expected-Rq-Timeout-Ms', '250', 'x-envoy-retry-on', '5xx', 'x-envoy-max-retries', '2', 'x-app', 'kept']);
    assert.deepEqual(takeInboundContext(req, 1000), { deadline: 1250 });
    assert.deepEqual(Object.keys(req.headers), ['host', 'x-app']);
    assert.deepEqual(req.rawHeaders, ['Host', 'a', 'x-app', 'kept']);
    assert.deepEqual(Object.keys(req.headersDistinct), ['host', 'x-app']);
  });

  it('gives no deadline for a missing, zero or malformed header', () => {
    for (const value of [undefined, '0', 'soon', '-5']) {
      const req = request(value === undefined ? [] : ['x-envoy-expected-rq-timeout-ms', value]);
      assert.deepEqual(takeInboundContext(req, 0), {});
    }
  });

  it('carries the context through awaits, and only inside run()', async () => {
    const ctx = new InboundContext();
    assert.equal(ctx.current(), undefined);
    const seen = await ctx.run({ deadline: 42 }, async () => {
      await new Promise((r) => setImmediate(r));
      return ctx.current()?.deadline;
    });
    assert.equal(seen, 42);
    assert.equal(ctx.current(), undefined);
  });
});
