// Integration: a real control plane (startControlPlane, ports 0) and an ADS client that registers a
// serving workload and subscribes to its inbound listener by Istio's proxyless name. The RBAC
// config that arrives over the real wire compiles and decides as the policies say, and a policy
// change is pushed to the running subscriber.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AdsClient, TYPE_URL } from '@inboard/xds';
import { startControlPlane, type ControlPlane } from '@inboard/mesh-server';
import { readMetadata } from '../src/snapshot/proto-readers';
import { authorize, inboundListenerName, readInboundSettings, type AuthzRequest } from '../src/authz';
import { rbacFiltersOf, resourcesOf, type PolicyDoc } from './authz-pipeline';

const PORT = 9080;
const LISTENER = inboundListenerName('127.0.0.1', PORT);
const PRODUCTPAGE = 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage';

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('authorization over the real wire: control plane → inbound listener → compiled RBAC', function () {
  this.timeout(30_000);
  let dir: string;
  let plane: ControlPlane;
  let client: AdsClient;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-authz-'));
    plane = await startControlPlane({ dataDir: path.join(dir, 'data'), apiPort: 0, xdsPort: 0, caPort: 0 });
  });
  after(async () => {
    client?.close();
    await plane?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const apply = (docs: PolicyDoc[]) => plane.store.commit(resourcesOf(docs).map((resource) => ({ type: 'put' as const, resource })));
  const listener = () => client.resources(TYPE_URL.LISTENER).get(LISTENER) as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  const request = (method: string, principal?: string): AuthzRequest => ({
    method, path: '/reviews/0', headers: {}, host: `reviews:${PORT}`, port: PORT, destinationIp: '127.0.0.1', sourceIp: '127.0.0.1',
    peer: principal ? { principal } : {},
  });

  it('serves the registered workload its inbound listener with the RBAC filters of its policies', async () => {
    await apply([
      { name: 'allow-nothing', spec: {} },
      { name: 'reviews-viewer', spec: { selector: { matchLabels: { app: 'reviews' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/bookinfo-productpage'] } }], to: [{ operation: { methods: ['GET'] } }] }] } },
      { kind: 'PeerAuthentication', name: 'strict', spec: { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'STRICT' } } },
    ]);
    client = new AdsClient({
      target: plane.xdsAddress,
      node: {
        id: 'reviews-v1-authz',
        metadata: { NAMESPACE: 'default', LABELS: { app: 'reviews', version: 'v1' }, SERVICE_ACCOUNT: 'bookinfo-reviews', INSTANCE_IPS: '127.0.0.1', INBOARD_SERVICE: 'reviews', INBOARD_PORTS: { http: PORT } },
      },
      channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
    });
    client.watch(TYPE_URL.LISTENER, [LISTENER]);
    const received = await until('the inbound listener', listener);

    assert.deepEqual(readInboundSettings(readMetadata(received['metadata'])), {
      mtlsMode: 'STRICT', mtlsPolicy: 'PeerAuthentication/default/strict', pathNormalization: 'BASE',
      authorizationPolicies: ['AuthorizationPolicy/default/allow-nothing', 'AuthorizationPolicy/default/reviews-viewer'],
    });
    const filters = rbacFiltersOf(received);
    assert.deepEqual(filters.map((f) => f.name), ['envoy.filters.http.rbac']);
    assert.equal(authorize(filters, request('GET', PRODUCTPAGE)).allowed, true);
    assert.equal(authorize(filters, request('POST', PRODUCTPAGE)).allowed, false);
    assert.equal(authorize(filters, request('GET', 'spiffe://cluster.local/ns/default/sa/sleep')).allowed, false);
    assert.equal(authorize(filters, request('GET')).allowed, false, 'plaintext has no principal');
  });

  it('pushes a policy change to the subscriber: a mesh-wide DENY from the root namespace beats the ALLOW', async () => {
    const before = JSON.stringify(listener());
    await apply([{ name: 'deny-reviews-0', namespace: 'istio-system', spec: { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/reviews/0'] } }] }] } }]);
    const updated = await until('the updated listener', () => (JSON.stringify(listener()) !== before ? listener() : undefined));
    const filters = rbacFiltersOf(updated!);
    assert.deepEqual(filters.map((f) => f.name), ['envoy.filters.http.rbac.DENY', 'envoy.filters.http.rbac']);
    const decision = authorize(filters, request('GET', PRODUCTPAGE));
    assert.equal(decision.allowed, false);
    assert.equal(!decision.allowed && decision.policy, 'ns[istio-system]-policy[deny-reviews-0]-rule[0]');
    assert.equal(authorize(filters, { ...request('GET', PRODUCTPAGE), path: '/reviews/1' }).allowed, true);
  });
});
