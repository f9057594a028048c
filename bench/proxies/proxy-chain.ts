// Starts sidecar-style proxy hops in front of a server, each in its own process on its side's core:
// one hop on the client side (client → proxy → server), or one on each side
// (client → proxy → proxy → server) as a sidecar mesh has it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort } from '../../testing/spawn';
import { placedCommand, type Placement, type Side } from '../harness/placement';
import { captureOutput, findExecutable, waitForPort, type ProcessSet } from '../harness/processes';
import { processTree } from '../harness/proc-cpu';
import type { ProxyKind } from './proxy-kind';

/** Where the hops sit. */
export type ProxyLayout = 'client-side' | 'both-sides';

/** Whether a proxy product can run here. */
export type ProxyAvailability =
  | { readonly available: true; readonly binary: string; readonly version: string }
  | { readonly available: false; readonly reason: string };

/** A started chain of hops; `pids` covers every process of every hop (for CPU sampling). */
export interface RunningChain {
  readonly entryPort: number;
  readonly pids: readonly number[];
  readonly hops: readonly { readonly side: Side; readonly port: number }[];
}

/** Looks for the proxy's binary and its version; the reason names the Debian package to install. */
export function proxyAvailability(kind: ProxyKind): ProxyAvailability {
  const binary = findExecutable(kind.binary);
  if (!binary) return { available: false, reason: `install ${kind.debianPackage} (apt-get install -y ${kind.debianPackage}): no ${kind.binary} binary found` };
  // haproxy prints its version to stdout, nginx to stderr.
  const printed = spawnSync(binary, [...kind.versionArgs], { encoding: 'utf8', timeout: 5_000 });
  const firstLine = `${printed.stdout ?? ''}${printed.stderr ?? ''}`.split('\n')[0]!.trim();
  return { available: true, binary, version: firstLine.replace(/^nginx version: /, '') || `${kind.name} (unknown version)` };
}

/** What starting a chain needs from the run. */
export interface ChainContext {
  readonly placement: Placement;
  readonly processes: ProcessSet;
  /** Directory the hops' config and temp files go under (removed by the run). */
  readonly tmpDir: string;
}

/** Starts the hops of `layout` in front of 127.0.0.1:`backendPort` and checks a request passes through. */
export async function startProxyChain(kind: ProxyKind, binary: string, layout: ProxyLayout, backendPort: number, context: ChainContext): Promise<RunningChain> {
  const sides: Side[] = layout === 'both-sides' ? ['server', 'client'] : ['client'];
  const hops: { side: Side; port: number; pid: number }[] = [];
  let next = backendPort;
  for (const side of sides) {
    const listenPort = await freePort();
    const workDir = fs.mkdtempSync(path.join(context.tmpDir, `${kind.name}-${side}-`));
    fs.chmodSync(workDir, 0o755);
    const hop = { listenPort, backendPort: next, workDir };
    const configPath = path.join(workDir, `${kind.name}.conf`);
    fs.writeFileSync(configPath, kind.config(hop));
    const { command, args } = placedCommand(context.placement, side, binary, kind.args(configPath, hop));
    const child = context.processes.add(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    const output = captureOutput(child);
    try {
      await waitForPort(listenPort, 10_000, child);
    } catch (error) {
      throw new Error(`${kind.name} (${side} side) did not start: ${(error as Error).message}\n${output().trim()}`);
    }
    hops.push({ side, port: listenPort, pid: child.pid! });
    next = listenPort;
  }
  await expectOkThrough(next, kind.name);
  return {
    entryPort: next,
    pids: hops.flatMap((hop) => processTree(hop.pid)),
    hops: hops.map(({ side, port }) => ({ side, port })).reverse(),
  };
}

/** One GET through the chain; rejects unless it answers 200. */
function expectOkThrough(port: number, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/bench', agent: false, timeout: 5_000 }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`${name} chain answered ${response.statusCode}`))));
    });
    request.on('timeout', () => request.destroy(new Error(`${name} chain did not answer within 5 s`)));
    request.on('error', reject);
  });
}
