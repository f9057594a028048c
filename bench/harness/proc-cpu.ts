// CPU time of the bench's other processes (servers, proxies) read from Linux /proc, so their cost
// per request can be reported over a load process's measured window.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Fields of /proc/<pid>/stat the bench uses. */
export interface ProcStat {
  readonly parentPid: number;
  /** utime + stime, in clock ticks. */
  readonly cpuTicks: number;
}

/**
 * Parses one /proc/<pid>/stat line. The command name (field 2) may contain spaces and parentheses,
 * so fields are counted from the last ')'. Returns undefined for a malformed line.
 */
export function parseProcStat(line: string): ProcStat | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = line.slice(close + 2).trim().split(/\s+/); // fields[0] is field 3 (state)
  const parentPid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (![parentPid, utime, stime].every(Number.isFinite)) return undefined;
  return { parentPid, cpuTicks: utime + stime };
}

/** Clock ticks per second of /proc times (`getconf CLK_TCK`, 100 when unknown). */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

function readStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** `rootPid` and all its descendants alive now (e.g. an nginx master and its worker). */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [rootPid];
  }
  for (const entry of entries) {
    const stat = readStat(Number(entry));
    if (stat) children.set(stat.parentPid, [...(children.get(stat.parentPid) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    tree.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** True when /proc can be read here (Linux). */
export function procAvailable(): boolean {
  return fs.existsSync('/proc/self/stat');
}

/**
 * Busy CPU time of the whole machine from the first line of /proc/stat, in clock ticks:
 * user + nice + system + irq + softirq + steal (idle and iowait left out). Undefined if malformed.
 */
export function parseSystemBusyTicks(statText: string): number | undefined {
  const line = statText.split('\n').find((candidate) => candidate.startsWith('cpu '));
  if (!line) return undefined;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = [user, nice, system, irq, softirq, steal ?? 0];
  return busy.every((value) => Number.isFinite(value)) ? busy.reduce((sum, value) => sum! + value!, 0)! : undefined;
}

/** Busy CPU time of the whole machine so far, µs (0 where /proc/stat cannot be read). */
export function sampleSystemBusyUs(ticksPerSecond: number): number {
  try {
    return ((parseSystemBusyTicks(fs.readFileSync('/proc/stat', 'utf8')) ?? 0) * 1e6) / ticksPerSecond;
  } catch {
    return 0;
  }
}

/** Reads the summed CPU time of a fixed set of processes, in µs (resolution: one clock tick). */
export class CpuProbe {
  constructor(
    private readonly pids: readonly number[],
    private readonly ticksPerSecond: number,
  ) {}

  /** Total user+system CPU so far, µs; processes that have gone count as 0. */
  sampleUs(): number {
    let ticks = 0;
    for (const pid of this.pids) ticks += readStat(pid)?.cpuTicks ?? 0;
    return (ticks * 1e6) / this.ticksPerSecond;
  }
}
