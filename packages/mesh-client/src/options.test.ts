// resolveOptions: arguments over environment over defaults, labels derived from service and
// version, and errors that name the option (or the variable) at fault.

import assert from 'node:assert/strict';
import { isMeshError } from './errors';
import { DEFAULT_CONTROL_PLANE, resolveOptions } from './options';

describe('resolveOptions', () => {
  it('applies defaults with an empty environment', () => {
    const o = resolveOptions({ env: {} });
    assert.equal(o.controlPlane, DEFAULT_CONTROL_PLANE);
    assert.deepEqual(o.identity, { namespace: 'default', labels: {}, role: 'sidecar' });
    assert.equal(o.outboundTrafficPolicy, 'ALLOW_ANY');
    assert.equal(o.protocol, 'delta');
    assert.match(o.nodeId, /^client\.default~\d+~[0-9a-f]{8}$/);
  });

  it('reads the environment, and arguments win over it', () => {
    const env = { INBOARD_CONTROL_PLANE: '10.0.0.1:15010', INBOARD_SERVICE: 'reviews', INBOARD_NAMESPACE: 'shop', INBOARD_VERSION: 'v2', INBOARD_SERVICE_ACCOUNT: 'bookinfo-reviews' };
    const fromEnv = resolveOptions({ env });
    assert.equal(fromEnv.controlPlane, '10.0.0.1:15010');
    assert.deepEqual(fromEnv.identity, { namespace: 'shop', labels: { app: 'reviews', version: 'v2' }, role: 'sidecar', serviceAccount: 'bookinfo-reviews' });
    const overridden = resolveOptions({ env, service: 'ratings', version: 'v1', labels: { app: 'custom', tier: 'back' } });
    assert.deepEqual(overridden.identity.labels, { app: 'custom', version: 'v1', tier: 'back' });
    assert.equal(overridden.service, 'ratings');
  });

  for (const [options, field] of [
    [{ controlPlane: 'http://127.0.0.1:15014' }, 'options.controlPlane'],
    [{ env: { INBOARD_CONTROL_PLANE: 'nope' } }, '$INBOARD_CONTROL_PLANE'],
    [{ service: 'Not A Host' }, 'options.service'],
    [{ namespace: 'UPPER' }, 'options.namespace'],
    [{ outboundTrafficPolicy: 'SOMETIMES' }, 'options.outboundTrafficPolicy'],
    [{ protocol: 'rest' }, 'options.protocol'],
    [{ labels: { a: 1 } }, 'options.labels.a'],
  ] as const) {
    it(`rejects ${JSON.stringify(options)} naming ${field}`, () => {
      assert.throws(() => resolveOptions({ env: {}, ...(options as object) }), (e: unknown) => isMeshError(e, 'INVALID_OPTIONS') && (e as Error).message.startsWith(field));
    });
  }
});
