// The command line of `npm start` (examples/bookinfo/src/start.ts): ports, data dir, traffic
// generator, and whether the default config is applied. Pure parsing; errors name the flag at fault.
import { parseArgs } from 'node:util';
import { StartError } from './errors';

/** Everything `npm start` can be told. */
export interface StartOptions {
  readonly help: boolean;
  /** Control plane data directory (store, admin token, CA). */
  readonly dataDir: string;
  readonly apiPort: number;
  readonly xdsPort: number;
  /** Certificate signing port (istiod's 15012). */
  readonly caPort: number;
  /** Where the Gateway's port 8080 is served; other Gateway ports P are served at P + (gatewayPort − 8080). 0 = free ports. */
  readonly gatewayPort: number;
  /** First port of the service instances (each instance takes the next); 0 = free ports. */
  readonly basePort: number;
  /** Apply the default config (services, gateway, destination rules, all-v1). */
  readonly applyConfig: boolean;
  /** Run the traffic generator against the product page. */
  readonly traffic: boolean;
  /** Requests per second of the traffic generator. */
  readonly trafficQps: number;
  /** No access log lines from the services. */
  readonly quiet: boolean;
  /** Give every process a workload token, so the mesh runs mutual TLS (auto mTLS). */
  readonly mtls: boolean;
}

/** The port of bookinfo-gateway's server, which --gateway-port places. */
export const GATEWAY_CONFIG_PORT = 8080;

/** Defaults: Istio's ports (admin 15014, xDS 15010, CA 15012, gateway 8080, services from 9080). */
export const DEFAULT_START_OPTIONS: StartOptions = Object.freeze({
  help: false,
  dataDir: '.inboard',
  apiPort: 15014,
  xdsPort: 15010,
  caPort: 15012,
  gatewayPort: GATEWAY_CONFIG_PORT,
  basePort: 9080,
  applyConfig: true,
  traffic: false,
  trafficQps: 2,
  quiet: false,
  mtls: true,
});

/** `npm start -- --help`. */
export const START_USAGE = `usage: npm start -- [options]

Starts the Inboard control plane, every BookInfo service (each its own process on the mesh) and
the ingress gateway, applies the getting-started config, and prints the product page URL.
Ctrl-C stops everything.

  --data-dir DIR       control plane data directory (default ./.inboard)
  --api-port N         admin API port (default 15014)
  --xds-port N         xDS port (default 15010)
  --ca-port N          certificate signing port (default 15012)
  --gateway-port N     port of the ingress gateway's HTTP server for bookinfo-gateway's port 8080
                       (default 8080; other Gateway ports keep the same offset)
  --base-port N        first port of the service instances, one port each (default 9080)
  --traffic            send a steady trickle of requests to the product page (shows up in
                       access logs, load balancing and the admin API)
  --traffic-qps N      requests per second of --traffic (default 2)
  --no-config          do not apply the default config (services, gateway, destination rules,
                       all traffic to v1); the store keeps whatever it holds
  --quiet              no access log lines from the services
  --no-mtls            give the processes no workload tokens: the mesh runs plaintext (by default
                       each process gets a certificate for its service account and calls are mTLS)
  --help               this text

Any port may be 0 (pick a free one; the chosen ports are printed).
`;

function portFlag(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new StartError('BAD_FLAG', `--${flag} must be a port number 0-65535, got "${text}"`);
  }
  return value;
}

/** Parses `npm start` arguments; throws StartError BAD_FLAG naming the flag at fault. */
export function parseStartArgs(argv: readonly string[]): StartOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string' },
        'api-port': { type: 'string' },
        'xds-port': { type: 'string' },
        'ca-port': { type: 'string' },
        'gateway-port': { type: 'string' },
        'base-port': { type: 'string' },
        traffic: { type: 'boolean' },
        'traffic-qps': { type: 'string' },
        'no-config': { type: 'boolean' },
        quiet: { type: 'boolean' },
        'no-mtls': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new StartError('BAD_FLAG', `${(error as Error).message}\n\n${START_USAGE}`);
  }
  const v = parsed.values;
  const d = DEFAULT_START_OPTIONS;
  if (v['data-dir'] !== undefined && v['data-dir'].trim() === '') throw new StartError('BAD_FLAG', '--data-dir must not be empty');
  let trafficQps = d.trafficQps;
  if (v['traffic-qps'] !== undefined) {
    trafficQps = Number(v['traffic-qps']);
    if (v['traffic-qps'].trim() === '' || !Number.isFinite(trafficQps) || trafficQps <= 0) {
      throw new StartError('BAD_FLAG', `--traffic-qps must be a number > 0, got "${v['traffic-qps']}"`);
    }
  }
  const options: StartOptions = {
    help: v.help === true,
    dataDir: v['data-dir'] ?? d.dataDir,
    apiPort: portFlag('api-port', v['api-port'], d.apiPort),
    xdsPort: portFlag('xds-port', v['xds-port'], d.xdsPort),
    caPort: portFlag('ca-port', v['ca-port'], d.caPort),
    gatewayPort: portFlag('gateway-port', v['gateway-port'], d.gatewayPort),
    basePort: portFlag('base-port', v['base-port'], d.basePort),
    applyConfig: v['no-config'] !== true,
    traffic: v.traffic === true || v['traffic-qps'] !== undefined,
    trafficQps,
    quiet: v.quiet === true,
    mtls: v['no-mtls'] !== true,
  };
  return options;
}
