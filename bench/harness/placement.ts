// Where each process of a run executes. On a machine with two or more cores the bench pins the
// client side (load generator + its sidecar proxy) to one core and the server side (server + its
// sidecar proxy) to another with `taskset`, as two pods with a one-core budget each would run.

/** The two sides of a request path; a sidecar proxy runs on the side it belongs to. */
export type Side = 'client' | 'server';

/** The pinning decided for a run. */
export interface Placement {
  readonly pinned: boolean;
  /** Core of the load process and the client-side proxy (when pinned). */
  readonly clientCore?: number;
  /** Core of the server and the server-side proxy (when pinned). */
  readonly serverCore?: number;
  /** `taskset` binary used for pinning. */
  readonly taskset?: string;
  /** One line for the report saying what was decided and why. */
  readonly note: string;
}

/** Decides the placement from the core count, the `taskset` binary (if found) and the user's wish. */
export function planPlacement(cpuCount: number, taskset: string | undefined, wantPinning: boolean): Placement {
  if (!wantPinning) return { pinned: false, note: 'floating: processes not pinned (--no-pin)' };
  if (!taskset) return { pinned: false, note: 'floating: taskset not found (Debian package util-linux)' };
  if (cpuCount < 2) return { pinned: false, note: `floating: only ${cpuCount} core` };
  return {
    pinned: true,
    clientCore: 0,
    serverCore: 1,
    taskset,
    note: 'pinned with taskset: client side (load generator, client-side proxy) on core 0; server side (server, server-side proxy) on core 1',
  };
}

/** The core a process of `side` runs on, or undefined when floating. */
export function coreFor(placement: Placement, side: Side): number | undefined {
  if (!placement.pinned) return undefined;
  return side === 'client' ? placement.clientCore : placement.serverCore;
}

/** The command line that runs `command args` on `side`'s core (unchanged when floating). */
export function placedCommand(placement: Placement, side: Side, command: string, args: readonly string[]): { command: string; args: string[] } {
  const core = coreFor(placement, side);
  if (core === undefined || !placement.taskset) return { command, args: [...args] };
  return { command: placement.taskset, args: ['-c', String(core), command, ...args] };
}
