// Unit tests of WorkloadRegistry: services from Service / ServiceEntry / registered workloads,
// membership and port resolution, expiry and revival with a fake clock, versioned snapshots.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../../../testing/spawn';
import type { Resource } from '../config/resource';
import { isServerError } from '../errors';
import { WorkloadRegistry, type WorkloadRegistration } from './registry';
import type { RegistrySnapshot } from './types';

const SAMPLES = path.resolve(REPO_ROOT, '../shared/istio-samples/bookinfo');

/** Resources of one kind from an Istio sample file, with namespace defaulted as the store does. */
function sampleResources(file: string, kinds: readonly string[]): Resource[] {
  return parseAllDocuments(fs.readFileSync(path.join(SAMPLES, file), 'utf8'))
    .map((doc) => doc.toJS() as Resource)
    .filter((r) => r && kinds.includes(r.kind))
    .map((r) => ({ ...r, metadata: { ...r.metadata, namespace: r.metadata.namespace ?? 'default' } }));
}

function resource(kind: Resource['kind'], name: string, spec: unknown, namespace = 'default', labels?: Record<string, string>): Resource {
  return { apiVersion: kind === 'Service' ? 'v1' : 'networking.istio.io/v1', kind, metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec };
}

function registration(overrides: Partial<WorkloadRegistration> = {}): WorkloadRegistration {
  return { service: 'reviews', namespace: 'default', labels: { app: 'reviews', version: 'v1' }, serviceAccount: 'bookinfo-reviews', addresses: ['127.0.0.1'], ports: { http: 9080 }, locality: 'r/z/s', ...overrides };
}

const endpointsOf = (snap: RegistrySnapshot, host: string, port: number) => snap.endpointsFor(host, port).map((e) => `${e.endpoint.id}@${e.endpoint.address}:${e.port}`);

const REVIEWS = 'reviews.default.svc.cluster.local';

