// `npm run bench`: runs the scenario groups found in bench/scenarios/ (each scenario of a group side
// by side in this one run), prints their tables with ratios to each row's baseline, and writes
// bench/results/<date>.json. See docs/benchmarks.md for the method and the latest figures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverGroups, type GroupContext, type GroupOutcome, type GroupReport, type ScenarioGroup } from './harness/group';
import { openWarmupMs } from './harness/measure-round';
import { latencyTable, reportNotes, throughputTable, type TableData } from './harness/load-report';
import { describeMachine, machineFacts } from './harness/machine';
import { parseOptions, USAGE, type BenchOptions } from './harness/options';
import { planPlacement } from './harness/placement';
import { clockTicksPerSecond, procAvailable } from './harness/proc-cpu';
import { findExecutable, ProcessSet } from './harness/processes';
import { QuietGate } from './harness/quiet';
import { resultsFileName, writeResults, type GroupResult } from './harness/results';
import { renderMarkdown, renderText } from './harness/table';

const RESULTS_DIR = path.join(__dirname, 'results');
const SCENARIOS_DIR = path.join(__dirname, 'scenarios');

function printTable(table: TableData, markdown: boolean): void {
  console.log(`\n${table.title}\n`);
  console.log(renderText(table.columns, table.rows));
  if (markdown) console.log(`\n${renderMarkdown(table.columns, table.rows)}`);
}

function printReport(report: GroupReport, options: BenchOptions): void {
  if (report.kind === 'load') {
    printTable(throughputTable(report, options.settings), options.markdown);
    printTable(latencyTable(report, options.settings), options.markdown);
    console.log('');
    for (const line of reportNotes(report)) console.log(line);
  } else {
    printTable({ title: '', columns: report.columns.map((title) => ({ title, align: 'left' })), rows: report.rows }, options.markdown);
    for (const line of report.notes) console.log(line);
  }
}

function selectGroups(all: readonly ScenarioGroup[], only: readonly string[]): ScenarioGroup[] {
  if (only.length === 0) return [...all];
  const unknown = only.filter((name) => !all.some((group) => group.name === name));
  if (unknown.length > 0) throw new Error(`unknown group(s) ${unknown.join(', ')}; groups: ${all.map((group) => group.name).join(', ')}`);
  return all.filter((group) => only.includes(group.name));
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const groups = discoverGroups(SCENARIOS_DIR);
  if (options.list) {
    for (const group of groups) console.log(`${group.name.padEnd(15)} ${group.title}`);
    return 0;
  }
  let selected: ScenarioGroup[];
  try {
    selected = selectGroups(groups, options.only);
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    return 2;
  }

  const startedAt = new Date();
  const machine = machineFacts();
  const placement = planPlacement(machine.cores, findExecutable('taskset'), options.pin);
  const { settings } = options;
  console.log(`Inboard bench — ${startedAt.toISOString()}`);
  console.log(`machine: ${describeMachine(machine)}`);
  console.log(`placement: ${placement.note}`);
  const loadAverage = Number(os.loadavg()[0]!.toFixed(2));
  console.log(`load average at start: ${loadAverage}${loadAverage >= 0.5 ? ' — WARNING: the machine is busy; close other work for figures you can trust' : ''}`);
  console.log(
    `settings: ${settings.quick ? 'QUICK smoke run; ' : ''}closed loop ${settings.concurrency} concurrent, open loop ${settings.rate} req/s (${settings.pacer} pacer), ` +
      `${settings.warmupMs / 1000} s warm-up (open loop ${openWarmupMs(settings) / 1000} s) + ${settings.durationMs / 1000} s measured per phase, ` +
      `${settings.rounds} round(s), ${settings.bodyBytes} B bodies, patience ${settings.patienceMs / 1000} s for a busy machine`,
  );
  if (!procAvailable()) console.log('NOTE: /proc is not readable here; server and proxy CPU will read as 0');

  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-bench-'));
  fs.chmodSync(tmpDir, 0o755);
  let processes = new ProcessSet();
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\nbench: ${signal}, stopping the processes it started`);
    void processes.stopAll().finally(() => {
      fs.rmSync(tmpDir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results: GroupResult[] = [];
  let failures = 0;
  const ticksPerSecond = clockTicksPerSecond();
  const quiet = new QuietGate(ticksPerSecond, settings.patienceMs);
  for (const group of selected) {
    console.log(`\n== ${group.name}: ${group.title}`);
    processes = new ProcessSet();
    const context: GroupContext = { settings, placement, processes, tmpDir, ticksPerSecond, quiet, log: (line) => console.log(line) };
    let outcome: GroupOutcome | { status: 'failed'; reason: string };
    try {
      outcome = await group.run(context);
    } catch (error) {
      outcome = { status: 'failed', reason: error instanceof Error ? error.message : String(error) };
    } finally {
      await processes.stopAll();
    }
    if (outcome.status === 'ran') {
      printReport(outcome.report, options);
      if (outcome.report.kind === 'load' && outcome.report.scenarios.some((scenario) => scenario.status === 'failed')) failures++;
      results.push({ name: group.name, title: group.title, status: 'ran', report: outcome.report });
    } else {
      console.log(`${outcome.status === 'not-run' ? 'NOT RUN' : 'FAILED'}: ${group.name}: ${outcome.reason}`);
      if (outcome.status === 'failed') failures++;
      results.push({ name: group.name, title: group.title, status: outcome.status, reason: outcome.reason });
    }
  }
  fs.rmSync(tmpDir, { recursive: true, force: true });

  const kind = settings.quick ? 'quick' : options.only.length > 0 ? 'partial' : 'full';
  const file = options.out ? path.resolve(options.out) : path.join(RESULTS_DIR, resultsFileName(startedAt, kind));
  const { taskset: _taskset, ...placementFacts } = placement;
  writeResults(file, {
    schema: 1,
    startedAt: startedAt.toISOString(),
    durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
    command: ['npm run bench --', ...process.argv.slice(2)].join(' '),
    machine,
    loadAverageAtStart: loadAverage,
    placement: placementFacts,
    settings,
    groups: results,
  });
  console.log(`\nresults: ${path.relative(process.cwd(), file)} (${Math.round((Date.now() - startedAt.getTime()) / 1000)} s)`);
  return failures > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
