// Parses the command line of `services/main.ts` into a ServiceSpec plus where to listen:
// `--service reviews --version v2 --port 9082 --upstream ratings=http://127.0.0.1:9083`.
import { parseArgs } from 'node:util';
import type { ServiceName, ServiceSpec } from './catalog';
import { DEFAULT_PORTS, asServiceName } from './catalog';
import { BookinfoError } from './errors';

/** A parsed command line. */
export interface ServiceCommand {
  /** `--help` was given: print {@link SERVICE_USAGE} and exit. */
  readonly help: boolean;
  readonly spec: ServiceSpec;
  readonly port: number;
  readonly host: string;
  /** `--quiet`: no access log. */
  readonly quiet: boolean;
}

/** The usage text of `services/main.ts`. */
export const SERVICE_USAGE = `usage: main.ts --service <productpage|details|reviews|ratings|httpbin> [options]

  --service NAME           which service to run (required)
  --version V              productpage: v1 | v-flooding; details: v1 | v2; reviews: v1 | v2 | v3;
                           ratings: v1 | v-faulty | v-delayed | v-unavailable | v-unhealthy;
                           httpbin: any label, e.g. v1 (default v1)
  --port N                 port to listen on (default 9080; httpbin 8000; 0 = any free port)
  --host ADDR              address to bind (default 127.0.0.1)
  --upstream NAME=URL      base URL of an upstream, repeatable (default http://NAME:9080):
                           productpage: details, reviews, ratings; reviews: ratings; details: books
  --podname NAME           reviews: podname reported in answers (default reviews-V-PID)
  --cluster-name NAME      reviews: clustername reported in answers (default "null")
  --star-color COLOR       reviews: override the version's star colour
  --session-secret S       productpage: session cookie signing secret (default: a fixed demo key)
  --flood-factor N         productpage: extra reviews calls per page view
  --delay-ms N             ratings v-delayed: delay (default 7000)
  --toggle-period-ms N     ratings v-unavailable/v-unhealthy: toggle period (default 60000/900000)
  --max-delay-s N          httpbin: cap of /delay/{s} (default 10)
  --quiet                  no access log
  --help                   this text
`;

/** Which options apply to which service (anything else is an error, never silently ignored). */
const OPTION_OWNERS: Readonly<Record<string, readonly ServiceName[]>> = {
  podname: ['reviews'],
  'cluster-name': ['reviews'],
  'star-color': ['reviews'],
  'session-secret': ['productpage'],
  'flood-factor': ['productpage'],
  'delay-ms': ['ratings'],
  'toggle-period-ms': ['ratings'],
  'max-delay-s': ['httpbin'],
};

function numberFlag(flag: string, text: string | undefined, check: (n: number) => boolean, what: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) {
    throw new BookinfoError('BAD_FLAG', `--${flag} must be ${what}, got "${text}"`);
  }
  return value;
}

function upstreamFlags(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of values) {
    const eq = entry.indexOf('=');
    if (eq <= 0 || eq === entry.length - 1) {
      throw new BookinfoError('BAD_FLAG', `--upstream expects NAME=URL (e.g. ratings=http://127.0.0.1:9083), got "${entry}"`);
    }
    const name = entry.slice(0, eq);
    if (out[name] !== undefined) throw new BookinfoError('BAD_FLAG', `--upstream ${name} is given twice`);
    out[name] = entry.slice(eq + 1);
  }
  return out;
}

/** Parses `argv` (without node and script); `pid` names the default reviews podname. */
export function parseServiceArgs(argv: readonly string[], pid: number): ServiceCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new BookinfoError('BAD_FLAG', `${(error as Error).message}\n\n${SERVICE_USAGE}`);
  }
  const v = parsed.values;
  if (v.help) {
    return { help: true, spec: { service: 'productpage', version: 'v1', upstreams: {} }, port: 0, host: '127.0.0.1', quiet: false };
  }
  if (v.service === undefined) throw new BookinfoError('BAD_FLAG', `--service is required\n\n${SERVICE_USAGE}`);
  const service = asServiceName(v.service);
  for (const [option, owners] of Object.entries(OPTION_OWNERS)) {
    if ((v as Record<string, unknown>)[option] !== undefined && !owners.includes(service)) {
      throw new BookinfoError('BAD_FLAG', `--${option} applies to ${owners.join(', ')}, not to ${service}`);
    }
  }
  const version = v.version ?? 'v1';
  if (version.trim() === '') throw new BookinfoError('BAD_FLAG', '--version must not be empty');
  const port = numberFlag('port', v.port, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'an integer port 0-65535') ?? DEFAULT_PORTS[service];
  const floodFactor = numberFlag('flood-factor', v['flood-factor'], (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
  const delayMs = numberFlag('delay-ms', v['delay-ms'], (n) => n > 0, 'a positive number of milliseconds');
  const togglePeriodMs = numberFlag('toggle-period-ms', v['toggle-period-ms'], (n) => n > 0, 'a positive number of milliseconds');
  const maxDelaySeconds = numberFlag('max-delay-s', v['max-delay-s'], (n) => n >= 0, 'a non-negative number of seconds');
  const spec: ServiceSpec = {
    service,
    version,
    upstreams: upstreamFlags(v.upstream ?? []),
    ...(service === 'reviews' ? { podName: v.podname ?? `reviews-${version}-${pid}` } : {}),
    ...(v['cluster-name'] !== undefined ? { clusterName: v['cluster-name'] } : {}),
    ...(v['star-color'] !== undefined ? { starColor: v['star-color'] } : {}),
    ...(v['session-secret'] !== undefined ? { sessionSecret: v['session-secret'] } : {}),
    ...(floodFactor !== undefined ? { floodFactor } : {}),
    ...(delayMs !== undefined ? { delayMs } : {}),
    ...(togglePeriodMs !== undefined ? { togglePeriodMs } : {}),
    ...(maxDelaySeconds !== undefined ? { maxDelaySeconds } : {}),
  };
  return { help: false, spec, port, host: v.host ?? '127.0.0.1', quiet: v.quiet ?? false };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      service: { type: 'string' },
      version: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      upstream: { type: 'string', multiple: true },
      podname: { type: 'string' },
      'cluster-name': { type: 'string' },
      'star-color': { type: 'string' },
      'session-secret': { type: 'string' },
      'flood-factor': { type: 'string' },
      'delay-ms': { type: 'string' },
      'toggle-period-ms': { type: 'string' },
      'max-delay-s': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
}
