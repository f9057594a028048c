// analyze: cross-resource findings, each table row asserting level, code, resource, path and message.

import assert from 'node:assert/strict';
import type { RegistrySnapshot, ServiceInfo, WorkloadEndpoint } from '../registry/types';
import { analyze, type AnalysisMessage } from './analyze';
import type { KindName, Resource } from './resource';

const res = (kind: KindName, name: string, spec: unknown, namespace = 'default'): Resource => ({
  apiVersion: kind === 'Service' ? 'v1' : 'networking.istio.io/v1',
  kind,
  metadata: { name, namespace },
  spec,
});
const service = (name: string, ports = [9080], namespace = 'default') => res('Service', name, { ports: ports.map((port, i) => ({ port, name: `p${i}` })), selector: { app: name } }, namespace);
const route = (host: string, extra: Record<string, unknown> = {}) => ({ destination: { host, ...extra } });
const virtualService = (name: string, spec: Record<string, unknown>, namespace = 'default') => res('VirtualService', name, spec, namespace);
const destinationRule = (name: string, host: string, subsets: string[], namespace = 'default') => res('DestinationRule', name, { host, subsets: subsets.map((s) => ({ name: s, labels: { version: s } })) }, namespace);
const gateway = (name: string, hosts: string[], namespace = 'default') => res('Gateway', name, { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts }] }, namespace);

/** [level, code, resource, path, message fragment] */
type Expected = [AnalysisMessage['level'], string, string, string | undefined, string];

function check(messages: readonly AnalysisMessage[], expected: readonly Expected[]): void {
  const show = messages.map((m) => `  ${m.level} [${m.code}] (${m.resource} ${m.path ?? ''}) ${m.message}`).join('\n') || '  (none)';
  assert.equal(messages.length, expected.length, `got:\n${show}`);
  for (const [level, code, resource, path, fragment] of expected) {
    assert.ok(messages.some((m) => m.level === level && m.code === code && m.resource === resource && m.path === path && m.message.includes(fragment)), `missing ${level} ${code} ${resource} ${path} "${fragment}"; got:\n${show}`);
  }
}

function registry(services: ServiceInfo[], endpoints: WorkloadEndpoint[]): RegistrySnapshot {
  return {
    version: 1,
    services: new Map(services.map((s) => [s.hostname, s])),
    endpoints,
    endpointsFor: (hostname, port) => {
      const svc = services.find((s) => s.hostname === hostname);
      const p = svc?.ports.find((x) => x.port === port);
      if (!svc || !p || !svc.selector) return [];
      return endpoints
        .filter((e) => e.namespace === svc.namespace && Object.entries(svc.selector!).every(([k, v]) => e.labels[k] === v))
        .map((endpoint) => ({ endpoint, port: p.targetPort ?? p.port }));
    },
  };
}

const reviewsInfo: ServiceInfo = {
  hostname: 'reviews.default.svc.cluster.local', namespace: 'default', name: 'reviews', ports: [{ name: 'http', port: 9080, protocol: 'HTTP' }],
  selector: { app: 'reviews' }, origin: 'Service', location: 'MESH_INTERNAL', resolution: 'STATIC', source: 'Service/default/reviews',
};
const endpoint = (id: string, labels: Record<string, string>): WorkloadEndpoint => ({
  id, address: '127.0.0.1', namespace: 'default', labels, serviceAccount: 'bookinfo-reviews', locality: '', weight: 1, health: 'HEALTHY', ports: { http: 9080 }, origin: 'AutoRegistered', source: `xds:${id}`,
});

