// Command line of the ingress gateway (`inboard gateway`, gateway/main.ts) into GatewayOptions:
// control plane, identity (labels, namespace), bind address, port mapping and the operator certificate.

import { parseArgs } from 'node:util';
import type { GatewayOptions } from './gateway';

/** Usage of `inboard gateway`. */
export const GATEWAY_USAGE = `Usage: inboard gateway [options]

Runs an ingress gateway: connects to the control plane as a router with the labels Gateway
selectors match (istio=ingressgateway), listens on every port of the Gateway servers it is given,
picks the virtual host by the Host header and routes each request into the mesh with the same
client pipeline as mesh.fetch (retries, timeouts, faults, load balancing). Runs until SIGINT/SIGTERM.

Options:
  --control-plane HOST:PORT  xDS address (default $INBOARD_CONTROL_PLANE or 127.0.0.1:15010)
  --bind ADDR                address every listener binds (default 127.0.0.1)
  --port-offset N            serve Gateway port P on local port P+N (default 0)
  --port P=LOCAL             serve Gateway port P on LOCAL (0 = any free port); repeatable, wins over --port-offset
  --any-port                 serve every Gateway port on a free local port (printed)
  --label KEY=VALUE          workload label, repeatable (default istio=ingressgateway)
  --namespace NS             the gateway's namespace (default istio-system)
  --service-account SA       identity (default istio-ingressgateway-service-account)
  --name NAME                node id shown by \`inboard proxy-status\` (default istio-ingressgateway.NS~PID~…)
  --tls-cert FILE            operator certificate (PEM) for HTTPS servers that name no certificate files
  --tls-key FILE             its private key (PEM)
  --credential-dir DIR       credentials for Gateway tls.credentialName: DIR/NAME/tls.crt, DIR/NAME/tls.key
                             and, for MUTUAL, DIR/NAME/ca.crt (the keys of a Kubernetes TLS secret)
  -h, --help                 this text

Output: one line per listener, e.g.
  listener 0.0.0.0_8080 serving http://127.0.0.1:8080 (route table http.8080)`;

/** A parsed gateway command line. */
export type GatewayCommand = { readonly help: true } | { readonly help: false; readonly options: GatewayOptions };

/** A usage error of the gateway's command line (exit 2). */
export class GatewayUsageError extends Error {
  readonly code = 'BAD_FLAG';
  constructor(message: string) {
    super(message);
    this.name = 'GatewayUsageError';
  }
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new GatewayUsageError(`${flag} must be an integer ${min}..${max}, got "${text}"`);
  }
  return value;
}

function keyValue(flag: string, entry: string): [string, string] {
  const eq = entry.indexOf('=');
  if (eq <= 0) throw new GatewayUsageError(`${flag} expects KEY=VALUE, got "${entry}"`);
  return [entry.slice(0, eq), entry.slice(eq + 1)];
}

/** Parses the gateway's arguments (without node and script). */
export function parseGatewayArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): GatewayCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'control-plane': { type: 'string' },
        bind: { type: 'string' },
        'port-offset': { type: 'string' },
        port: { type: 'string', multiple: true },
        'any-port': { type: 'boolean' },
        label: { type: 'string', multiple: true },
        namespace: { type: 'string' },
        'service-account': { type: 'string' },
        name: { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'credential-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new GatewayUsageError((error as Error).message);
  }
  if (values.help) return { help: true };
  const controlPlane = values['control-plane'] ?? env['INBOARD_CONTROL_PLANE'] ?? '127.0.0.1:15010';
  if (!/^(\[[0-9a-fA-F:]+\]|[^\s:[\]]+):\d{1,5}$/.test(controlPlane)) throw new GatewayUsageError(`--control-plane must be HOST:PORT, got "${controlPlane}"`);
  const ports: Record<number, number> = {};
  for (const entry of values.port ?? []) {
    const [from, to] = keyValue('--port', entry);
    const gatewayPort = integer('--port (Gateway port)', from, 1, 65535);
    if (ports[gatewayPort] !== undefined) throw new GatewayUsageError(`--port ${gatewayPort} is given twice`);
    ports[gatewayPort] = integer('--port (local port)', to, 0, 65535);
  }
  const labels: Record<string, string> = {};
  for (const entry of values.label ?? []) {
    const [key, value] = keyValue('--label', entry);
    labels[key] = value;
  }
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
    throw new GatewayUsageError('--tls-cert and --tls-key go together');
  }
  const options: GatewayOptions = {
    controlPlane,
    ...(values.bind !== undefined ? { bind: values.bind } : {}),
    ...(values['port-offset'] !== undefined ? { portOffset: integer('--port-offset', values['port-offset'], -65535, 65535) } : {}),
    ...(Object.keys(ports).length > 0 ? { ports } : {}),
    ...(values['any-port'] ? { anyPort: true } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    ...(values['service-account'] !== undefined ? { serviceAccount: values['service-account'] } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values['tls-cert'] !== undefined ? { tls: { certFile: values['tls-cert'], keyFile: values['tls-key']! } } : {}),
    ...(values['credential-dir'] !== undefined ? { credentialDir: values['credential-dir'] } : {}),
  };
  return { help: false, options };
}
