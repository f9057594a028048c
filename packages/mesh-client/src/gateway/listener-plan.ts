// What the ingress gateway should listen on, computed from the socket listeners it was served
// (`0.0.0.0_8080` → route table `http.8080`): local bind address and port (after the operator's port
// mapping), plain HTTP or TLS with which certificate files. Pure; the gateway reconciles its servers to it.

import type { ListenerSpec } from '../snapshot/types';

/** Certificate and key files (PEM) a TLS listener terminates with. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** How Gateway ports become local ports. */
export interface PortMapping {
  /** Address every listener binds (default 127.0.0.1: the gateway is reached on loopback unless told otherwise). */
  readonly bindHost: string;
  /** Explicit Gateway port → local port (0 = any free port); wins over the offset. */
  readonly ports?: Readonly<Record<number, number>>;
  /** Added to every Gateway port without an explicit mapping (default 0). */
  readonly portOffset?: number;
  /** Every listener binds a free port (tests). */
  readonly anyPort?: boolean;
}

/** One server the gateway should run. */
export interface PlannedListener {
  /** Listener name, e.g. `0.0.0.0_8080`. */
  readonly name: string;
  /** The Gateway server port (the listener's address port). */
  readonly configPort: number;
  readonly bindHost: string;
  /** Local port to bind (0 = any). */
  readonly localPort: number;
  /** Route table of the listener (RDS name or `inline`). */
  readonly routeConfigName: string;
  readonly tls?: TlsFiles;
  /** Equal keys mean the running server can stay as it is. */
  readonly key: string;
}

/** A listener that cannot be served, and why. */
export interface ListenerProblem {
  readonly name: string;
  readonly message: string;
}

const DOWNSTREAM_TLS = 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';

/** The local port of Gateway port `configPort` under `mapping`. */
export function localPortOf(configPort: number, mapping: PortMapping): number {
  if (mapping.anyPort) return 0;
  const explicit = mapping.ports?.[configPort];
  if (explicit !== undefined) return explicit;
  return configPort + (mapping.portOffset ?? 0);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function filename(dataSource: unknown): string | undefined {
  const name = record(dataSource)?.['filename'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/**
 * The TLS files of a filter chain's transport socket: undefined for plaintext; the files named by
 * `common_tls_context.tls_certificates[0]` (Gateway `serverCertificate`/`privateKey`); else the
 * operator's certificate (a `credentialName`, which Inboard cannot look up); else a problem.
 */
function tlsOf(transportSocket: Readonly<Record<string, unknown>> | undefined, operatorTls: TlsFiles | undefined): TlsFiles | string | undefined {
  if (!transportSocket) return undefined;
  const typed = record(transportSocket['typed_config']);
  const typeUrl = String(typed?.['@type'] ?? '');
  if (!typeUrl.endsWith(DOWNSTREAM_TLS)) return `transport socket ${typeUrl || String(transportSocket['name'] ?? '')} is not a DownstreamTlsContext`;
  const common = record(typed?.['common_tls_context']);
  const certificates = common?.['tls_certificates'];
  const first = Array.isArray(certificates) ? record(certificates[0]) : undefined;
  const certFile = filename(first?.['certificate_chain']);
  const keyFile = filename(first?.['private_key']);
  if (certFile && keyFile) return { certFile, keyFile };
  if (operatorTls) return operatorTls;
  return 'the server is HTTPS but names no certificate files (serverCertificate/privateKey); start the gateway with --tls-cert and --tls-key to use an operator certificate';
}

/** Socket listeners → the servers to run, sorted by name; listeners that cannot be served are reported, not dropped silently. */
export function planListeners(
  listeners: ReadonlyMap<string, ListenerSpec>,
  mapping: PortMapping,
  operatorTls?: TlsFiles,
): { planned: PlannedListener[]; problems: ListenerProblem[] } {
  const planned: PlannedListener[] = [];
  const problems: ListenerProblem[] = [];
  const byLocalPort = new Map<number, string>();
  for (const name of [...listeners.keys()].sort()) {
    const listener = listeners.get(name)!;
    if (listener.kind !== 'socket') continue;
    if (!listener.address) {
      problems.push({ name, message: 'socket listener without an address' });
      continue;
    }
    const chain = listener.filterChains.find((c) => c.http !== undefined);
    const routeConfigName = chain?.http?.routeConfigName ?? (chain?.http?.inlineRouteTable ? 'inline' : undefined);
    if (!chain || routeConfigName === undefined) {
      problems.push({ name, message: 'no filter chain with an HTTP connection manager (only HTTP servers are served)' });
      continue;
    }
    const tls = tlsOf(chain.transportSocket, operatorTls);
    if (typeof tls === 'string') {
      problems.push({ name, message: tls });
      continue;
    }
    const localPort = localPortOf(listener.address.port, mapping);
    if (localPort < 0 || localPort > 65535) {
      problems.push({ name, message: `port ${listener.address.port} maps to ${localPort}, which is not a port; change the port offset` });
      continue;
    }
    const taken = localPort === 0 ? undefined : byLocalPort.get(localPort);
    if (taken !== undefined) {
      problems.push({ name, message: `local port ${localPort} is already used by listener ${taken}` });
      continue;
    }
    if (localPort !== 0) byLocalPort.set(localPort, name);
    const key = [mapping.bindHost, localPort, listener.address.port, tls ? `${tls.certFile}|${tls.keyFile}` : 'plain'].join('|');
    planned.push({ name, configPort: listener.address.port, bindHost: mapping.bindHost, localPort, routeConfigName, ...(tls ? { tls } : {}), key });
  }
  return { planned, problems };
}
