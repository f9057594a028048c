// The bench side of ./plane-process.ts: starts a control plane on the server core, applies documents
// through its admin API, reads its memory after a forced GC, and kills or restarts it in place.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compiledPackagesNodeArgs, waitForLine } from '../../testing/spawn';
import type { GroupContext } from '../harness/group';
import { placedCommand } from '../harness/placement';
import { captureOutput } from '../harness/processes';

const PLANE_FILE = path.join(__dirname, 'plane-process.ts');
/** Set to a directory to write a V8 CPU profile of every control plane the bench starts (node --cpu-prof). */
export const CPU_PROFILE_ENV = 'INBOARD_BENCH_CPU_PROF';
const READY_LINE = /^plane xds=(\S+) api=(\S+) ca=(\S+) ready$/;
const MEMORY_LINE = /^mem rss=(\d+) heap=(\d+) gc=(yes|no)$/;

/** Memory of the control plane's process after a forced GC, bytes. */
export interface PlaneMemory {
  readonly rss: number;
  readonly heap: number;
}

/** A running control plane process. */
export interface BenchPlane {
  readonly child: ChildProcess;
  readonly xdsAddress: string;
  readonly xdsPort: number;
  readonly apiAddress: string;
  readonly caAddress: string;
  readonly dataDir: string;
  /** The admin token (from the data dir). */
  readonly token: string;
}

/** Starts a control plane on the server core with `dataDir` (created if missing) and `xdsPort` (0 = free). */
export async function startPlane(context: GroupContext, dataDir: string, xdsPort = 0, timeoutMs = 30_000): Promise<BenchPlane> {
  fs.mkdirSync(dataDir, { recursive: true });
  const profileDir = process.env[CPU_PROFILE_ENV];
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(profileDir)] : [];
  const args = [...compiledPackagesNodeArgs(), '--expose-gc', ...profile, PLANE_FILE, '--data-dir', dataDir, '--xds-port', String(xdsPort)];
  const { command, args: placed } = placedCommand(context.placement, 'server', process.execPath, args);
  const child = context.processes.add(spawn(command, placed, { stdio: ['pipe', 'pipe', 'pipe'] }));
  captureOutput(child); // keeps the pipes drained
  const [, xdsAddress, apiAddress, caAddress] = await waitForLine(child, READY_LINE, timeoutMs);
  const token = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
  return { child, xdsAddress: xdsAddress!, xdsPort: Number(xdsAddress!.split(':').pop()), apiAddress: apiAddress!, caAddress: caAddress!, dataDir, token };
}

/** Applies Kubernetes-style documents through the admin API; throws with the API's answer on refusal. */
export async function applyDocuments(plane: BenchPlane, documents: readonly object[], source = 'bench'): Promise<void> {
  const response = await fetch(`${plane.apiAddress}/apis/inboard.io/v1/apply`, {
    method: 'POST',
    headers: { authorization: `Bearer ${plane.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ documents: documents.map((object, index) => ({ source, index: index + 1, object })) }),
  });
  if (!response.ok) throw new Error(`the control plane refused the apply (${response.status}): ${(await response.text()).slice(0, 500)}`);
  await response.arrayBuffer().catch(() => undefined);
}

/** The plane's RSS and heap after two forced GCs. */
export async function planeMemory(plane: BenchPlane): Promise<PlaneMemory> {
  const answer = waitForLine(plane.child, MEMORY_LINE, 30_000);
  plane.child.stdin!.write('mem\n');
  const [, rss, heap] = await answer;
  return { rss: Number(rss), heap: Number(heap) };
}

/**
 * Kills the plane at once (SIGKILL, as a crash) and waits for it to exit. While profiling
 * (INBOARD_BENCH_CPU_PROF) it stops it with SIGTERM instead, so the profile gets written.
 */
export async function killPlane(context: GroupContext, plane: BenchPlane): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (plane.child.exitCode !== null || plane.child.signalCode !== null) resolve();
    else plane.child.once('exit', () => resolve());
  });
  plane.child.kill(process.env[CPU_PROFILE_ENV] ? 'SIGTERM' : 'SIGKILL');
  await exited;
  await context.processes.stop(plane.child);
}

/** GET `pathname` of the admin API as JSON. */
export async function getJson<T>(plane: BenchPlane, pathname: string): Promise<T> {
  const response = await fetch(`${plane.apiAddress}${pathname}`, { headers: { authorization: `Bearer ${plane.token}` } });
  if (!response.ok) throw new Error(`GET ${pathname}: ${response.status} ${(await response.text()).slice(0, 300)}`);
  return (await response.json()) as T;
}
