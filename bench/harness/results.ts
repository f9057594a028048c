// The results file: every group's figures with the machine and the settings they came from, written
// to bench/results/. A complete run writes <YYYY-MM-DD>.json (committed); a --quick or --only run
// writes a git-ignored .tmp file so it never replaces the day's full results.
import fs from 'node:fs';
import path from 'node:path';
import type { BenchSettings, GroupReport } from './group';
import type { MachineFacts } from './machine';
import type { Placement } from './placement';

/** One group in the results file. */
export interface GroupResult {
  readonly name: string;
  readonly title: string;
  readonly status: 'ran' | 'not-run' | 'failed';
  readonly reason?: string;
  readonly report?: GroupReport;
}

/** The whole results file. */
export interface ResultsFile {
  readonly schema: 1;
  readonly startedAt: string;
  readonly durationS: number;
  readonly command: string;
  readonly machine: MachineFacts;
  /** 1-minute load average when the run started (a busy machine makes every figure noisy). */
  readonly loadAverageAtStart: number;
  readonly placement: Omit<Placement, 'taskset'>;
  readonly settings: BenchSettings;
  readonly groups: readonly GroupResult[];
}

/** The file name for a run started at `startedAt` (UTC date). */
export function resultsFileName(startedAt: Date, kind: 'full' | 'quick' | 'partial'): string {
  const date = startedAt.toISOString().slice(0, 10);
  return kind === 'full' ? `${date}.json` : `${date}.${kind}.tmp`;
}

/** Writes the results as indented JSON and returns the path. */
export function writeResults(file: string, results: ResultsFile): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(results, null, 1)}\n`);
  return file;
}
