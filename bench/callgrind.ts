// Measurement script (not part of `npm run bench`): what one request costs the load process in
// instructions, simulated cache misses and branch mispredictions, counted by valgrind's callgrind —
// the raw `request(url, { dispatcher: pool })` client against the same call through
// `mesh.dispatcher`, each in its own process as the http group runs them (16 callers, the bench's
// HTTP server with 1 KB bodies, the control plane in another process, compiled packages). Unlike CPU
// time on a shared VM, these counts repeat within 1–2 % from run to run, so they show what a
// change to the dispatcher's path costs. Needs valgrind; takes about 5 minutes.
// Run: node --require tsx/cjs bench/callgrind.ts [requests]

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool, request } from 'undici';
import { compiledPackagesNodeArgs, waitForLine } from '../testing/spawn';
import { meshServiceDocuments, meshTarget } from './harness/mesh-plane';

const LOAD_FLAG = '--load';
const CALLERS = 16;
/** Requests before counting starts: the JIT has settled and every connection is open. */
const WARM_UP = 20_000;
const EVENTS = ['Ir', 'Dr', 'Dw', 'I1mr', 'D1mr', 'D1mw', 'ILmr', 'DLmr', 'DLmw', 'Bc', 'Bcm', 'Bi', 'Bim'] as const;
type Mode = 'raw' | 'mesh';

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