describe('analyze', () => {
  it('finds nothing wrong in a consistent BookInfo-style config', () => {
    const messages = analyze([
      service('reviews'), service('productpage'),
      destinationRule('reviews', 'reviews', ['v1', 'v2']),
      virtualService('reviews', { hosts: ['reviews'], http: [{ route: [{ ...route('reviews', { subset: 'v1' }), weight: 50 }, { ...route('reviews.default.svc.cluster.local', { subset: 'v2' }), weight: 50 }] }] }),
      gateway('bookinfo-gateway', ['*']),
      virtualService('bookinfo', { hosts: ['*'], gateways: ['bookinfo-gateway'], http: [{ route: [route('productpage', { port: { number: 9080 } })] }] }),
    ]);
    check(messages, []);
  });

  const table: { name: string; resources: Resource[]; expected: Expected[] }[] = [
    {
      name: 'a route to a subset no DestinationRule defines',
      resources: [service('reviews'), destinationRule('reviews', 'reviews', ['v1']), virtualService('reviews', { hosts: ['reviews'], http: [{ route: [route('reviews', { subset: 'v3' })] }] })],
      expected: [['Error', 'IST0101', 'VirtualService default/reviews', 'spec.http[0].route[0].destination.subset', 'host+subset in destinationrule not found: "reviews+v3"']],
    },
    {
      name: 'a subset in a DestinationRule of another namespace does not count (short names are namespace-relative)',
      resources: [service('reviews'), destinationRule('reviews', 'reviews', ['v1'], 'prod'), virtualService('reviews', { hosts: ['reviews'], http: [{ route: [route('reviews', { subset: 'v1' })] }] })],
      expected: [
        ['Error', 'IST0101', 'VirtualService default/reviews', 'spec.http[0].route[0].destination.subset', '"reviews+v1"'],
        ['Warning', 'IST0174', 'DestinationRule prod/reviews', 'spec.host', 'reviews.prod.svc.cluster.local'],
      ],
    },
    {
      name: 'a mirror to an undefined subset',
      resources: [service('reviews'), virtualService('reviews', { hosts: ['reviews'], http: [{ route: [route('reviews')], mirror: { host: 'reviews', subset: 'v2' } }] })],
      expected: [['Error', 'IST0101', 'VirtualService default/reviews', 'spec.http[0].mirror.subset', 'mirror+subset in destinationrule not found']],
    },
    {
      name: 'a VirtualService bound to a missing Gateway (name and ns/name forms, and in a match)',
      resources: [service('productpage'), gateway('present', ['*'], 'istio-system'), virtualService('bookinfo', { hosts: ['bookinfo.example.com'], gateways: ['missing', 'istio-system/present', 'istio-system/absent', 'mesh'], http: [{ match: [{ gateways: ['other'] }], route: [route('productpage')] }] })],
      expected: [
        ['Error', 'IST0101', 'VirtualService default/bookinfo', 'spec.gateways[0]', 'Referenced gateway not found: "missing"'],
        ['Error', 'IST0101', 'VirtualService default/bookinfo', 'spec.gateways[2]', 'Referenced gateway not found: "istio-system/absent"'],
        ['Error', 'IST0101', 'VirtualService default/bookinfo', 'spec.http[0].match[0].gateways[0]', 'Referenced gateway not found: "other"'],
      ],
    },
    {
      name: 'a host the gateway does not serve',
      resources: [service('productpage'), gateway('gw', ['shop.example.com']), virtualService('bookinfo', { hosts: ['books.example.com'], gateways: ['gw'], http: [{ route: [route('productpage')] }] })],
      expected: [['Warning', 'IST0132', 'VirtualService default/bookinfo', 'spec.gateways[0]', 'not found in Gateway default/gw']],
    },
    {
      name: 'two VirtualServices for one host on the mesh (short and long form)',
      resources: [service('reviews'), virtualService('a', { hosts: ['reviews'], http: [{ route: [route('reviews')] }] }), virtualService('b', { hosts: ['reviews.default.svc.cluster.local'], http: [{ route: [route('reviews')] }] })],
      expected: [
        ['Error', 'IST0109', 'VirtualService default/a', 'spec.hosts[0]', 'The VirtualServices default/a,default/b associated with mesh gateway define the same host reviews.default.svc.cluster.local'],
        ['Error', 'IST0109', 'VirtualService default/b', 'spec.hosts[0]', 'define the same host reviews.default.svc.cluster.local'],
      ],
    },
    {
      name: 'the same short host in two namespaces is two hosts',
      resources: [service('reviews'), service('reviews', [9080], 'prod'), virtualService('a', { hosts: ['reviews'], http: [{ route: [route('reviews')] }] }), virtualService('a', { hosts: ['reviews'], http: [{ route: [route('reviews')] }] }, 'prod')],
      expected: [],
    },
    {
      name: 'two VirtualServices for one host on one gateway',
      resources: [service('productpage'), gateway('gw', ['*']), virtualService('a', { hosts: ['*'], gateways: ['gw'], http: [{ route: [route('productpage')] }] }), virtualService('b', { hosts: ['*'], gateways: ['default/gw'], http: [{ route: [route('productpage')] }] })],
      expected: [
        ['Warning', 'INB0101', 'VirtualService default/a', 'spec.hosts[0]', 'bound to gateway default/gw define the same host *'],
        ['Warning', 'INB0101', 'VirtualService default/b', 'spec.hosts[0]', 'bound to gateway default/gw define the same host *'],
      ],
    },
    {
      name: 'an unknown destination host, and a DestinationRule for no service',
      resources: [virtualService('r', { hosts: ['ratings'], http: [{ route: [route('ratings')] }] }), destinationRule('ghost', 'ghost', [])],
      expected: [
        ['Warning', 'IST0101', 'VirtualService default/r', 'spec.http[0].route[0].destination.host', 'Referenced host not found: "ratings"'],
        ['Warning', 'IST0174', 'DestinationRule default/ghost', 'spec.host', 'The host ghost defined in the DestinationRule does not match any services'],
      ],
    },
    {
      name: 'ServiceEntry hosts, wildcards and "name.namespace" forms are known',
      resources: [
        res('ServiceEntry', 'apis', { hosts: ['*.googleapis.com'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'NONE' }),
        service('ratings', [9080], 'prod'),
        virtualService('r', { hosts: ['www.googleapis.com'], http: [{ match: [{ uri: { prefix: '/a' } }], route: [route('www.googleapis.com')] }, { route: [route('ratings.prod')] }] }),
      ],
      expected: [],
    },
    {
      name: 'a route to a multi-port service without a port',
      resources: [service('db', [5432, 9187]), virtualService('db', { hosts: ['db'], http: [{ route: [route('db')] }] })],
      expected: [['Error', 'IST0112', 'VirtualService default/db', 'spec.http[0].route[0].destination', 'db has ports 5432, 9187']],
    },
    {
      name: 'validation warnings of stored resources (dead rules, fields not enforced)',
      resources: [service('reviews'), virtualService('reviews', { hosts: ['reviews'], http: [{ route: [route('reviews')] }, { route: [route('reviews')], corsPolicy: { allowMethods: ['GET'] } }] })],
      expected: [
        ['Warning', 'IST0130', 'VirtualService default/reviews', 'spec.http[1]', 'rule #1 is never used'],
        ['Warning', 'INB0001', 'VirtualService default/reviews', 'spec.http[1].corsPolicy', 'accepted but not enforced'],
      ],
    },
  ];
  for (const t of table) it(t.name, () => check(analyze(t.resources), t.expected));

  describe('with a registry snapshot', () => {
    const dr = destinationRule('reviews', 'reviews', ['v1', 'v2', 'v3']);

    it('reports subsets that select no registered workload', () => {
      const snapshot = registry([reviewsInfo], [endpoint('r1', { app: 'reviews', version: 'v1' }), endpoint('r2', { app: 'reviews', version: 'v2' }), endpoint('other', { app: 'ratings', version: 'v3' })]);
      check(analyze([dr], snapshot), [['Warning', 'IST0173', 'DestinationRule default/reviews', 'spec.subsets[2]', 'The subset v3 defined in the DestinationRule does not select any workload of reviews.default.svc.cluster.local (2 registered)']]);
    });

    it('knows services that only the registry has (auto-registered workloads)', () => {
      const snapshot = registry([reviewsInfo], [endpoint('r1', { app: 'reviews', version: 'v1' }), endpoint('r2', { app: 'reviews', version: 'v2' }), endpoint('r3', { app: 'reviews', version: 'v3' })]);
      const vs = virtualService('reviews', { hosts: ['reviews'], http: [{ route: [route('reviews', { subset: 'v1' })] }] });
      check(analyze([dr, vs], snapshot), []);
      check(analyze([dr, vs]), [['Warning', 'IST0174', 'DestinationRule default/reviews', 'spec.host', 'does not match any services'], ['Warning', 'IST0101', 'VirtualService default/reviews', 'spec.http[0].route[0].destination.host', 'Referenced host not found']]);
    });

    it('does not check subsets without a registry', () => {
      check(analyze([service('reviews'), dr]), []);
    });
  });

  it('groups messages by resource in input order', () => {
    const messages = analyze([
      virtualService('z', { hosts: ['a'], http: [{ route: [route('a', { subset: 'x' })] }] }),
      destinationRule('m', 'nothing', []),
    ]);
    assert.deepEqual(messages.map((m) => m.resource), ['VirtualService default/z', 'VirtualService default/z', 'DestinationRule default/m']);
  });
});
