// `npm start` and `inboard gateway` as an operator meets them: --help, a busy port refused with
// its name, bad flags, the traffic generator's report on Ctrl-C, and the gateway started on its own
// through the inboard CLI against a control plane.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnTs, stopProcess, waitForLine } from '../../../testing/spawn';
import { BookinfoUnderTest, PROJECT_CONFIG, eventually, httpRequest } from './e2e-harness';

const START = 'examples/bookinfo/src/start.ts';
const CLI = 'packages/mesh-server/src/cli/main.ts';

/** Runs a process to its end (bounded); resolves with its exit code and output. */
function run(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnTs(file, args);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')} did not end within 30 s:\n${stdout}${stderr}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('BookInfo e2e: npm start and inboard gateway as commands', function () {
  this.timeout(60_000);

  it('npm start -- --help lists the options and exits 0', async () => {
    const { code, stdout } = await run(START, ['--help']);
    assert.equal(code, 0);
    for (const flag of ['--data-dir', '--gateway-port', '--api-port', '--xds-port', '--base-port', '--traffic', '--no-config']) assert.ok(stdout.includes(flag), flag);
  });

  it('refuses a busy port before starting anything, naming the port and its flag (exit 1); bad flags exit 2', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as net.AddressInfo).port;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-e2e-'));
    try {
      const { code, stderr } = await run(START, ['--data-dir', dataDir, '--api-port', '0', '--xds-port', '0', '--ca-port', '0', '--base-port', '0', '--gateway-port', String(busy)]);
      assert.equal(code, 1);
      assert.match(stderr, new RegExp(`PORT_IN_USE: port ${busy} on 127\\.0\\.0\\.1, needed by the ingress gateway \\(--gateway-port\\), is already in use`));
      assert.deepEqual(fs.readdirSync(dataDir), [], 'nothing was started');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    const bad = await run(START, ['--gateway-port', 'http']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--gateway-port must be a port number/);
  });

  it('npm start -- --traffic sends requests through the gateway and reports them when stopped (exit 0)', async function () {
    this.timeout(120_000);
    const mesh = await BookinfoUnderTest.start(['--quiet', '--traffic', '--traffic-qps', '20']);
    let stopped = false;
    try {
      // productpage counts its calls to reviews (Prometheus /metrics): wait until the generator made some.
      const productpage = mesh.output().match(/productpage-v1-1 (http:\/\/\S+?),/)![1]!;
      await eventually('traffic to show in productpage\'s metrics', async () => {
        const metrics = (await httpRequest(`${productpage}/metrics`)).body;
        const calls = Number(/request_result_total\{destination_app="reviews",response_code="200"\} (\d+)/.exec(metrics)?.[1] ?? 0);
        return calls >= 5 ? true : undefined;
      });
      assert.equal(await mesh.stop(), 0);
      stopped = true;
      const report = mesh.output();
      assert.match(report, /\[traffic\] .*Code 200 : \d+/, report.slice(-2000));
      assert.match(report, /\[start\] stopped/);
    } finally {
      if (!stopped) await mesh.stop();
    }
  });

  it('`inboard gateway` runs on its own against a control plane, serves the Gateway\'s port, and stops on SIGTERM', async function () {
    this.timeout(90_000);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-e2e-'));
    const plane = spawnTs(CLI, ['control-plane', '--data-dir', dataDir, '--api-port', '0', '--xds-port', '0', '--ca-port', '0']);
    let gateway: ReturnType<typeof spawnTs> | undefined;
    try {
      let printed = '';
      plane.stdout!.on('data', (c: Buffer) => (printed += c.toString()));
      const xds = (await waitForLine(plane, /xDS server listening on (\S+)/))[1]!;
      const api = printed.match(/admin API listening on (http:\/\/\S+)/)![1]!;
      const applied = await run(CLI, ['apply', '--server', api, '--data-dir', dataDir, '-f', path.join(PROJECT_CONFIG, 'services.yaml'), '-f', path.join(PROJECT_CONFIG, 'gateway.yaml')]);
      assert.equal(applied.code, 0, applied.stderr);
      gateway = spawnTs(CLI, ['gateway', '--control-plane', xds, '--any-port', '--name', 'edge-1']);
      let said = '';
      gateway.stdout!.on('data', (c: Buffer) => (said += c.toString()));
      await waitForLine(gateway, /gateway ready: connected to \S+ as edge-1 \(labels istio=ingressgateway, namespace istio-system\); 1 listener/, 30_000);
      const url = said.match(/listener 0\.0\.0\.0_8080 serving (http:\/\/127\.0\.0\.1:\d+) \(route table http\.8080\)/)![1]!;
      const page = await httpRequest(`${url}/productpage`);
      assert.equal(page.status, 503, 'routed to productpage, which has no instance running');
      assert.equal(page.body, 'no healthy upstream');
      assert.equal((await httpRequest(`${url}/nothing-here`)).status, 404);
      const status = JSON.parse((await httpRequest(`${api}/debug/syncz`)).body) as { clients: { proxy: { id: string; role: string } }[] };
      assert.deepEqual(status.clients.map((c) => [c.proxy.id, c.proxy.role]), [['edge-1', 'router']]);
      const done = waitForLine(gateway, /gateway stopped/, 15_000);
      assert.equal(await stopProcess(gateway, 'SIGTERM'), 0);
      await done;
      gateway = undefined;
    } finally {
      if (gateway) await stopProcess(gateway, 'SIGKILL');
      await stopProcess(plane, 'SIGTERM');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