describe('WorkloadRegistry', () => {
  let now: number;
  let registry: WorkloadRegistry;
  beforeEach(() => {
    now = 1_000_000;
    registry = new WorkloadRegistry({ clock: () => now, gracePeriodMs: 30_000 });
  });
  afterEach(() => registry.close());

  it('declares the BookInfo services from the real sample Service YAML (ports named http are HTTP)', () => {
    registry.setConfig(sampleResources('platform/bookinfo.yaml', ['Service', 'ServiceAccount', 'Deployment']));
    const snap = registry.snapshot();
    assert.deepEqual([...snap.services.keys()], ['details', 'productpage', 'ratings', 'reviews'].map((s) => `${s}.default.svc.cluster.local`));
    assert.deepEqual(snap.services.get(REVIEWS), {
      hostname: REVIEWS, namespace: 'default', name: 'reviews', ports: [{ name: 'http', port: 9080, protocol: 'HTTP' }],
      selector: { app: 'reviews' }, origin: 'Service', location: 'MESH_INTERNAL', resolution: 'STATIC', source: 'Service/default/reviews',
    });
    assert.deepEqual(snap.endpoints, []);
  });

  it('selects WorkloadEntries and registered workloads of the same namespace by the Service selector', () => {
    registry.setConfig([
      ...sampleResources('platform/bookinfo.yaml', ['Service']),
      resource('WorkloadEntry', 'reviews-vm', { address: '127.0.0.20', labels: { app: 'reviews', version: 'v3' }, ports: { http: 9080 }, serviceAccount: 'vm' }),
      resource('WorkloadEntry', 'reviews-other-ns', { address: '127.0.0.21', labels: { app: 'reviews' } }, 'prod'),
      resource('WorkloadEntry', 'ratings-vm', { address: '127.0.0.22', labels: { app: 'ratings' } }),
      resource('WorkloadEntry', 'meta-labelled', { address: '127.0.0.23', labels: { app: 'ratings' } }, 'default', { app: 'reviews' }),
      resource('ServiceEntry', 'inline', { hosts: ['inline.example'], ports: [{ number: 9080, name: 'http' }], endpoints: [{ address: '127.0.0.24', labels: { app: 'reviews' } }] }),
    ]);
    registry.register('node-b', registration({ service: undefined, addresses: ['127.0.0.11'], labels: { app: 'reviews', version: 'v2' } }));
    const snap = registry.snapshot();
    assert.deepEqual(endpointsOf(snap, REVIEWS, 9080), [
      'node-b@127.0.0.11:9080', 'WorkloadEntry/default/reviews-vm@127.0.0.20:9080', 'WorkloadEntry/default/meta-labelled@127.0.0.23:9080',
    ]);
    assert.deepEqual(endpointsOf(snap, 'ratings.default.svc.cluster.local', 9080), ['WorkloadEntry/default/ratings-vm@127.0.0.22:9080']);
    const vm = snap.endpoints.find((e) => e.id === 'WorkloadEntry/default/reviews-vm')!;
    assert.deepEqual(vm, {
      id: 'WorkloadEntry/default/reviews-vm', workloadName: 'reviews-vm', address: '127.0.0.20', namespace: 'default',
      labels: { app: 'reviews', version: 'v3' }, serviceAccount: 'vm', locality: '', weight: 1, health: 'HEALTHY',
      ports: { http: 9080 }, origin: 'WorkloadEntry', source: 'WorkloadEntry/default/reviews-vm',
    });
    assert.deepEqual(endpointsOf(snap, REVIEWS, 9081), [], 'a port the service does not declare has no endpoints');
    assert.deepEqual(endpointsOf(snap, 'nope.default.svc.cluster.local', 9080), []);
  });

  describe('resolves the workload port', () => {
    const cases: [title: string, servicePort: Record<string, unknown>, endpointPorts: Record<string, number>, expected: number | undefined][] = [
      ['by the endpoint port named like the service port', { name: 'http', port: 80, targetPort: 8080 }, { http: 9080 }, 9080],
      ['by targetPort when the endpoint has no port of that name', { name: 'http', port: 80, targetPort: 8080 }, { admin: 9000 }, 8080],
      ['by the service port without targetPort', { name: 'http', port: 80 }, {}, 80],
      ['by a named targetPort', { name: 'web', port: 80, targetPort: 'serving' }, { serving: 7070 }, 7070],
      ['by a numeric string targetPort', { name: 'web', port: 80, targetPort: '7071' }, {}, 7071],
      ['to nothing when a named targetPort is missing on the endpoint', { name: 'web', port: 80, targetPort: 'serving' }, { http: 1 }, undefined],
    ];
    for (const [title, servicePort, endpointPorts, expected] of cases) {
      it(title, () => {
        registry.setConfig([
          resource('Service', 'svc', { ports: [servicePort], selector: { app: 'svc' } }),
          resource('WorkloadEntry', 'w', { address: '127.0.0.5', labels: { app: 'svc' }, ports: endpointPorts }),
        ]);
        const found = registry.snapshot().endpointsFor('svc.default.svc.cluster.local', 80).map((e) => e.port);
        assert.deepEqual(found, expected === undefined ? [] : [expected]);
      });
    }
  });

  it('declares ServiceEntry hosts with their ports, inline endpoints and defaults', () => {
    registry.setConfig([resource('ServiceEntry', 'db', {
      hosts: ['db.example.com', 'DB2.example.com'], location: 'MESH_INTERNAL', resolution: 'STATIC',
      ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP', targetPort: 15432 }, { number: 80, name: 'http' }],
      endpoints: [
        { address: '127.0.0.31', ports: { 'tcp-pg': 6432 }, labels: { zone: 'a' }, locality: 'r1/z1', weight: 3, serviceAccount: 'db' },
        { address: '127.0.0.30' },
      ],
    })]);
    const snap = registry.snapshot();
    assert.deepEqual([...snap.services.keys()], ['db.example.com', 'db2.example.com']);
    assert.deepEqual(snap.services.get('db.example.com'), {
      hostname: 'db.example.com', namespace: 'default',
      ports: [{ name: 'http', port: 80, protocol: 'HTTP' }, { name: 'tcp-pg', port: 5432, targetPort: 15432, protocol: 'TCP' }],
      origin: 'ServiceEntry', location: 'MESH_INTERNAL', resolution: 'STATIC', source: 'ServiceEntry/default/db',
    });
    assert.deepEqual(endpointsOf(snap, 'db2.example.com', 5432), ['ServiceEntry/default/db#1@127.0.0.30:15432', 'ServiceEntry/default/db#0@127.0.0.31:6432']);
    const first = snap.endpoints.find((e) => e.id === 'ServiceEntry/default/db#0')!;
    assert.deepEqual([first.weight, first.locality, first.serviceAccount, first.labels, first.origin], [3, 'r1/z1', 'db', { zone: 'a' }, 'ServiceEntry']);
  });

  it('resolves a DNS ServiceEntry without endpoints to its host (the BookInfo googleapis sample)', () => {
    registry.setConfig(sampleResources('networking/egress-rule-google-apis.yaml', ['ServiceEntry', 'VirtualService', 'DestinationRule']));
    const snap = registry.snapshot();
    const service = snap.services.get('www.googleapis.com')!;
    assert.deepEqual([service.location, service.resolution, service.ports.map((p) => `${p.port}/${p.protocol}`)], ['MESH_EXTERNAL', 'DNS', ['80/HTTP', '443/HTTPS']]);
    assert.deepEqual(endpointsOf(snap, 'www.googleapis.com', 443), ['ServiceEntry/default/googleapis#www.googleapis.com@www.googleapis.com:443']);
    assert.deepEqual(endpointsOf(snap, 'www.googleapis.com', 80), ['ServiceEntry/default/googleapis#www.googleapis.com@www.googleapis.com:80']);
  });

  it('selects workloads for a ServiceEntry workloadSelector in its namespace', () => {
    registry.setConfig([
      resource('ServiceEntry', 'vm-svc', { hosts: ['vm.internal'], ports: [{ number: 3306, name: 'mysql' }], workloadSelector: { matchLabels: { app: 'mysql' } }, resolution: 'STATIC', location: 'MESH_INTERNAL' }),
      resource('WorkloadEntry', 'mysql-1', { address: '127.0.0.41', labels: { app: 'mysql' }, ports: { mysql: 13306 } }),
      resource('WorkloadEntry', 'mysql-prod', { address: '127.0.0.42', labels: { app: 'mysql' } }, 'prod'),
    ]);
    const snap = registry.snapshot();
    assert.equal(snap.services.get('vm.internal')!.ports[0]!.protocol, 'MySQL');
    assert.deepEqual(endpointsOf(snap, 'vm.internal', 3306), ['WorkloadEntry/default/mysql-1@127.0.0.41:13306']);
  });

  it('creates an implicit service for a registered workload whose service is not declared', () => {
    registry.register('reviews-1', registration());
    registry.register('reviews-2', registration({ service: 'reviews.default', addresses: ['127.0.0.2'], ports: { http: 9081, 'grpc-admin': 9090 } }));
    let snap = registry.snapshot();
    assert.deepEqual(snap.services.get(REVIEWS), {
      hostname: REVIEWS, namespace: 'default', name: 'reviews',
      ports: [{ name: 'http', port: 9080, protocol: 'HTTP' }, { name: 'grpc-admin', port: 9090, protocol: 'GRPC' }],
      origin: 'Workload', location: 'MESH_INTERNAL', resolution: 'STATIC', source: 'xds:reviews-1',
    });
    assert.deepEqual(endpointsOf(snap, REVIEWS, 9080), ['reviews-1@127.0.0.1:9080', 'reviews-2@127.0.0.2:9081']);
    assert.deepEqual(endpointsOf(snap, REVIEWS, 9090), ['reviews-2@127.0.0.2:9090']);

    registry.setConfig(sampleResources('platform/bookinfo.yaml', ['Service']));
    snap = registry.snapshot();
    assert.equal(snap.services.get(REVIEWS)!.origin, 'Service', 'a declared Service replaces the implicit one');
    assert.deepEqual(endpointsOf(snap, REVIEWS, 9080), ['reviews-1@127.0.0.1:9080', 'reviews-2@127.0.0.2:9081']);
  });

  it('prefers a Service over a ServiceEntry for the same hostname', () => {
    registry.setConfig([
      resource('ServiceEntry', 'shadow', { hosts: [REVIEWS], ports: [{ number: 1, name: 'tcp' }] }),
      resource('Service', 'reviews', { ports: [{ name: 'http', port: 9080 }] }),
    ]);
    assert.equal(registry.snapshot().services.get(REVIEWS)!.source, 'Service/default/reviews');
  });

  it('gives one endpoint per registered address and a normalised FQDN service', () => {
    registry.register('multi', registration({ service: 'Ratings.prod.svc.cluster.local', namespace: 'prod', addresses: ['127.0.0.9', '127.0.0.8', '127.0.0.9'], workloadName: 'ratings-v1-0' }));
    const eps = registry.snapshot().endpoints;
    assert.deepEqual(eps.map((e) => [e.id, e.address, e.services, e.workloadName, e.source]), [
      ['multi@127.0.0.8', '127.0.0.8', ['ratings.prod.svc.cluster.local'], 'ratings-v1-0', 'xds:multi'],
      ['multi@127.0.0.9', '127.0.0.9', ['ratings.prod.svc.cluster.local'], 'ratings-v1-0', 'xds:multi'],
    ]);
  });

  describe('expiry after the stream ends (fake clock, grace 30 s)', () => {
    type Step = ['register' | 'unregister' | 'sweep', number /* clock */, { present: boolean; expiresAt?: number }];
    const cases: [title: string, steps: Step[]][] = [
      ['stays during the grace period with expiresAt set', [['register', 0, { present: true }], ['unregister', 1_000, { present: true, expiresAt: 31_000 }], ['sweep', 30_999, { present: true, expiresAt: 31_000 }]]],
      ['leaves at the end of the grace period', [['register', 0, { present: true }], ['unregister', 1_000, { present: true, expiresAt: 31_000 }], ['sweep', 31_000, { present: false }]]],
      ['is revived by a registration within grace', [['register', 0, { present: true }], ['unregister', 1_000, { present: true, expiresAt: 31_000 }], ['register', 20_000, { present: true }], ['sweep', 90_000, { present: true }]]],
      ['keeps the first expiry on a repeated unregister', [['register', 0, { present: true }], ['unregister', 1_000, { present: true, expiresAt: 31_000 }], ['unregister', 9_000, { present: true, expiresAt: 31_000 }], ['sweep', 31_000, { present: false }]]],
      ['can register again after it left', [['register', 0, { present: true }], ['unregister', 0, { present: true, expiresAt: 30_000 }], ['sweep', 30_000, { present: false }], ['register', 40_000, { present: true }]]],
      ['ignores unregister of an unknown node and sweeps nothing that is connected', [['unregister', 0, { present: false }], ['register', 1, { present: true }], ['sweep', 1_000_000, { present: true }]]],
    ];
    for (const [title, steps] of cases) {
      it(title, () => {
        for (const [action, at, expected] of steps) {
          now = at;
          if (action === 'register') registry.register('n1', registration());
          else if (action === 'unregister') registry.unregister('n1');
          else registry.sweep();
          const found = registry.snapshot().endpoints.find((e) => e.id === 'n1');
          assert.equal(Boolean(found), expected.present, `after ${action} at ${at}`);
          assert.equal(found?.expiresAt, expected.expiresAt, `expiresAt after ${action} at ${at}`);
          if (found) assert.equal(found.health, expected.expiresAt === undefined ? 'HEALTHY' : 'DRAINING', `health after ${action} at ${at}`);
          assert.equal(registry.snapshot().services.has(REVIEWS), expected.present, 'the implicit service follows its workloads');
        }
      });
    }

    it('marks a draining endpoint DRAINING in the endpoints a service resolves to (EDS health)', () => {
      registry.register('n1', registration());
      registry.unregister('n1');
      assert.deepEqual(registry.snapshot().endpointsFor(REVIEWS, 9080).map((e) => e.endpoint.health), ['DRAINING']);
    });

    it('sweeps on its own timer once started', async () => {
      registry.close();
      registry = new WorkloadRegistry({ clock: () => now, gracePeriodMs: 10, sweepIntervalMs: 1 });
      registry.register('n1', registration());
      registry.unregister('n1');
      now += 10;
      const gone = new Promise<void>((resolve) => registry.onChange((s) => { if (s.endpoints.length === 0) resolve(); }));
      registry.start();
      registry.start();
      await gone;
      assert.equal(registry.snapshot().endpoints.length, 0);
    });
  });

  describe('remove after a graceful close', () => {
    type Step = ['register-a' | 'register-b' | 'unregister' | 'remove' | 'remove-a' | 'remove-b', { present: boolean; by?: 'a' | 'b' }];
    const a = registration({ labels: { app: 'reviews', version: 'a' } });
    const b = registration({ labels: { app: 'reviews', version: 'b' } });
    const cases: [title: string, steps: Step[]][] = [
      ['removes a connected node at once', [['register-a', { present: true, by: 'a' }], ['remove-a', { present: false }]]],
      ['removes a draining node at once (no grace left)', [['register-a', { present: true, by: 'a' }], ['unregister', { present: true, by: 'a' }], ['remove-a', { present: false }]]],
      ['without a registration removes whatever is registered', [['register-a', { present: true, by: 'a' }], ['remove', { present: false }]]],
      ['does not let a stale registration remove its replacement', [['register-a', { present: true, by: 'a' }], ['register-b', { present: true, by: 'b' }], ['remove-a', { present: true, by: 'b' }], ['remove-b', { present: false }]]],
      ['ignores an unknown node', [['remove', { present: false }], ['remove-a', { present: false }]]],
      ['can register again after a remove', [['register-a', { present: true, by: 'a' }], ['remove-a', { present: false }], ['register-b', { present: true, by: 'b' }]]],
    ];
    for (const [title, steps] of cases) {
      it(title, () => {
        for (const [action, expected] of steps) {
          if (action === 'register-a') registry.register('n1', a);
          else if (action === 'register-b') registry.register('n1', b);
          else if (action === 'unregister') registry.unregister('n1');
          else if (action === 'remove') registry.remove('n1');
          else registry.remove('n1', action === 'remove-a' ? a : b);
          const found = registry.snapshot().endpoints.find((e) => e.id === 'n1');
          assert.equal(Boolean(found), expected.present, `after ${action}`);
          if (expected.by) assert.equal(found?.labels['version'], expected.by, `registration in force after ${action}`);
          assert.equal(registry.snapshot().services.has(REVIEWS), expected.present, 'the implicit service follows its workloads');
        }
      });
    }

    it('notifies once per remove that changed something', () => {
      registry.register('n1', registration());
      const seen: number[] = [];
      registry.onChange((s) => seen.push(s.endpoints.length));
      registry.remove('n1');
      registry.remove('n1');
      assert.deepEqual(seen, [0]);
    });
  });

  it('rejects unusable registrations naming the node and field', () => {
    const cases: [Partial<WorkloadRegistration>, string][] = [
      [{ namespace: '' }, 'namespace'],
      [{ addresses: [] }, 'addresses'],
      [{ addresses: [' '] }, 'addresses[0]'],
      [{ ports: { http: 0 } }, 'ports.http'],
      [{ ports: { http: 70000 } }, 'ports.http'],
      [{ ports: { http: 80.5 } }, 'ports.http'],
      [{ labels: { app: 7 as unknown as string } }, 'labels.app'],
      [{ service: 'a..b' }, 'service'],
    ];
    for (const [overrides, field] of cases) {
      assert.throws(() => registry.register('bad-node', registration(overrides)),
        (e: unknown) => isServerError(e, 'BAD_REQUEST') && e.message.includes('"bad-node"') && e.message.includes(field), `${JSON.stringify(overrides)} → ${field}`);
    }
    assert.throws(() => registry.register('', registration()), (e: unknown) => isServerError(e, 'BAD_REQUEST') && /node id/.test(e.message));
    assert.equal(registry.snapshot().version, 0, 'nothing was registered');
  });

  it('versions snapshots: same object until the content changes, one notification per change', () => {
    const seen: RegistrySnapshot[] = [];
    const off = registry.onChange((s) => seen.push(s));
    const empty = registry.snapshot();
    assert.equal(empty.version, 0);
    const config = sampleResources('platform/bookinfo.yaml', ['Service']);
    registry.setConfig(config);
    const first = registry.snapshot();
    assert.equal(first.version, 1);
    registry.setConfig(config.map((r) => ({ ...r })));
    registry.setConfig([...config, resource('VirtualService', 'ignored', { hosts: ['reviews'] })]);
    registry.sweep();
    assert.equal(registry.snapshot(), first, 'equal content keeps the snapshot');
    registry.register('n1', registration());
    registry.register('n1', registration());
    assert.equal(registry.snapshot().version, 2);
    assert.deepEqual(seen.map((s) => s.version), [1, 2]);
    assert.equal(seen[1], registry.snapshot());
    off();
    registry.unregister('n1');
    assert.equal(registry.snapshot().version, 3);
    assert.equal(seen.length, 2, 'no call after unsubscribe');
    assert.equal(empty.services.size, 0, 'an old snapshot never changes');
  });

  it('orders endpoints deterministically whatever the registration order, and freezes snapshots', () => {
    const build = (order: string[]) => {
      const r = new WorkloadRegistry({ clock: () => now });
      for (const id of order) r.register(id, registration({ addresses: [id === 'c' ? '127.0.0.1' : '127.0.0.2'], ports: { http: id === 'b' ? 9081 : 9080 } }));
      const snap = r.snapshot();
      r.close();
      return snap;
    };
    const one = build(['a', 'b', 'c', 'd']);
    const two = build(['d', 'c', 'b', 'a']);
    assert.deepEqual(endpointsOf(one, REVIEWS, 9080), ['c@127.0.0.1:9080', 'a@127.0.0.2:9080', 'd@127.0.0.2:9080', 'b@127.0.0.2:9081']);
    assert.deepEqual(endpointsOf(two, REVIEWS, 9080), endpointsOf(one, REVIEWS, 9080));
    assert.deepEqual(one.endpoints.map((e) => e.id), ['c', 'a', 'b', 'd']);
    assert.ok(Object.isFrozen(one.endpoints) && Object.isFrozen(one.endpoints[0]!.labels));
    assert.throws(() => (one.services as Map<string, unknown>).set('x', {}), TypeError);
    assert.ok(Object.isFrozen(one.endpoints[0]) && Object.isFrozen(one.services.get(REVIEWS)!.ports[0]));
  });

  it('keeps notifying when a listener throws', () => {
    const seen: number[] = [];
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    registry.onChange(() => { throw new Error('bad listener'); });
    registry.onChange((s) => seen.push(s.version));
    registry.register('n1', registration());
    assert.deepEqual(seen, [1]);
    return new Promise<void>((resolve) => setImmediate(() => {
      process.off('warning', onWarning);
      assert.ok(warnings.some((w) => w.includes('bad listener')));
      resolve();
    }));
  });
});
