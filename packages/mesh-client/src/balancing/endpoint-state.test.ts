// Active request counts survive config pushes and drain cleanly when an endpoint leaves.

import assert from 'node:assert/strict';
import { EndpointStateStore } from './endpoint-state';

describe('EndpointStateStore', () => {
  it('counts requests in flight; done() is idempotent', () => {
    const s = new EndpointStateStore();
    const a = s.track('10.0.0.1:9080');
    const b = s.track('10.0.0.1:9080');
    assert.equal(s.active('10.0.0.1:9080'), 2);
    a();
    a();
    assert.equal(s.active('10.0.0.1:9080'), 1);
    b();
    assert.equal(s.active('10.0.0.1:9080'), 0);
  });

  it('enter/leave count like track() without a function per request, and drain a removed endpoint', () => {
    const s = new EndpointStateStore();
    const first = s.enter('a:1');
    const second = s.enter('a:1');
    assert.equal(s.active('a:1'), 2);
    s.leave('a:1', first);
    assert.equal(s.active('a:1'), 1);
    s.reconcile(['b:2']);
    s.leave('a:1', second);
    assert.equal(s.active('a:1'), 0);
    assert.deepEqual(s.keys(), ['b:2'], 'the removed endpoint is forgotten once its last request ends');
  });

  it('reconcile keeps counts of endpoints still present', () => {
    const s = new EndpointStateStore();
    s.track('a:1');
    s.reconcile(['a:1', 'b:2']);
    assert.equal(s.active('a:1'), 1);
    assert.deepEqual(s.keys().sort(), ['a:1', 'b:2']);
  });

  it('a removed endpoint with requests in flight drains, then is forgotten', () => {
    const s = new EndpointStateStore();
    const done = s.track('a:1');
    s.reconcile(['b:2']);
    assert.equal(s.active('a:1'), 1);
    done();
    assert.equal(s.active('a:1'), 0);
    assert.deepEqual(s.keys(), ['b:2']);
  });

  it('an endpoint that comes back before draining keeps its count', () => {
    const s = new EndpointStateStore();
    const done = s.track('a:1');
    s.reconcile([]);
    s.reconcile(['a:1']);
    done();
    assert.deepEqual(s.keys(), ['a:1']);
  });
});
