// MeshError codes, brand checks across package copies, and Envoy-style local replies.

import assert from 'node:assert/strict';
import { isMeshError, localReply, MeshError, RESPONSE_FLAGS_HEADER } from './errors';

describe('MeshError', () => {
  it('carries code, Envoy status and response flag, and frozen details', () => {
    const e = new MeshError('NO_HEALTHY_UPSTREAM', 'no healthy upstream: cluster c', { details: { cluster: 'c' } });
    assert.deepEqual([e.code, e.status, e.responseFlag, e.details['cluster']], ['NO_HEALTHY_UPSTREAM', 503, 'UH', 'c']);
    assert.ok(Object.isFrozen(e.details));
    assert.ok(e instanceof Error);
  });

  it('status can be overridden (cluster_not_found_response_code, fault abort status)', () => {
    assert.equal(new MeshError('NO_CLUSTER', 'x', { status: 404 }).status, 404);
    assert.equal(new MeshError('FAULT_ABORT', 'x', { status: 500 }).status, 500);
  });

  it('isMeshError checks the brand and optionally the code', () => {
    const e = new MeshError('NO_ROUTE', 'x');
    assert.ok(isMeshError(e));
    assert.ok(isMeshError(e, 'NO_ROUTE'));
    assert.ok(!isMeshError(e, 'CLOSED'));
    assert.ok(!isMeshError(new Error('x')));
    assert.ok(!isMeshError({ code: 'NO_ROUTE' }));
  });
});

describe('localReply', () => {
  for (const [code, status, flag, body] of [
    ['NO_ROUTE', 404, 'NR', ''],
    ['NO_CLUSTER', 503, 'NC', ''],
    ['NO_HEALTHY_UPSTREAM', 503, 'UH', 'no healthy upstream'],
    ['UPSTREAM_TIMEOUT', 504, 'UT', 'upstream request timeout'],
    ['OVERLOADED', 503, 'UO', 'upstream connect error or disconnect/reset before headers. reset reason: overflow'],
    ['CONNECT_FAILURE', 503, 'UF', 'upstream connect error or disconnect/reset before headers. reset reason: connection failure'],
    ['ACCESS_DENIED', 403, 'RBAC', 'RBAC: access denied'],
  ] as const) {
    it(`${code} → ${status} ${flag} ${JSON.stringify(body)}`, () => {
      const r = localReply(new MeshError(code, 'message'));
      assert.deepEqual([r.status, r.body, r.headers[RESPONSE_FLAGS_HEADER]], [status, body, flag]);
      assert.equal(r.headers['content-length'], String(Buffer.byteLength(body)));
      assert.equal(r.headers['content-type'], body === '' ? undefined : 'text/plain');
    });
  }

  it('UO adds x-envoy-overloaded: true', () => {
    assert.equal(localReply(new MeshError('OVERLOADED', 'x')).headers['x-envoy-overloaded'], 'true');
  });

  it('fault abort uses the configured status and "fault filter abort"', () => {
    const r = localReply(new MeshError('FAULT_ABORT', 'x', { status: 500 }));
    assert.deepEqual([r.status, r.body, r.headers[RESPONSE_FLAGS_HEADER]], [500, 'fault filter abort', 'FI']);
  });

  it('REGISTRY_ONLY is Istio\'s block_all: 502 without body or flag', () => {
    const r = localReply(new MeshError('REGISTRY_ONLY', 'x'));
    assert.deepEqual([r.status, r.body, r.headers[RESPONSE_FLAGS_HEADER]], [502, '', undefined]);
  });

  it('gRPC requests get a trailers-only reply with the mapped status', () => {
    const r = localReply(new MeshError('NO_HEALTHY_UPSTREAM', 'x'), { grpc: true });
    assert.deepEqual([r.status, r.headers['grpc-status'], r.headers['grpc-message'], r.headers['content-type']], [200, '14', 'no healthy upstream', 'application/grpc']);
    assert.equal(localReply(new MeshError('NO_ROUTE', 'x'), { grpc: true }).headers['grpc-status'], '12');
    assert.equal(localReply(new MeshError('FAULT_ABORT', 'x', { status: 503 }), { grpc: true, grpcStatus: 8 }).headers['grpc-status'], '8');
  });

  it('grpc-message is percent-encoded outside printable ASCII', () => {
    const r = localReply(new MeshError('CLOSED', 'mesh closed: 100% ✓'), { grpc: true });
    assert.equal(r.headers['grpc-message'], 'mesh closed: 100%25 %E2%9C%93');
  });
});
