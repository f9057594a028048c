// The scenario registry: a scenario group is one file in bench/scenarios/ exporting `group`; the bench
// discovers the files at run time (nothing registers itself on import). A group either runs and
// returns a report, or says why it did not run.
import fs from 'node:fs';
import path from 'node:path';
import type { Pacer } from '../load/job';
import type { Placement } from './placement';
import type { ProcessSet } from './processes';
import type { QuietGate } from './quiet';
import type { LoadGroupReport } from './load-group';

/** The run-wide settings every group reads (from the command line). */
export interface BenchSettings {
  readonly quick: boolean;
  /** Measured window of each phase. */
  readonly durationMs: number;
  /** Warm-up before the closed-loop phase, not measured (the open loop warms min(this, 1 s)). */
  readonly warmupMs: number;
  /** Closed-loop workers, and the HTTP connections each driver may open. */
  readonly concurrency: number;
  /** How many times each scenario is measured (interleaved with the others). */
  readonly rounds: number;
  /** Open-loop rate, requests per second. */
  readonly rate: number;
  readonly pacer: Pacer;
  /** Response body size of the HTTP server and payload size of the gRPC echo. */
  readonly bodyBytes: number;
  /** Closed loop stops after this many requests instead of after the duration. */
  readonly requests?: number;
  /** Extra time the run may spend waiting for a quiet machine and re-measuring disturbed rows. */
  readonly patienceMs: number;
  /** Client counts of the control-plane fan-out group (`--xds-clients`; default 100, 1,000, 5,000). */
  readonly xdsClients?: readonly number[];
}

/** What a group gets to run with. */
export interface GroupContext {
  readonly settings: BenchSettings;
  readonly placement: Placement;
  /** Processes the group starts; the bench stops them all after the group (and on Ctrl-C). */
  readonly processes: ProcessSet;
  /** A scratch directory for config files, removed after the run. */
  readonly tmpDir: string;
  /** Clock ticks per second of /proc CPU times. */
  readonly ticksPerSecond: number;
  /** Run-wide guard against other processes disturbing the measurements. */
  readonly quiet: QuietGate;
  /** Prints a progress line. */
  log(line: string): void;
}

/** A free-form result for groups that are not load runs (control plane, memory, …). */
export interface TableGroupReport {
  readonly kind: 'table';
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly notes: readonly string[];
  /** Written to the results file as is; keep it small. */
  readonly data: unknown;
}

/** What a group produced. */
export type GroupReport = LoadGroupReport | TableGroupReport;

/** The outcome of running a group. */
export type GroupOutcome =
  | { readonly status: 'ran'; readonly report: GroupReport }
  | { readonly status: 'not-run'; readonly reason: string };

/** One scenario group: a file in bench/scenarios/ exporting `export const group: ScenarioGroup`. */
export interface ScenarioGroup {
  /** Name used by `--only`. */
  readonly name: string;
  /** Position in a full run (ascending). */
  readonly order: number;
  /** One line saying what the group measures. */
  readonly title: string;
  run(context: GroupContext): Promise<GroupOutcome>;
}

/** Loads every group file in `directory` (`*.ts`/`*.js`, not tests or declarations), sorted by order. */
export function discoverGroups(directory: string): ScenarioGroup[] {
  const files = fs
    .readdirSync(directory)
    .filter((name) => /\.(ts|js)$/.test(name) && !/\.(test|d)\.(ts|js)$/.test(name))
    .sort();
  const groups = files.map((file) => {
    const exported = (require(path.join(directory, file)) as { group?: ScenarioGroup }).group;
    if (!exported || typeof exported.run !== 'function' || typeof exported.name !== 'string') {
      throw new Error(`bench/scenarios/${file} must export \`group\` (a ScenarioGroup with name, order, title and run)`);
    }
    return exported;
  });
  const names = new Set<string>();
  for (const group of groups) {
    if (names.has(group.name)) throw new Error(`two scenario groups are named "${group.name}"`);
    names.add(group.name);
  }
  return groups.sort((a, b) => a.order - b.order);
}

/** A group that does not run yet, printing `NOT RUN: <reason>` (for placeholders). */
export function notRunGroup(name: string, order: number, title: string, reason: string): ScenarioGroup {
  return { name, order, title, run: async () => ({ status: 'not-run', reason }) };
}
