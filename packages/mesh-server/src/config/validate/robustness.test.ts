// Validation must never throw, whatever it is given: random values anywhere in otherwise valid
// resources (seeded property tests), prototype-like keys, and deep nesting.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateResource } from '../validate';

const VALID: readonly unknown[] = [
  { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'r' }, spec: { hosts: ['reviews'], http: [{ match: [{ headers: { 'end-user': { exact: 'jason' } }, uri: { prefix: '/' } }], route: [{ destination: { host: 'reviews', subset: 'v2' }, weight: 50 }, { destination: { host: 'reviews', subset: 'v3' }, weight: 50 }], retries: { attempts: 2, retryOn: '5xx' }, fault: { delay: { fixedDelay: '1s', percentage: { value: 10 } } }, timeout: '3s' }] } },
  { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'r' }, spec: { host: 'reviews', trafficPolicy: { loadBalancer: { consistentHash: { httpCookie: { name: 'a', ttl: '1h' } } }, connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1 } }, outlierDetection: { consecutive5xxErrors: 1, interval: '1s' } }, subsets: [{ name: 'v1', labels: { version: 'v1' } }] } },
  { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'g' }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['a.example.com'], tls: { mode: 'SIMPLE', serverCertificate: '/c', privateKey: '/k' } }] } },
  { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 's' }, spec: { hosts: ['db.internal'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'STATIC', endpoints: [{ address: '10.0.0.1', ports: { http: 8080 } }] } },
  { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p' }, spec: { selector: { matchLabels: { app: 'a' } }, action: 'DENY', rules: [{ from: [{ source: { principals: ['a'] } }], to: [{ operation: { paths: ['/x*'], ports: ['80'] } }], when: [{ key: 'source.ip', values: ['10.0.0.0/8'] }] }] } },
  { apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: 'j' }, spec: { jwtRules: [{ issuer: 'i', jwksUri: 'https://i/jwks', fromHeaders: [{ name: 'a' }] }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'details' }, spec: { ports: [{ port: 9080, name: 'http' }], selector: { app: 'details' } } },
];

/** Replaces the node at a pseudo-random position (chosen by `pick`) with `replacement`. */
function mutate(value: unknown, pick: number, replacement: unknown): unknown {
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => { nodes.push({ parent: v, key: i }); walk(x); });
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) { nodes.push({ parent: v as Record<string, unknown>, key: k }); walk(x); }
  };
  const copy = structuredClone(value);
  walk(copy);
  const node = nodes[pick % nodes.length]!;
  (node.parent as Record<string | number, unknown>)[node.key] = replacement;
  return copy;
}

describe('validation robustness', () => {
  it('never throws when any node of a valid resource is replaced by a random value (seeded)', () => {
    fc.assert(
      fc.property(fc.nat(VALID.length - 1), fc.nat(), fc.jsonValue({ maxDepth: 4 }), (which, pick, replacement) => {
        const { resource, errors } = validateResource(mutate(VALID[which], pick, replacement));
        for (const e of errors) assert.equal(typeof e.message, 'string');
        assert.equal(resource === undefined, errors.length > 0);
      }),
      { seed: 20261125, numRuns: 3000 },
    );
  });

  it('never throws on random documents (seeded)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (doc) => {
        validateResource(doc);
        validateResource({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'x' }, spec: doc });
      }),
      { seed: 7, numRuns: 1000 },
    );
  });

  it('treats prototype-like keys as plain unknown fields', () => {
    const doc = JSON.parse('{"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"x"},"spec":{"__proto__":{"a":1},"constructor":1,"toString":{},"hosts":["a"],"http":[{"route":[{"destination":{"host":"a"}}]}]}}');
    const { errors } = validateResource(doc);
    assert.deepEqual(errors.map((e) => e.path).sort(), ['spec.__proto__', 'spec.constructor', 'spec.toString']);
  });

  it('keeps a "__proto__" map key as data in the stored copy', () => {
    const doc = JSON.parse('{"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"x"},"spec":{"hosts":["a"],"http":[{"match":[{"headers":{"__proto__":{"exact":"1"}}}],"route":[{"destination":{"host":"a"}}]}]}}');
    const { resource, errors } = validateResource(doc);
    assert.deepEqual(errors, []);
    const headers = (resource!.spec as { http: { match: { headers: Record<string, unknown> }[] }[] }).http[0]!.match[0]!.headers;
    assert.deepEqual(Object.keys(headers), ['__proto__']);
    assert.equal(Object.getPrototypeOf(headers), Object.prototype);
  });

  it('rejects deep nesting in an unknown field without recursing into it', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 50_000; i++) deep = [deep];
    const { errors } = validateResource({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'x' }, spec: { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' } }] }], extra: deep } });
    assert.deepEqual(errors.map((e) => e.path), ['spec.extra']);
  });
});
