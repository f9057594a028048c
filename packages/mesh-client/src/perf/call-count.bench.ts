// Measurement script (not a test): how many JavaScript function calls one request makes through
// mesh.dispatcher against the same undici request() call on a raw Pool, counted by V8's precise
// coverage over 2,000 sequential requests to a loopback backend (a child process). Unlike CPU
// time on a shared VM, the count is deterministic: each call the mesh adds costs roughly 50–100 ns
// under real traffic (cold caches), so this is the dispatcher path's regression check.
// Run: node --require tsx/cjs packages/mesh-client/src/perf/call-count.bench.ts [filter]
//   filter: also list the functions whose file path contains it, with their calls per request.

import inspector from 'node:inspector';
import { Pool, request as undiciRequest, type Dispatcher } from 'undici';
import { isBackend, runEchoBackend, startEchoMesh } from './loopback-mesh';

const REQUESTS = 2000;

interface Coverage {
  readonly result: { readonly url: string; readonly functions: { readonly functionName: string; readonly ranges: { readonly count: number }[] }[] }[];
}

function post<T>(session: inspector.Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))));
}

/** Calls per request of every function called at least once per two requests, by `file function`. */
async function countCalls(session: inspector.Session, call: () => Promise<void>): Promise<Map<string, number>> {
  for (let i = 0; i < 200; i++) await call();
  await post(session, 'Profiler.startPreciseCoverage', { callCount: true, detailed: false });
  await post(session, 'Profiler.takePreciseCoverage');
  for (let i = 0; i < REQUESTS; i++) await call();
  const { result } = await post<Coverage>(session, 'Profiler.takePreciseCoverage');
  await post(session, 'Profiler.stopPreciseCoverage');
  const calls = new Map<string, number>();
  for (const script of result) {
    const file = script.url.replace(/.*node_modules\//, '').replace(/.*\/packages\//, '');
    for (const fn of script.functions) {
      const perRequest = fn.ranges[0]!.count / REQUESTS;
      if (perRequest >= 0.5) calls.set(`${file} ${fn.functionName || '(anonymous)'}`, perRequest);
    }
  }
  return calls;
}

async function main(): Promise<void> {
  const filter = process.argv[2];
  const echo = await startEchoMesh(__filename);
  const pool = new Pool(`http://127.0.0.1:${echo.port}`, { connections: null, pipelining: 1 });
  const call = (url: string, dispatcher: Dispatcher) => async () => {
    const { body } = await undiciRequest(url, { dispatcher });
    await body.text();
  };
  const session = new inspector.Session();
  session.connect();
  await post(session, 'Profiler.enable');
  const raw = await countCalls(session, call(`http://127.0.0.1:${echo.port}/x`, pool));
  const mesh = await countCalls(session, call('http://echo:9080/x', echo.mesh.dispatcher));
  const total = (calls: Map<string, number>) => [...calls.values()].reduce((a, b) => a + b, 0);
  console.log(`JS function calls per request (sequential, ${REQUESTS} requests)`);
  console.log(`  raw request(pool)  ${total(raw).toFixed(0).padStart(5)} calls, ${raw.size} functions`);
  console.log(`  mesh.dispatcher    ${total(mesh).toFixed(0).padStart(5)} calls, ${mesh.size} functions  (+${(total(mesh) - total(raw)).toFixed(0)} calls, +${mesh.size - raw.size} functions)`);
  if (filter) {
    for (const [name, perRequest] of [...mesh].filter(([name]) => name.includes(filter)).sort((a, b) => b[1] - a[1])) {
      console.log(`    ${perRequest.toFixed(1).padStart(5)}  ${name}`);
    }
  }
  session.disconnect();
  await pool.close();
  await echo.close();
}

if (isBackend()) runEchoBackend();
else main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
