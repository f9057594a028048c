// The gateway's listener plan: which socket listeners become local servers, on which port, with
// which certificate — and which are reported instead of silently dropped.
import assert from 'node:assert/strict';
import { localPortOf, planListeners, type PortMapping } from './listener-plan';
import { gatewaySocketListener, snapshotWithListeners } from './test-listeners';

const LOOPBACK: PortMapping = { bindHost: '127.0.0.1' };

describe('gateway listener plan', () => {
  it('maps Gateway ports to local ports: explicit map, then offset; anyPort binds 0', () => {
    const cases: [number, PortMapping, number][] = [
      [8080, LOOPBACK, 8080],
      [8080, { ...LOOPBACK, portOffset: 10_000 }, 18_080],
      [80, { ...LOOPBACK, portOffset: 8000 }, 8080],
      [8080, { ...LOOPBACK, ports: { 8080: 9999 }, portOffset: 10_000 }, 9999],
      [80, { ...LOOPBACK, ports: { 8080: 9999 }, portOffset: 10_000 }, 10_080],
      [8080, { ...LOOPBACK, ports: { 8080: 0 } }, 0],
      [8080, { ...LOOPBACK, anyPort: true, ports: { 8080: 9999 } }, 0],
    ];
    for (const [port, mapping, expected] of cases) assert.equal(localPortOf(port, mapping), expected, `${port} ${JSON.stringify(mapping)}`);
  });

  it('plans one plain HTTP server per socket listener, named and routed as the control plane sent it', () => {
    const snapshot = snapshotWithListeners([gatewaySocketListener(8080), gatewaySocketListener(80)]);
    const { planned, problems } = planListeners(snapshot.listeners, { bindHost: '127.0.0.1', portOffset: 10_000 });
    assert.deepEqual(problems, []);
    assert.deepEqual(planned.map((p) => [p.name, p.configPort, p.localPort, p.bindHost, p.routeConfigName, p.tls]), [
      ['0.0.0.0_80', 80, 10_080, '127.0.0.1', 'http.80', undefined],
      ['0.0.0.0_8080', 8080, 18_080, '127.0.0.1', 'http.8080', undefined],
    ]);
  });

  it('ignores the api listeners a router is never meant to serve', () => {
    const chains = gatewaySocketListener(9080)['filter_chains'] as { filters: { typed_config: unknown }[] }[];
    const api = { name: 'reviews:9080', api_listener: { api_listener: chains[0]!.filters[0]!.typed_config } };
    const snapshot = snapshotWithListeners([api, gatewaySocketListener(8080)]);
    assert.deepEqual(planListeners(snapshot.listeners, LOOPBACK).planned.map((p) => p.name), ['0.0.0.0_8080']);
  });

  it('reports a port the mapping pushes out of range, and two listeners on one local port', () => {
    const snapshot = snapshotWithListeners([gatewaySocketListener(8080), gatewaySocketListener(9090), gatewaySocketListener(60_000)]);
    const { planned, problems } = planListeners(snapshot.listeners, { bindHost: '127.0.0.1', portOffset: 10_000, ports: { 9090: 18_080 } });
    assert.deepEqual(planned.map((p) => p.name), ['0.0.0.0_8080']);
    assert.deepEqual(problems.map((p) => p.name), ['0.0.0.0_60000', '0.0.0.0_9090']);
    assert.match(problems[0]!.message, /maps to 70000, which is not a port/);
    assert.match(problems[1]!.message, /local port 18080 is already used by listener 0\.0\.0\.0_8080/);
  });

  it('lets several listeners share "any port"', () => {
    const snapshot = snapshotWithListeners([gatewaySocketListener(80), gatewaySocketListener(8080)]);
    const { planned, problems } = planListeners(snapshot.listeners, { ...LOOPBACK, anyPort: true });
    assert.deepEqual([planned.length, problems.length], [2, 0]);
  });

  it('terminates TLS with the certificate files a listener names, a credential directory, else the operator certificate, else reports it', () => {
    const files = { certFile: '/etc/gw/cert.pem', keyFile: '/etc/gw/key.pem' };
    const operator = { certFile: '/op/cert.pem', keyFile: '/op/key.pem' };
    const snapshot = snapshotWithListeners([gatewaySocketListener(8443, files), gatewaySocketListener(9443, { credentialName: 'kubernetes://bookinfo-credential' })]);
    const certsOf = (planned: { tls?: { chains: readonly { certFile: string; keyFile: string }[] } }[]) => planned.map((p) => p.tls?.chains.map((c) => ({ certFile: c.certFile, keyFile: c.keyFile })));
    const withOperator = planListeners(snapshot.listeners, LOOPBACK, { operator });
    assert.deepEqual(certsOf(withOperator.planned), [[files], [operator]]);
    const withDir = planListeners(snapshot.listeners, LOOPBACK, { credentialDir: '/creds/', operator });
    assert.deepEqual(certsOf(withDir.planned), [[files], [{ certFile: '/creds/bookinfo-credential/tls.crt', keyFile: '/creds/bookinfo-credential/tls.key' }]]);
    const without = planListeners(snapshot.listeners, LOOPBACK);
    assert.deepEqual(without.planned.map((p) => p.name), ['0.0.0.0_8443']);
    assert.deepEqual(without.problems.map((p) => p.name), ['0.0.0.0_9443']);
    assert.match(without.problems[0]!.message, /credentialName "bookinfo-credential" needs a credential directory: start the gateway with --credential-dir DIR/);
  });

  it('keys a planned server by what needs a new socket (bind, port, certificate), not by its route table', () => {
    const a = planListeners(snapshotWithListeners([gatewaySocketListener(8080)]).listeners, LOOPBACK).planned[0]!;
    const b = planListeners(snapshotWithListeners([gatewaySocketListener(8080)]).listeners, { ...LOOPBACK, portOffset: 1 }).planned[0]!;
    const c = planListeners(snapshotWithListeners([gatewaySocketListener(8080, { certFile: 'c', keyFile: 'k' })]).listeners, LOOPBACK).planned[0]!;
    assert.notEqual(a.key, b.key);
    assert.notEqual(a.key, c.key);
    assert.equal(a.key, planListeners(snapshotWithListeners([gatewaySocketListener(8080)]).listeners, LOOPBACK).planned[0]!.key);
  });
});
