// Integration: the support services Istio's tasks use — the httpbin-like echo service (v1/v2)
// and the fortio-like load client — plus the service CLI's flags, errors and graceful exit.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnTs, stopProcess, waitForLine } from '../../../testing/spawn';
import type { ServiceProcess } from './services-harness';
import { LOAD_CLI, SERVICE_MAIN, ServiceFleet, call, deadUrl, drain, eventually, json } from './services-harness';

/** Runs a CLI to completion (bounded) and returns its exit code and output. */
async function runToEnd(file: string, args: string[], timeoutMs = 15_000): Promise<{ code: number | null; output: string }> {
  const child: ChildProcess = spawnTs(file, args);
  const output = drain(child);
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  return { code, output: output() };
}

describe('BookInfo support services', function () {
  this.timeout(30_000);
  const fleet = new ServiceFleet();
  let v1: ServiceProcess;
  let v2: ServiceProcess;

  before(async function () {
    [v1, v2] = await Promise.all([
      fleet.start(['--service', 'httpbin', '--version', 'v1', '--max-delay-s', '0.1']),
      fleet.start(['--service', 'httpbin', '--version', 'v2']),
    ]);
  });

  after(async function () {
    await fleet.stopAll();
  });

  describe('httpbin', function () {
    it('echoes request headers and names its version', async function () {
      const answer = await call(`${v1.url}/headers`, { headers: { 'x-request-id': 'abc', 'end-user': 'jason' } });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('x-httpbin-version'), 'v1');
      const body = json(answer);
      assert.equal(body.headers['X-Request-Id'], 'abc');
      assert.equal(body.headers['End-User'], 'jason');
      assert.equal(body.version, 'v1');
      assert.equal(json(await call(`${v2.url}/headers`)).version, 'v2');
    });

    it('answers /get, /ip and /anything like httpbin', async function () {
      const get = json(await call(`${v1.url}/get?a=1&a=2&b=x`));
      assert.deepEqual(get.args, { a: ['1', '2'], b: 'x' });
      assert.equal(get.origin, '127.0.0.1');
      assert.ok(get.url.endsWith('/get?a=1&a=2&b=x'));
      assert.equal(json(await call(`${v1.url}/ip`)).origin, '127.0.0.1');
      const anything = json(await call(`${v1.url}/anything/deep/path`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"k":1}' }));
      assert.equal(anything.method, 'PUT');
      assert.deepEqual(anything.json, { k: 1 });
      assert.equal(anything.data, '{"k":1}');
      assert.equal((await call(`${v1.url}/get`, { method: 'POST', body: 'x' })).status, 405);
    });

    it('answers /status/{code}, comma lists, and rejects bad codes', async function () {
      assert.equal((await call(`${v1.url}/status/503`)).status, 503);
      assert.equal((await call(`${v1.url}/status/200`)).status, 200);
      assert.equal((await call(`${v1.url}/status/418`)).status, 418);
      assert.ok([200, 201].includes((await call(`${v1.url}/status/200,201`)).status));
      assert.equal((await call(`${v1.url}/status/abc`)).status, 400);
      assert.equal((await call(`${v1.url}/status/999`)).status, 400);
    });

    it('caps /delay/{s} at the configured maximum', async function () {
      const answer = await call(`${v1.url}/delay/60`, {}, 5_000);
      assert.equal(answer.status, 200);
      assert.equal(json(answer).version, 'v1');
      assert.equal((await call(`${v1.url}/delay/soon`)).status, 400);
    });

    it('writes one access line per request with host and version', async function () {
      // fetch cannot set Host; node:http can (the mirroring task shows the `-shadow` host this way).
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.get(`${v2.url}/headers`, { headers: { host: 'httpbin-shadow:8000' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
      });
      assert.equal(status, 200);
      await eventually(async () => (/GET \/headers host=httpbin-shadow:8000 200 \d+ms version=v2/.test(v2.output()) ? true : undefined), 5_000, 'the access line');
    });
  });

  describe('load client', function () {
    it('reports fortio-style code counts: all 503 from /status/503', async function () {
      const run = await runToEnd(LOAD_CLI, ['load', '-c', '2', '-qps', '0', '-n', '20', `${v1.url}/status/503`]);
      assert.equal(run.code, 0, run.output);
      assert.match(run.output, /^Code 503 : 20 \(100\.0 %\)$/m);
      assert.doesNotMatch(run.output, /^Code 200/m);
      assert.match(run.output, /^All done 20 calls/m);
      assert.match(run.output, /^# target 99% [\d.e-]+$/m);
    });

    it('splits the counts by code and reports calls without a response as -1', async function () {
      const weighted = await runToEnd(LOAD_CLI, ['-c', '3', '-qps', '-1', '-n', '30', '-json', '-', `${v1.url}/status/200:1,503:1`]);
      assert.equal(weighted.code, 0, weighted.output);
      const summary = JSON.parse(weighted.output.slice(weighted.output.indexOf('{')));
      assert.equal(summary.calls, 30);
      assert.equal((summary.codes['200'] ?? 0) + (summary.codes['503'] ?? 0), 30);
      for (const [code, n] of Object.entries(summary.codes)) {
        assert.match(weighted.output, new RegExp(`^Code ${code} : ${n} \\(${((100 * (n as number)) / 30).toFixed(1)} %\\)$`, 'm'));
      }
      const refused = await runToEnd(LOAD_CLI, ['-c', '1', '-n', '5', '-qps', '0', `${await deadUrl()}/get`]);
      assert.equal(refused.code, 0, refused.output);
      assert.match(refused.output, /^Code -1 : 5 \(100\.0 %\)$/m);
    });

    it('runs for a duration at a paced rate', async function () {
      const run = await runToEnd(LOAD_CLI, ['-c', '2', '-qps', '40', '-t', '250ms', `${v2.url}/status/200`]);
      assert.equal(run.code, 0, run.output);
      const calls = Number(/^All done (\d+) calls/m.exec(run.output)?.[1]);
      assert.ok(calls >= 1 && calls <= 10, `at most qps × duration = 10 calls, got ${calls}`);
      assert.match(run.output, new RegExp(`^Code 200 : ${calls} \\(100\\.0 %\\)$`, 'm'));
    });

    it('rejects bad flags with exit code 2', async function () {
      const run = await runToEnd(LOAD_CLI, ['-c', 'zero', `${v1.url}/get`]);
      assert.equal(run.code, 2);
      assert.match(run.output, /-c must be an integer/);
    });
  });

  describe('service CLI', function () {
    it('prints usage for --help', async function () {
      const run = await runToEnd(SERVICE_MAIN, ['--help']);
      assert.equal(run.code, 0);
      assert.match(run.output, /--upstream NAME=URL/);
    });

    it('rejects unknown services, misplaced options and bad upstreams with exit code 2', async function () {
      const cases: Array<[string[], RegExp]> = [
        [['--service', 'nope'], /UNKNOWN_SERVICE: unknown service "nope"/],
        [['--service', 'details', '--star-color', 'red'], /--star-color applies to reviews, not to details/],
        [['--service', 'reviews', '--version', 'v2', '--upstream', 'ratings=ftp://x'], /upstream "ratings" must be http: or https:/],
        [['--service', 'reviews', '--upstream', 'details=http://x:1'], /reviews has no upstream "details"/],
        [['--service', 'reviews', '--version', 'v9'], /reviews version "v9" is not known/],
        [['--service', 'ratings', '--version', 'v2'], /ratings v2 needs MongoDB or MySQL/],
        [['--service', 'ratings', '--port', '70000'], /--port must be an integer port/],
        [['--service', 'ratings', '--bogus'], /Unknown option '--bogus'/],
      ];
      const runs = await Promise.all(cases.map(([args]) => runToEnd(SERVICE_MAIN, args)));
      runs.forEach((run, i) => {
        assert.equal(run.code, 2, `${cases[i]![0].join(' ')}: ${run.output}`);
        assert.match(run.output, cases[i]![1]);
      });
    });

    it('finishes an in-flight request on SIGTERM, then exits 0', async function () {
      // productpage is mid-request exactly when its details call has reached this upstream.
      let release: (() => void) | undefined;
      const upstream = http.createServer((req, res) => {
        req.resume();
        release = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":0,"publisher":"Late"}');
      });
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
      const dead = await deadUrl();
      const child = spawnTs(SERVICE_MAIN, ['--service', 'productpage', '--port', '0', '--upstream', `details=${upstreamUrl}`, '--upstream', `reviews=${dead}`, '--upstream', `ratings=${dead}`]);
      const output = drain(child);
      try {
        const url = (await waitForLine(child, /listening on (http:\/\/\S+)/))[1]!;
        const page = call(`${url}/productpage`);
        await eventually(async () => release, 10_000, 'productpage to call details');
        const exit = stopProcess(child, 'SIGTERM', 5_000);
        await eventually(async () => (output().includes('SIGTERM: closing') ? true : undefined), 10_000, 'productpage to start closing');
        release!();
        const answer = await page;
        assert.equal(answer.status, 200);
        assert.ok(answer.text.includes('<td>Late</td>'));
        assert.equal(await exit, 0);
      } finally {
        await stopProcess(child, 'SIGKILL');
        upstream.closeAllConnections();
        upstream.close();
      }
    });
  });
});
