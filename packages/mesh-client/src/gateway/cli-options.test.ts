// `inboard gateway` command line → GatewayOptions, and the usage errors that name the flag at fault.
import assert from 'node:assert/strict';
import { GatewayUsageError, parseGatewayArgs } from './cli-options';

describe('gateway command line', () => {
  it('defaults to the control plane on loopback and nothing else (the gateway fills in its identity)', () => {
    assert.deepEqual(parseGatewayArgs([]), { help: false, options: { controlPlane: '127.0.0.1:15010' } });
    assert.deepEqual(parseGatewayArgs([], { INBOARD_CONTROL_PLANE: '127.0.0.1:25010' }), { help: false, options: { controlPlane: '127.0.0.1:25010' } });
    assert.deepEqual(parseGatewayArgs(['--help']), { help: true });
  });

  it('reads every option', () => {
    const parsed = parseGatewayArgs([
      '--control-plane', '127.0.0.1:1', '--bind', '127.0.0.2', '--port-offset=-8000', '--port', '8080=18080', '--port', '80=0',
      '--label', 'istio=ingressgateway', '--label', 'app=edge', '--namespace', 'edge', '--service-account', 'edge-sa', '--name', 'edge-1',
      '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--any-port', '--credential-dir', '/etc/inboard/credentials',
    ]);
    assert.deepEqual(parsed, {
      help: false,
      options: {
        controlPlane: '127.0.0.1:1', bind: '127.0.0.2', portOffset: -8000, ports: { 8080: 18_080, 80: 0 }, anyPort: true,
        labels: { istio: 'ingressgateway', app: 'edge' }, namespace: 'edge', serviceAccount: 'edge-sa', name: 'edge-1',
        tls: { certFile: 'c.pem', keyFile: 'k.pem' }, credentialDir: '/etc/inboard/credentials',
      },
    });
  });

  it('rejects bad input naming the flag', () => {
    const cases: [string[], RegExp][] = [
      [['--control-plane', 'http://127.0.0.1:15010'], /--control-plane must be HOST:PORT/],
      [['--port', '8080'], /--port expects KEY=VALUE/],
      [['--port', '8080=x'], /--port \(local port\) must be an integer 0\.\.65535/],
      [['--port', '0=1'], /--port \(Gateway port\) must be an integer 1\.\.65535/],
      [['--port', '80=1', '--port', '80=2'], /--port 80 is given twice/],
      [['--port-offset', '1.5'], /--port-offset must be an integer/],
      [['--label', 'istio'], /--label expects KEY=VALUE/],
      [['--tls-cert', 'c.pem'], /--tls-cert and --tls-key go together/],
      [['--frobnicate'], /Unknown option '--frobnicate'/],
    ];
    for (const [argv, message] of cases) {
      assert.throws(() => parseGatewayArgs(argv), (e: unknown) => e instanceof GatewayUsageError && e.code === 'BAD_FLAG' && message.test(e.message), argv.join(' '));
    }
  });
});
