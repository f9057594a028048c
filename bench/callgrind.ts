// Measurement script (not part of `npm run bench`): what one request costs the load process in
// instructions, simulated cache misses and branch mispredictions, counted by valgrind's callgrind —
// the http group's `undici-request` driver (raw `request(url, { dispatcher: pool })`) against its
// `mesh-dispatcher` driver (the same call through `mesh.dispatcher`), each in its own process as the
// group runs them, with the bench's HTTP server (1 KB bodies) and control plane in other processes
// and compiled packages. Unlike CPU time on a shared VM, these counts repeat within 1–2 % from run
// to run, so they show what a change to the dispatcher's path costs. Needs valgrind; about 5 minutes.
// Run: node --require tsx/cjs bench/callgrind.ts [requests]

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compiledPackagesNodeArgs } from '../testing/spawn';
import { findExecutable, ProcessSet } from './harness/processes';
import { meshServiceDocuments, meshTarget, startBenchPlane } from './harness/mesh-plane';
import { planPlacement } from './harness/placement';
import type { DriverTarget } from './load/driver';
import { createDriver } from './load/drivers';
import { startServer } from './servers/launch';

const LOAD_FLAG = '--load';
const CALLERS = 16;
const BODY_BYTES = 1024;
/** Requests before counting starts: the JIT has settled and every connection is open. */
const WARM_UP = 20_000;
/** The drivers compared, raw first. */
const DRIVERS = ['undici-request', 'mesh-dispatcher'] as const;
const EVENTS = ['Ir', 'Dr', 'Dw', 'I1mr', 'D1mr', 'D1mw', 'ILmr', 'DLmr', 'DLmw', 'Bc', 'Bcm', 'Bi', 'Bim'] as const;
type Counts = Record<(typeof EVENTS)[number], number>;

/** Runs `call` `count` times with CALLERS concurrent callers. */
async function closedLoop(call: () => Promise<void>, count: number): Promise<void> {
  let left = count;
  await Promise.all(Array.from({ length: CALLERS }, async () => {
    while (left-- > 0) await call();
  }));
}

/** Tells callgrind (in this process) to zero its counters (`-z`) or dump them (`-d`). */
function callgrindControl(command: '-z' | '-d'): Promise<void> {
  return new Promise((resolve, reject) => {
    const control = spawn('callgrind_control', [command, String(process.pid)], { stdio: 'ignore' });
    control.on('error', reject);
    control.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`callgrind_control ${command} exited with ${code}`))));
  });
}

/** The load process (run under callgrind): the driver warms up, then `requests` requests are counted between a zero and a dump. */
async function runLoad(driverName: string, target: DriverTarget, requests: number): Promise<void> {
  const driver = createDriver(driverName);
  await driver.setup(target);
  await closedLoop(() => driver.request(), WARM_UP);
  await callgrindControl('-z');
  await closedLoop(() => driver.request(), requests);
  await callgrindControl('-d');
  await driver.close();
}

/** Counts per request of a load process's main thread, from its dump in `outDir`. */
function countsPerRequest(outDir: string, requests: number): Counts {
  const dump = fs.readdirSync(outDir).find((name) => name.endsWith('.1-01'));
  if (!dump) throw new Error(`callgrind wrote no dump of the main thread in ${outDir}`);
  const text = fs.readFileSync(path.join(outDir, dump), 'utf8');
  const events = /^events: (.*)$/m.exec(text)?.[1]?.split(' ');
  const summary = /^summary: (.*)$/m.exec(text)?.[1]?.split(' ').map(Number);
  if (!events || !summary) throw new Error(`no events or summary line in ${dump}`);
  const out = {} as Counts;
  for (const event of EVENTS) out[event] = (summary[events.indexOf(event)] ?? 0) / requests;
  return out;
}

/**
 * A rough cycle estimate from the counts: an L1 miss 10 cycles, a last-level miss 100, a mispredicted
 * branch 15. The weights are typical, not this machine's; read it as a ranking, not as time.
 */
function estimatedCycles(c: Counts): number {
  return c.Ir + 10 * (c.I1mr + c.D1mr + c.D1mw) + 100 * (c.ILmr + c.DLmr + c.DLmw) + 15 * (c.Bcm + c.Bim);
}

/** Runs `driverName`'s load process under callgrind and returns its counts per request. */
async function countDriver(driverName: string, target: DriverTarget, requests: number, outDir: string): Promise<Counts> {
  const dir = path.join(outDir, driverName);
  fs.mkdirSync(dir);
  const valgrind = spawn('valgrind', [
    '--tool=callgrind', '--separate-threads=yes', '--cache-sim=yes', '--branch-sim=yes',
    `--callgrind-out-file=${path.join(dir, 'callgrind.%p')}`,
    process.execPath, ...compiledPackagesNodeArgs(), __filename, LOAD_FLAG, driverName, JSON.stringify(target), String(requests),
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  valgrind.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
  const code = await new Promise<number | null>((resolve, reject) => { valgrind.on('error', reject); valgrind.on('exit', resolve); });
  if (code !== 0) throw new Error(`the ${driverName} load process under valgrind exited with ${code}:\n${stderr}`);
  return countsPerRequest(dir, requests);
}

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 5000);
  if (!Number.isInteger(requests) || requests < 100) throw new Error(`requests must be an integer ≥ 100 (got ${process.argv[2]})`);
  if (!findExecutable('valgrind')) throw new Error('valgrind is not installed (apt-get install -y valgrind)');
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-callgrind-'));
  // Floating: the two load processes run at once, one per core; the counts do not depend on timing.
  const placement = planPlacement(os.cpus().length, undefined, false);
  const processes = new ProcessSet();
  try {
    const server = await startServer('http', placement, processes, BODY_BYTES);
    const mesh = meshTarget(await startBenchPlane({ placement, processes, tmpDir }, meshServiceDocuments('http', server.port), 'the bench service'));
    const target: DriverTarget = { url: `http://127.0.0.1:${server.port}/bench`, connections: CALLERS, payloadBytes: BODY_BYTES, mesh };
    const [raw, viaMesh] = await Promise.all(DRIVERS.map((name) => countDriver(name, target, requests, tmpDir)));
    const rows: [string, (c: Counts) => number][] = [
      ['instructions', (c) => c.Ir],
      ['L1 instruction misses', (c) => c.I1mr],
      ['L1 data misses', (c) => c.D1mr + c.D1mw],
      ['last-level misses', (c) => c.ILmr + c.DLmr + c.DLmw],
      ['mispredicted branches', (c) => c.Bcm + c.Bim],
      ['estimated cycles', estimatedCycles],
    ];
    console.log(`per request, main thread of the load process, ${requests} requests after ${WARM_UP} of warm-up, ${CALLERS} callers`);
    console.log(`${''.padEnd(24)}${DRIVERS[0].padStart(18)}${DRIVERS[1].padStart(18)}${'mesh / raw'.padStart(12)}`);
    for (const [name, value] of rows) {
      console.log(`${name.padEnd(24)}${value(raw!).toFixed(0).padStart(18)}${value(viaMesh!).toFixed(0).padStart(18)}${(value(viaMesh!) / value(raw!)).toFixed(3).padStart(12)}`);
    }
  } finally {
    await processes.stopAll();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === LOAD_FLAG) {
  const [driverName, target, requests] = process.argv.slice(3);
  runLoad(driverName!, JSON.parse(target!) as DriverTarget, Number(requests)).then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
} else {
  main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
}
