// What the ingress gateway should listen on, computed from the socket listeners it was served
// (`0.0.0.0_8080` → route table `http.8080`): local bind address and port (after the operator's port
// mapping), plain HTTP or TLS with which SNI-matched certificate chains (tls-plan.ts). Pure; the gateway
// reconciles its servers to it.

import type { ListenerSpec } from '../snapshot/types';
import { planTlsChain, type CertificateSources, type TlsChainPlan } from './tls-plan';

export type { CertificateSources, TlsChainPlan, TlsFiles } from './tls-plan';

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
  /** TLS termination: one chain per Gateway server on the port, picked by SNI. Absent = plain HTTP. */
  readonly tls?: TlsListenerPlan;
  /** Equal keys mean the running server can stay as it is. */
  readonly key: string;
}

/** The TLS side of a listener: its chains share the client-certificate mode and CA (one per socket in Node). */
export interface TlsListenerPlan {
  readonly chains: readonly TlsChainPlan[];
}

/** A listener that cannot be served, and why. */
export interface ListenerProblem {
  readonly name: string;
  readonly message: string;
}

/** The local port of Gateway port `configPort` under `mapping`. */
export function localPortOf(configPort: number, mapping: PortMapping): number {
  if (mapping.anyPort) return 0;
  const explicit = mapping.ports?.[configPort];
  if (explicit !== undefined) return explicit;
  return configPort + (mapping.portOffset ?? 0);
}

/** The TLS plan of a listener's chains, undefined for plaintext, or why it cannot be served. */
function tlsOf(listener: ListenerSpec, sources: CertificateSources): TlsListenerPlan | string | undefined {
  const secured = listener.filterChains.filter((c) => c.http !== undefined && c.transportSocket !== undefined);
  if (secured.length === 0) return undefined;
  const chains: TlsChainPlan[] = [];
  for (const [i, chain] of secured.entries()) {
    const names = (chain.match as { server_names?: unknown }).server_names;
    const serverNames = Array.isArray(names) ? names.map(String) : [];
    const plan = planTlsChain(chain.name || `filter_chains[${i}]`, serverNames, chain.transportSocket!, sources);
    if (typeof plan === 'string') return secured.length > 1 ? `${chain.name || `filter_chains[${i}]`}: ${plan}` : plan;
    chains.push(plan);
  }
  const first = chains[0]!;
  if (chains.some((c) => c.clientCertificate !== first.clientCertificate || c.caFile !== first.caFile)) {
    return 'the TLS servers on this port differ in client-certificate settings (mode or CA); the Inboard gateway needs them equal per port — put MUTUAL and SIMPLE servers on different ports';
  }
  return { chains };
}

/** Socket listeners → the servers to run, sorted by name; listeners that cannot be served are reported, not dropped silently. */
export function planListeners(
  listeners: ReadonlyMap<string, ListenerSpec>,
  mapping: PortMapping,
  certificates: CertificateSources = {},
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
    const tls = tlsOf(listener, certificates);
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
    const key = [mapping.bindHost, localPort, listener.address.port, tls ? JSON.stringify(tls.chains) : 'plain'].join('|');
    planned.push({ name, configPort: listener.address.port, bindHost: mapping.bindHost, localPort, routeConfigName, ...(tls ? { tls } : {}), key });
  }
  return { planned, problems };
}