function startNode(file: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [...compiledPackagesNodeArgs(), path.join(__dirname, file), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** The load process (run under callgrind): warms up, then counts `requests` requests between a zero and a dump. */
async function runLoad(mode: Mode, requests: number): Promise<void> {
  const children: ChildProcess[] = [];
  try {
    const server = startNode('servers/http-server.ts', []);
    children.push(server);
    const port = Number((await waitForLine(server, /listening 127\.0\.0\.1:(\d+) ready/, 60_000))[1]);
    let call: () => Promise<void>;
    let close: () => Promise<void>;
    if (mode === 'raw') {
      const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CALLERS, pipelining: 1 });
      const url = `http://127.0.0.1:${port}/bench`;
      call = async () => { await (await request(url, { dispatcher: pool })).body.arrayBuffer(); };
      close = () => pool.close();
    } else {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-callgrind-'));
      const plane = startNode('servers/control-plane.ts', ['--data-dir', dataDir]);
      children.push(plane);
      const [, xds, api] = await waitForLine(plane, /^control plane xds=(\S+) api=(\S+) ready$/, 60_000);
      const token = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
      const documents = meshServiceDocuments('http', port).map((object, index) => ({ source: 'callgrind', index: index + 1, object }));
      const applied = await fetch(`${api}/apis/inboard.io/v1/apply`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ documents }),
      });
      if (!applied.ok) throw new Error(`the control plane refused the bench service (${applied.status}): ${await applied.text()}`);
      const target = meshTarget(xds!);
      const { connect } = require('@inboard/mesh-client') as typeof import('@inboard/mesh-client');
      const mesh = connect({ controlPlane: target.controlPlane, service: target.clientService, namespace: target.namespace });
      await mesh.ready;
      const url = target.serviceUrl;
      for (const deadline = Date.now() + 60_000; ;) {
        const decision = mesh.explain({ url }) as { decision?: string; endpoints?: { available?: boolean }[] };
        if (decision.decision === 'forward' && decision.endpoints?.some((e) => e.available)) break;
        if (Date.now() > deadline) throw new Error(`the mesh does not route ${url}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      call = async () => {
        const { statusCode, body } = await request(url, { dispatcher: mesh.dispatcher });
        await body.arrayBuffer();
        if (statusCode !== 200) throw new Error(`mesh.dispatcher answered ${statusCode}`);
      };
      close = () => mesh.close();
    }
    await closedLoop(call, WARM_UP);
    await callgrindControl('-z');
    await closedLoop(call, requests);
    await callgrindControl('-d');
    await close();
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
}

/** Counts per request of the load process's main thread, from its dump. */
function countsPerRequest(outDir: string, requests: number): Record<(typeof EVENTS)[number], number> {
  const dump = fs.readdirSync(outDir).find((name) => name.endsWith('.1-01'));
  if (!dump) throw new Error(`callgrind wrote no dump of the main thread in ${outDir}`);
  const text = fs.readFileSync(path.join(outDir, dump), 'utf8');
  const events = /^events: (.*)$/m.exec(text)?.[1]?.split(' ');
  const summary = /^summary: (.*)$/m.exec(text)?.[1]?.split(' ').map(Number);
  if (!events || !summary) throw new Error(`no events or summary line in ${dump}`);
  const out = {} as Record<(typeof EVENTS)[number], number>;
  for (const event of EVENTS) out[event] = (summary[events.indexOf(event)] ?? 0) / requests;
  return out;
}

/**
 * A rough cycle estimate from the counts: an L1 miss 10 cycles, a last-level miss 100, a mispredicted
 * branch 15. The weights are typical, not this machine's; read it as a ranking, not as time.
 */
function estimatedCycles(c: Record<(typeof EVENTS)[number], number>): number {
  return c.Ir + 10 * (c.I1mr + c.D1mr + c.D1mw) + 100 * (c.ILmr + c.DLmr + c.DLmw) + 15 * (c.Bcm + c.Bim);
}

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 5000);
  if (!Number.isInteger(requests) || requests < 100) throw new Error(`requests must be an integer ≥ 100 (got ${process.argv[2]})`);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-callgrind-out-'));
  const modes: Mode[] = ['raw', 'mesh'];
  // Both load processes at once (one per core): the counts do not depend on timing.
  await Promise.all(modes.map(async (mode) => {
    fs.mkdirSync(path.join(outDir, mode));
    const valgrind = spawn('valgrind', [
      '--tool=callgrind', '--separate-threads=yes', '--cache-sim=yes', '--branch-sim=yes',
      `--callgrind-out-file=${path.join(outDir, mode, 'callgrind.%p')}`,
      process.execPath, ...compiledPackagesNodeArgs(), __filename, LOAD_FLAG, mode, String(requests),
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    valgrind.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
    const code = await new Promise<number | null>((resolve, reject) => { valgrind.on('error', reject); valgrind.on('exit', resolve); });
    if (code !== 0) throw new Error(`the ${mode} load process under valgrind exited with ${code}:\n${stderr}`);
  }));
  const raw = countsPerRequest(path.join(outDir, 'raw'), requests);
  const mesh = countsPerRequest(path.join(outDir, 'mesh'), requests);
  const rows: [string, (c: typeof raw) => number][] = [
    ['instructions', (c) => c.Ir],
    ['L1 instruction misses', (c) => c.I1mr],
    ['L1 data misses', (c) => c.D1mr + c.D1mw],
    ['last-level misses', (c) => c.ILmr + c.DLmr + c.DLmw],
    ['mispredicted branches', (c) => c.Bcm + c.Bim],
    ['estimated cycles', estimatedCycles],
  ];
  console.log(`per request, main thread of the load process, ${requests} requests after ${WARM_UP} of warm-up, ${CALLERS} callers`);
  console.log(`${''.padEnd(24)}${'raw request(pool)'.padStart(18)}${'mesh.dispatcher'.padStart(18)}${'mesh / raw'.padStart(12)}`);
  for (const [name, value] of rows) {
    console.log(`${name.padEnd(24)}${value(raw).toFixed(0).padStart(18)}${value(mesh).toFixed(0).padStart(18)}${(value(mesh) / value(raw)).toFixed(3).padStart(12)}`);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
}

if (process.argv[2] === LOAD_FLAG) {
  const mode = process.argv[3];
  if (mode !== 'raw' && mode !== 'mesh') throw new Error(`${LOAD_FLAG} takes raw or mesh (got ${mode})`);
  runLoad(mode, Number(process.argv[4])).then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
} else {
  main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
}
