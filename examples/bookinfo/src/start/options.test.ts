// `npm start` flags, the instance plan and the mesh flags of a service process: tables, no processes.
import assert from 'node:assert/strict';
import net from 'node:net';
import { StartError } from './errors';
import { planInstances, serviceAccountOf } from './fleet-plan';
import { gatewayPortFlags } from './launcher';
import { splitMeshFlags } from './mesh-flags';
import { DEFAULT_START_OPTIONS, parseStartArgs } from './options';
import { assertPortsFree } from './ports';

const startError = (code: string, message: RegExp) => (e: unknown) => e instanceof StartError && e.code === code && message.test(e.message);

describe('npm start options', () => {
  it('defaults to Istio\'s ports, ./.inboard, the default config and no traffic', () => {
    assert.deepEqual(parseStartArgs([]), DEFAULT_START_OPTIONS);
    assert.deepEqual(
      [DEFAULT_START_OPTIONS.apiPort, DEFAULT_START_OPTIONS.xdsPort, DEFAULT_START_OPTIONS.caPort, DEFAULT_START_OPTIONS.gatewayPort, DEFAULT_START_OPTIONS.dataDir],
      [15014, 15010, 15012, 8080, '.inboard'],
    );
  });

  it('reads every flag', () => {
    const parsed = parseStartArgs(['--data-dir', '/tmp/x', '--api-port', '0', '--xds-port', '1', '--ca-port', '2', '--gateway-port', '3', '--base-port', '4', '--traffic-qps', '5', '--no-config', '--quiet', '--no-mtls']);
    assert.deepEqual(parsed, { help: false, dataDir: '/tmp/x', apiPort: 0, xdsPort: 1, caPort: 2, gatewayPort: 3, basePort: 4, applyConfig: false, traffic: true, trafficQps: 5, quiet: true, mtls: false });
    assert.equal(parseStartArgs([]).mtls, true, 'mutual TLS is on by default');
    assert.equal(parseStartArgs(['--traffic']).traffic, true);
    assert.equal(parseStartArgs(['-h']).help, true);
  });

  it('rejects bad flags naming them', () => {
    assert.throws(() => parseStartArgs(['--api-port', '70000']), startError('BAD_FLAG', /--api-port must be a port number 0-65535, got "70000"/));
    assert.throws(() => parseStartArgs(['--gateway-port', 'x']), startError('BAD_FLAG', /--gateway-port/));
    assert.throws(() => parseStartArgs(['--traffic-qps', '0']), startError('BAD_FLAG', /--traffic-qps must be a number > 0/));
    assert.throws(() => parseStartArgs(['--data-dir', ' ']), startError('BAD_FLAG', /--data-dir must not be empty/));
    assert.throws(() => parseStartArgs(['--bogus']), startError('BAD_FLAG', /Unknown option '--bogus'[\s\S]*usage: npm start/));
  });

  it('places the gateway: port 8080 at --gateway-port, other Gateway ports at the same offset, 0 = free ports', () => {
    assert.deepEqual(gatewayPortFlags(8080), []);
    assert.deepEqual(gatewayPortFlags(18080), ['--port-offset=10000']);
    assert.deepEqual(gatewayPortFlags(80), ['--port-offset=-8000']);
    assert.deepEqual(gatewayPortFlags(0), ['--any-port']);
  });
});

describe('npm start instance plan', () => {
  it('runs every BookInfo service, two reviews v2 and httpbin v1/v2, one port each from the base port', () => {
    const plan = planInstances(9080);
    assert.deepEqual(plan.map((i) => `${i.name}:${i.port}:${i.serviceAccount}`), [
      'productpage-v1-1:9080:bookinfo-productpage',
      'details-v1-1:9081:bookinfo-details',
      'ratings-v1-1:9082:bookinfo-ratings',
      'reviews-v1-1:9083:bookinfo-reviews',
      'reviews-v2-1:9084:bookinfo-reviews',
      'reviews-v2-2:9085:bookinfo-reviews',
      'reviews-v3-1:9086:bookinfo-reviews',
      'httpbin-v1-1:9087:httpbin',
      'httpbin-v2-1:9088:httpbin',
    ]);
    assert.ok(planInstances(0).every((i) => i.port === 0));
    assert.equal(serviceAccountOf('ratings'), 'bookinfo-ratings');
  });
});

describe('mesh flags of a service process', () => {
  it('takes the mesh flags out and leaves the service\'s own flags', () => {
    const { mesh, serviceArgv } = splitMeshFlags(['--service', 'reviews', '--control-plane', '127.0.0.1:1', '--version=v2', '--service-account=sa', '--workload-name', 'r-1', '--namespace', 'ns']);
    assert.deepEqual(mesh, { controlPlane: '127.0.0.1:1', namespace: 'ns', serviceAccount: 'sa', workloadName: 'r-1' });
    assert.deepEqual(serviceArgv, ['--service', 'reviews', '--version=v2']);
    assert.deepEqual(splitMeshFlags([], { INBOARD_CONTROL_PLANE: '127.0.0.1:2' }).mesh, { controlPlane: '127.0.0.1:2', namespace: 'default' });
  });

  it('rejects a missing value, a repeated flag and an address that is not host:port', () => {
    assert.throws(() => splitMeshFlags(['--control-plane']), startError('BAD_FLAG', /--control-plane needs a value/));
    assert.throws(() => splitMeshFlags(['--namespace', '--service']), startError('BAD_FLAG', /--namespace needs a value/));
    assert.throws(() => splitMeshFlags(['--namespace', 'a', '--namespace', 'b']), startError('BAD_FLAG', /given twice/));
    assert.throws(() => splitMeshFlags(['--control-plane', 'http://x:1']), startError('BAD_FLAG', /must be HOST:PORT/));
  });
});

describe('npm start port check', () => {
  it('names the busy port and the flag that moves it; port 0 is never checked', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      await assert.rejects(assertPortsFree([{ port: 0, what: 'x' }, { port, what: 'the ingress gateway (--gateway-port)' }]),
        startError('PORT_IN_USE', new RegExp(`port ${port} on 127\\.0\\.0\\.1, needed by the ingress gateway \\(--gateway-port\\), is already in use`)));
      await assert.rejects(assertPortsFree([{ port: 1234, what: 'a' }, { port: 1234, what: 'b' }]), startError('PORT_IN_USE', /port 1234 is wanted twice: by a and by b/));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    await assertPortsFree([{ port, what: 'freed' }]);
  });
});
