// CLI of the fortio-like load client, with fortio's flags:
//   load-cli.ts [load] -c 2 -qps 0 -n 20 [-t 5s] [-H 'name: value'] [-timeout 3s] [-json -] URL
// Prints fortio's report (`Code 200 : 17 (85.0 %)` …). Outbound calls use global fetch.
import { parseArgs } from 'node:util';
import { BookinfoError } from '../services/errors';
import type { FetchLike } from '../services/types';
import type { LoadOptions } from './load-client';
import { runLoad } from './load-client';
import { formatLoadSummary, loadSummaryJson } from './load-summary';

/** Usage text of the load client. */
export const LOAD_USAGE = `usage: load-cli.ts [load] [flags] URL
  -c N          concurrent connections (default 4)
  -qps N        total queries per second, 0 or -1 = as fast as possible (default 8)
  -n N          exact number of calls (overrides -t)
  -t DURATION   how long to run, e.g. 5s, 1m, 500ms; 0 = until interrupted (default 5s)
  -H 'K: V'     extra request header, repeatable
  -X METHOD     request method (default GET)
  -payload S    request body
  -timeout D    per-call timeout (default 3s)
  -json -       also print a JSON summary to stdout
`;

/** Parses a Go-style duration (`1m30s`, `500ms`, `2s`, `0`) into milliseconds. */
export function parseGoDuration(text: string): number {
  if (text === '0') return 0;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  while (index < text.length) {
    part.lastIndex = index;
    const match = part.exec(text);
    if (!match) throw new BookinfoError('BAD_FLAG', `"${text}" is not a duration (examples: 5s, 1m30s, 500ms)`);
    total += Number(match[1]) * units[match[2]!]!;
    index = part.lastIndex;
  }
  if (text.length === 0) throw new BookinfoError('BAD_FLAG', 'empty duration');
  return total;
}

/** Go's flag package accepts `-qps 0`; node's parseArgs wants `--qps`. Negative values are joined. */
function normalise(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (/^-[A-Za-z]/.test(arg)) {
      const flag = `-${arg}`;
      const next = argv[i + 1];
      if (!flag.includes('=') && next !== undefined && /^-\d/.test(next)) {
        out.push(`${flag}=${next}`);
        i++;
      } else out.push(flag);
    } else out.push(arg);
  }
  return out;
}

/** A parsed load command. */
export type LoadCommand = { readonly help: true } | { readonly help: false; readonly options: Omit<LoadOptions, 'fetch' | 'signal'>; readonly json: boolean };

/** Parses the load client's command line. */
export function parseLoadArgs(argv: readonly string[]): LoadCommand {
  const args = argv[0] === 'load' ? argv.slice(1) : argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: normalise(args),
      strict: true,
      allowPositionals: true,
      options: {
        c: { type: 'string' },
        qps: { type: 'string' },
        n: { type: 'string' },
        t: { type: 'string' },
        H: { type: 'string', multiple: true },
        X: { type: 'string' },
        payload: { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean' },
        h: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new BookinfoError('BAD_FLAG', `${(error as Error).message}\n\n${LOAD_USAGE}`);
  }
  const v = parsed.values;
  if (v.help || v.h) return { help: true };
  if (parsed.positionals.length !== 1) throw new BookinfoError('BAD_FLAG', `expected exactly one URL, got ${parsed.positionals.length}\n\n${LOAD_USAGE}`);
  const integer = (flag: string, text: string | undefined, fallback: number | undefined, min: number) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new BookinfoError('BAD_FLAG', `-${flag} must be an integer ≥ ${min}, got "${text}"`);
    return n;
  };
  const qpsText = v.qps ?? '8';
  const qpsNumber = Number(qpsText);
  if (!Number.isFinite(qpsNumber) || qpsNumber < -1) throw new BookinfoError('BAD_FLAG', `-qps must be a number ≥ -1, got "${qpsText}"`);
  const headers: Record<string, string> = {};
  for (const header of v.H ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new BookinfoError('BAD_FLAG', `-H expects "Name: value", got "${header}"`);
    headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }
  if (v.json !== undefined && v.json !== '-') throw new BookinfoError('BAD_FLAG', '-json supports only "-" (stdout)');
  const calls = integer('n', v.n, undefined, 1);
  return {
    help: false,
    json: v.json === '-',
    options: {
      url: parsed.positionals[0]!,
      connections: integer('c', v.c, 4, 1)!,
      qps: qpsNumber <= 0 ? 0 : qpsNumber,
      ...(calls !== undefined ? { calls } : { durationMs: parseGoDuration(v.t ?? '5s') }),
      ...(v.X !== undefined ? { method: v.X.toUpperCase() } : {}),
      ...(v.payload !== undefined ? { body: v.payload } : {}),
      headers,
      timeoutMs: parseGoDuration(v.timeout ?? '3s'),
    },
  };
}

/** Runs the CLI with `argv` and `fetch`; resolves with the exit code. */
export async function loadMain(argv: readonly string[], fetchFn: FetchLike, out: (text: string) => void, signal?: AbortSignal): Promise<number> {
  const command = parseLoadArgs(argv);
  if (command.help) {
    out(LOAD_USAGE);
    return 0;
  }
  const { options } = command;
  const amount = options.calls !== undefined ? `for ${options.calls} calls` : options.durationMs ? `for ${options.durationMs / 1000}s` : 'until interrupted';
  out(`Fortio-like load (inboard) running at ${options.qps} queries per second, ${options.connections} connection(s), ${amount}: ${options.url}\n`);
  const result = await runLoad({ ...options, fetch: fetchFn, ...(signal ? { signal } : {}) });
  out(formatLoadSummary(result));
  if (command.json) out(`${JSON.stringify(loadSummaryJson(result), null, 2)}\n`);
  return 0;
}

if (require.main === module) {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  loadMain(process.argv.slice(2), globalThis.fetch, (text) => process.stdout.write(text), stop.signal).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof BookinfoError ? `${error.code}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
