// The bench's command line: flags → settings (pure; node:util parseArgs does the tokenising).
import { parseArgs } from 'node:util';
import type { Pacer } from '../load/job';
import type { BenchSettings } from './group';

/** Everything the command line decides. */
export interface BenchOptions {
  readonly settings: BenchSettings;
  /** Groups to run (`--only`); empty = all. */
  readonly only: readonly string[];
  readonly pin: boolean;
  /** Results file to write instead of the default one. */
  readonly out?: string;
  /** Also print the tables as Markdown (for docs/benchmarks.md). */
  readonly markdown: boolean;
  readonly list: boolean;
  readonly help: boolean;
}

/** The usage text. */
export const USAGE = `usage: npm run bench -- [options]

  --only <g1,g2>       run only these groups (see --list)
  --quick              short smoke run: 0.8 s windows, 0.3 s warm-up, 1 round (under a minute; the JIT
                       is still cold after 0.3 s, so quick figures are not representative)
  --duration <s>       measured window of each phase (default 4; quick 0.8)
  --warmup <s>         warm-up before the closed loop, not measured (default 2: undici's fetch needs
                       ~2 s of load before the JIT settles); the open loop then warms min(this, 1 s)
  --rounds <n>         times each scenario is measured, interleaved (default 3; quick 1)
  --concurrency <n>    closed-loop workers = HTTP connections per driver (default 16)
  --rate <req/s>       open-loop rate (default 1000, Istio's benchmark rate)
  --requests <n>       closed loop stops after n requests instead of after --duration
  --body-bytes <n>     HTTP response body / gRPC echo payload size (default 1024)
  --pacer <p>          open-loop pacing: precise (default) blocks the idle client thread until each
                       send is due (futex sleep + ≤ 0.2 ms busy-wait), so sends leave within µs without
                       burning the core a client-side proxy shares; timer uses 1 ms-granular timers
                       only (~0.5 ms of send lag in every latency)
  --patience <s>       extra time the run may spend waiting for other processes to leave the CPU alone
                       and re-measuring rows they disturbed (default 60; quick 0; 0 = never wait)
  --xds-clients <n,…>  client counts of the control-plane fan-out group (default 100,1000,5000)
  --no-pin             do not pin processes to cores with taskset
  --out <file>         results file (default bench/results/<date>.json; .tmp for --quick/--only runs)
  --markdown           also print the tables as Markdown
  --list               list the groups and exit
  --help               this text`;

function positiveNumber(flag: string, raw: string | undefined, fallback: number, integer: boolean): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`--${flag} must be a positive ${integer ? 'integer' : 'number'} (got "${raw}")`);
  }
  return value;
}

function nonNegativeNumber(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${flag} must be a number ≥ 0 (got "${raw}")`);
  return value;
}

/** Parses the bench's arguments; throws an Error naming the flag at fault. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      requests: { type: 'string' },
      'body-bytes': { type: 'string' },
      pacer: { type: 'string' },
      patience: { type: 'string' },
      'xds-clients': { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      out: { type: 'string' },
      markdown: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const quick = values.quick === true;
  const pacer = (values.pacer ?? 'precise') as Pacer;
  if (pacer !== 'timer' && pacer !== 'precise') throw new Error(`--pacer must be "precise" or "timer" (got "${values.pacer}")`);
  const requests = values.requests === undefined ? undefined : positiveNumber('requests', values.requests, 0, true);
  const xdsClients = values['xds-clients'] === undefined
    ? undefined
    : values['xds-clients'].split(',').map((raw) => positiveNumber('xds-clients', raw.trim(), 0, true));
  const settings: BenchSettings = {
    quick,
    durationMs: Math.round(positiveNumber('duration', values.duration, quick ? 0.8 : 4, false) * 1000),
    warmupMs: Math.round(positiveNumber('warmup', values.warmup, quick ? 0.3 : 2, false) * 1000),
    rounds: positiveNumber('rounds', values.rounds, quick ? 1 : 3, true),
    concurrency: positiveNumber('concurrency', values.concurrency, 16, true),
    rate: positiveNumber('rate', values.rate, 1000, false),
    bodyBytes: positiveNumber('body-bytes', values['body-bytes'], 1024, true),
    pacer,
    patienceMs: Math.round(nonNegativeNumber('patience', values.patience, quick ? 0 : 60) * 1000),
    ...(requests !== undefined ? { requests } : {}),
    ...(xdsClients !== undefined ? { xdsClients } : {}),
  };
  const only = (values.only ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  return {
    settings,
    only,
    pin: values['no-pin'] !== true,
    ...(values.out !== undefined ? { out: values.out } : {}),
    markdown: values.markdown === true,
    list: values.list === true,
    help: values.help === true,
  };
}
