// Istio's port protocol selection for Kubernetes Service ports: UDP stays UDP, else appProtocol, else
// the port name's prefix (`http`, `http-web`, `grpc-api`, …). Anything unrecognised is TCP here
// (Istio would sniff it). ServiceEntry ports name their protocol; parseProtocol reads that.

const PROTOCOLS: Readonly<Record<string, string>> = {
  tcp: 'TCP',
  udp: 'UDP',
  grpc: 'GRPC',
  'grpc-web': 'GRPC-Web',
  http: 'HTTP',
  http_proxy: 'HTTP_PROXY',
  http2: 'HTTP2',
  https: 'HTTPS',
  tls: 'TLS',
  mongo: 'Mongo',
  redis: 'Redis',
  mysql: 'MySQL',
};

/** Kubernetes' standard appProtocol values (KEP-3726) and what Istio maps them to. */
const KUBERNETES_APP_PROTOCOLS: Readonly<Record<string, string>> = {
  'kubernetes.io/h2c': 'HTTP2',
  'kubernetes.io/ws': 'HTTP',
  'kubernetes.io/wss': 'HTTPS',
};

/** Istio's protocol name for `value` (case-insensitive, e.g. "http2" → "HTTP2"), or undefined. */
export function parseProtocol(value: string): string | undefined {
  return PROTOCOLS[value.toLowerCase()];
}

/** What a Kubernetes Service port declares. */
export interface PortProtocolHints {
  /** Port name, e.g. "http" or "grpc-reviews". */
  readonly name?: string;
  /** Kubernetes appProtocol; takes precedence over the name. */
  readonly appProtocol?: string;
  /** Kubernetes transport protocol: "TCP" (default), "UDP" or "SCTP". */
  readonly transport?: string;
}

/** The Istio protocol of a Kubernetes Service port (as Istio's ConvertProtocol, with TCP for unknown). */
export function inferPortProtocol(hints: PortProtocolHints): string {
  if (hints.transport?.toUpperCase() === 'UDP') return 'UDP';
  if (hints.appProtocol !== undefined) {
    const standard = KUBERNETES_APP_PROTOCOLS[hints.appProtocol.toLowerCase()];
    if (standard) return standard;
  }
  return fromName(hints.appProtocol ?? hints.name ?? '') ?? 'TCP';
}

function fromName(name: string): string | undefined {
  if (name.toLowerCase().startsWith('grpc-web')) return 'GRPC-Web';
  const dash = name.indexOf('-');
  const parsed = parseProtocol(dash >= 0 ? name.slice(0, dash) : name);
  return parsed === 'UDP' ? undefined : parsed;
}
