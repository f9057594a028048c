// Options of connect(): from arguments, else from the environment (INBOARD_CONTROL_PLANE,
// INBOARD_SERVICE, …), checked once with errors that name the option, resolved into one frozen object.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { RandomSource } from './balancing/random';
import { MeshError } from './errors';
import type { NodeIdentity } from './node-metadata';
import { systemClock, type Clock } from './policy/clock';
import type { MeshMetricsOptions, MeshTracingOptions } from './telemetry';

/** Istio's outbound traffic policy for hosts the mesh does not know. */
export type OutboundTrafficPolicy = 'ALLOW_ANY' | 'REGISTRY_ONLY';

/** Options of `connect()`. Every field is optional; the environment fills the identity fields. */
export interface ConnectOptions {
  /** xDS address of the control plane, `host:port`. Env `INBOARD_CONTROL_PLANE`; default `127.0.0.1:15010`. */
  readonly controlPlane?: string;
  /** The service this process is (its `app` label unless `labels.app` is given). Env `INBOARD_SERVICE`. */
  readonly service?: string;
  /** Namespace of the workload; short host names resolve in it. Env `INBOARD_NAMESPACE`; default `default`. */
  readonly namespace?: string;
  /** The `version` label (DestinationRule subsets select on it). Env `INBOARD_VERSION`. */
  readonly version?: string;
  /** Service account (identity `spiffe://cluster.local/ns/NS/sa/SA`). Env `INBOARD_SERVICE_ACCOUNT`. */
  readonly serviceAccount?: string;
  /** Further workload labels (VirtualService `sourceLabels` match them). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Hosts the mesh does not know: passed through (`ALLOW_ANY`, Istio's default) or refused with 502. Env `INBOARD_OUTBOUND_TRAFFIC_POLICY`. */
  readonly outboundTrafficPolicy?: OutboundTrafficPolicy;
  /** xDS variant: incremental (`delta`, default) or state of the world (`sotw`). */
  readonly protocol?: 'delta' | 'sotw';
  /** `sidecar` (an application, default) or `router` (an ingress gateway: Gateway-bound config). */
  readonly role?: 'sidecar' | 'router';
  /** node.id of the config stream (default `<service|client>~<pid>~<random>`). */
  readonly nodeId?: string;
  /** Random source of every routing and balancing decision (tests pass a seeded one). */
  readonly random?: RandomSource;
  /** Clock of timeouts, back-offs, fault delays and outlier sweeps (tests may pass a fake one). */
  readonly clock?: Clock;
  /** Where the environment is read (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** OpenTelemetry wiring (default: the global providers, no-ops until an SDK is installed). */
  readonly telemetry?: TelemetryOptions;
  /** Mutual TLS: the workload certificate from the mesh CA (see docs/tasks/mutual-tls-migration.md). */
  readonly mtls?: MtlsOptions;
}

/** Where the workload certificate comes from. Without a token the mesh runs without mTLS (plaintext). */
export interface MtlsOptions {
  /** `false` turns mTLS off even when a token is available. */
  readonly enabled?: boolean;
  /** Workload token (`inboard token create -n NS --service-account SA`). Env `INBOARD_TOKEN`. */
  readonly token?: string;
  /** File holding the workload token. Env `INBOARD_TOKEN_FILE`. */
  readonly tokenFile?: string;
  /** host:port of the CA's signing service. Env `INBOARD_CA_ADDRESS`; default: the control plane's host, port 15012. */
  readonly caAddress?: string;
  /** PEM root(s) pinned for the CA connection (the mesh root, `<dataDir>/ca-cert.pem`). */
  readonly caRootPem?: string;
  /** File of `caRootPem`. Env `INBOARD_CA_ROOT_FILE`. */
  readonly caRootFile?: string;
  /** Requested certificate lifetime in ms (default: the CA's, 24 h). Env `INBOARD_CERT_TTL_SECONDS` (seconds). */
  readonly certificateTtlMs?: number;
  /**
   * Take config over TLS from the CA port (istiod's 15012; the root pinned) instead of the
   * plaintext xDS port. Needs a token and a root. Env `INBOARD_XDS_TLS` (`true`/`false`).
   */
  readonly xdsOverTls?: boolean;
}

/** Resolved mTLS settings: `enabled: false` says why the mesh runs plaintext. */
export type ResolvedMtls =
  | { readonly enabled: true; readonly caAddress: string; readonly token: string; readonly trustRootPem: string; readonly ttlMs?: number; readonly xdsOverTls?: boolean }
  | { readonly enabled: false; readonly reason: string; readonly explicit?: boolean };

/** The CA's signing port (istiod's 15012). */
export const DEFAULT_CA_PORT = 15012;

/** Where the mesh's spans and Istio metrics go (see docs/observability.md). */
export interface TelemetryOptions {
  readonly meterProvider?: MeshMetricsOptions['meterProvider'];
  readonly tracerProvider?: MeshTracingOptions['tracerProvider'];
  readonly labelBudget?: MeshMetricsOptions['labelBudget'];
  readonly propagator?: MeshTracingOptions['propagator'];
}

/** connect() options after defaults and checks. */
export interface ResolvedOptions {
  readonly controlPlane: string;
  readonly service?: string;
  readonly nodeId: string;
  readonly identity: NodeIdentity;
  readonly outboundTrafficPolicy: OutboundTrafficPolicy;
  readonly protocol: 'delta' | 'sotw';
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly telemetry: TelemetryOptions;
  readonly mtls: ResolvedMtls;
}

/** Default xDS address (istiod's plaintext port on loopback). */
export const DEFAULT_CONTROL_PLANE = '127.0.0.1:15010';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Resolves connect() options: an argument wins over its environment variable, which wins over
 * the default. Labels: `app` = service and `version` = version unless `labels` sets them.
 * @throws MeshError INVALID_OPTIONS naming the option (and the variable it came from).
 */
export function resolveOptions(options: ConnectOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'must be an object', options);
  const env = options.env ?? process.env;
  const pick = (value: string | undefined, variable: string): [string | undefined, string] =>
    value !== undefined ? [value, `options.${camel(variable)}`] : [nonEmpty(env[variable]), `$${variable}`];

  const [controlPlane = DEFAULT_CONTROL_PLANE, cpFrom] = pick(options.controlPlane, 'INBOARD_CONTROL_PLANE');
  if (!/^[^\s/]+:\d{1,5}$/.test(controlPlane)) {
    fail(cpFrom, /^https?:/i.test(controlPlane) ? 'is a URL; give the xDS address host:port (e.g. 127.0.0.1:15010), not the admin API URL' : 'must be the xDS address host:port, e.g. 127.0.0.1:15010', controlPlane);
  }
  const [service, serviceFrom] = pick(options.service, 'INBOARD_SERVICE');
  if (service !== undefined && !HOST_NAME.test(service)) fail(serviceFrom, 'must be a service host name such as "reviews" or "reviews.default.svc.cluster.local"', service);
  const [namespace = 'default', nsFrom] = pick(options.namespace, 'INBOARD_NAMESPACE');
  if (!DNS_LABEL.test(namespace)) fail(nsFrom, 'must be a DNS label (lower-case letters, digits, "-")', namespace);
  const [version, versionFrom] = pick(options.version, 'INBOARD_VERSION');
  if (version !== undefined && version === '') fail(versionFrom, 'must not be empty', version);
  const [serviceAccount, saFrom] = pick(options.serviceAccount, 'INBOARD_SERVICE_ACCOUNT');
  if (serviceAccount !== undefined && !DNS_LABEL.test(serviceAccount)) fail(saFrom, 'must be a DNS label', serviceAccount);
  const [policy = 'ALLOW_ANY', policyFrom] = pick(options.outboundTrafficPolicy, 'INBOARD_OUTBOUND_TRAFFIC_POLICY');
  if (policy !== 'ALLOW_ANY' && policy !== 'REGISTRY_ONLY') fail(policyFrom, 'must be ALLOW_ANY or REGISTRY_ONLY', policy);

  const labels: Record<string, string> = {};
  if (service !== undefined) labels['app'] = service.split('.')[0]!;
  if (version !== undefined) labels['version'] = version;
  for (const [key, value] of Object.entries(options.labels ?? {})) {
    if (typeof value !== 'string') fail(`options.labels.${key}`, 'must be a string', value);
    labels[key] = value;
  }
  const protocol = options.protocol ?? 'delta';
  if (protocol !== 'delta' && protocol !== 'sotw') fail('options.protocol', 'must be "delta" or "sotw"', protocol);
  const role = options.role ?? 'sidecar';
  if (role !== 'sidecar' && role !== 'router') fail('options.role', 'must be "sidecar" or "router"', role);
  if (options.nodeId !== undefined && (typeof options.nodeId !== 'string' || options.nodeId === '')) fail('options.nodeId', 'must be a non-empty string', options.nodeId);
  if (options.random !== undefined && typeof options.random !== 'function') fail('options.random', 'must be a function returning numbers in [0, 1)', options.random);
  if (options.clock !== undefined && (typeof options.clock?.now !== 'function' || typeof options.clock?.setTimeout !== 'function')) {
    fail('options.clock', 'must have now() and setTimeout(fn, ms)', options.clock);
  }
  return Object.freeze({
    controlPlane,
    ...(service !== undefined ? { service } : {}),
    nodeId: options.nodeId ?? `${service ?? 'client'}.${namespace}~${process.pid}~${randomBytes(4).toString('hex')}`,
    identity: Object.freeze({ namespace, labels: Object.freeze(labels), role, ...(serviceAccount !== undefined ? { serviceAccount } : {}) }),
    outboundTrafficPolicy: policy,
    protocol,
    random: options.random ?? Math.random,
    clock: options.clock ?? systemClock,
    telemetry: options.telemetry ?? {},
    mtls: Object.freeze(resolveMtls(options.mtls ?? {}, env, controlPlane)),
  });
}

/**
 * Resolves the mTLS options: a token (option, `INBOARD_TOKEN`, or the file of `tokenFile` /
 * `INBOARD_TOKEN_FILE`) and a pinned root (`caRootPem`, or the file of `caRootFile` /
 * `INBOARD_CA_ROOT_FILE`) enable it; the CA address defaults to the control plane's host on 15012.
 * @throws MeshError INVALID_OPTIONS for a malformed value or an unreadable file.
 */
export function resolveMtls(options: MtlsOptions, env: Readonly<Record<string, string | undefined>>, controlPlane: string): ResolvedMtls {
  if (typeof options !== 'object' || options === null) fail('options.mtls', 'must be an object', options);
  const xdsTlsEnv = nonEmpty(env['INBOARD_XDS_TLS']);
  if (xdsTlsEnv !== undefined && !/^(true|false|1|0)$/.test(xdsTlsEnv)) fail('$INBOARD_XDS_TLS', 'must be true or false', xdsTlsEnv);
  if (options.xdsOverTls !== undefined && typeof options.xdsOverTls !== 'boolean') fail('options.mtls.xdsOverTls', 'must be a boolean', options.xdsOverTls);
  const xdsOverTls = options.xdsOverTls ?? (xdsTlsEnv === 'true' || xdsTlsEnv === '1');
  const xdsTlsFrom = options.xdsOverTls !== undefined ? 'options.mtls.xdsOverTls' : '$INBOARD_XDS_TLS';
  const resolved = resolveIdentitySource(options, env, controlPlane);
  if (xdsOverTls && !resolved.enabled) fail(xdsTlsFrom, `needs mutual TLS, which is off: ${resolved.reason}`);
  return resolved.enabled ? { ...resolved, xdsOverTls } : resolved;
}

function resolveIdentitySource(options: MtlsOptions, env: Readonly<Record<string, string | undefined>>, controlPlane: string): ResolvedMtls {
  if (options.enabled === false) return { enabled: false, reason: 'options.mtls.enabled is false', explicit: true };
  const readFile = (file: string, field: string): string => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (error) {
      return fail(field, `names a file that cannot be read: ${(error as Error).message}`, file);
    }
  };
  const tokenFile = options.tokenFile ?? nonEmpty(env['INBOARD_TOKEN_FILE']);
  const tokenFrom = options.token !== undefined ? 'options.mtls.token' : options.tokenFile !== undefined ? 'options.mtls.tokenFile' : tokenFile !== undefined ? '$INBOARD_TOKEN_FILE' : '$INBOARD_TOKEN';
  const token = options.token ?? (tokenFile !== undefined ? readFile(tokenFile, tokenFrom).trim() : nonEmpty(env['INBOARD_TOKEN']));
  if (token === undefined) return { enabled: false, reason: 'no workload token (set INBOARD_TOKEN or INBOARD_TOKEN_FILE, or options.mtls.token)' };
  if (typeof token !== 'string' || token === '' || /\s/.test(token)) fail(tokenFrom, 'must be a non-empty token without whitespace');
  const rootFile = options.caRootFile ?? nonEmpty(env['INBOARD_CA_ROOT_FILE']);
  const trustRootPem = options.caRootPem ?? (rootFile !== undefined ? readFile(rootFile, options.caRootFile !== undefined ? 'options.mtls.caRootFile' : '$INBOARD_CA_ROOT_FILE') : undefined);
  if (trustRootPem === undefined) return { enabled: false, reason: 'a workload token is set but no mesh root to pin for the CA (set INBOARD_CA_ROOT_FILE or options.mtls.caRootPem)' };
  if (typeof trustRootPem !== 'string' || !trustRootPem.includes('-----BEGIN CERTIFICATE-----')) fail('options.mtls.caRootPem', 'must hold a PEM certificate');
  const caAddress = options.caAddress ?? nonEmpty(env['INBOARD_CA_ADDRESS']) ?? `${controlPlane.slice(0, controlPlane.lastIndexOf(':'))}:${DEFAULT_CA_PORT}`;
  if (!/^[^\s/]+:\d{1,5}$/.test(caAddress)) fail(options.caAddress !== undefined ? 'options.mtls.caAddress' : '$INBOARD_CA_ADDRESS', 'must be host:port of the CA signing service, e.g. 127.0.0.1:15012', caAddress);
  const ttlEnv = nonEmpty(env['INBOARD_CERT_TTL_SECONDS']);
  const ttlMs = options.certificateTtlMs ?? (ttlEnv !== undefined ? Number(ttlEnv) * 1000 : undefined);
  if (ttlMs !== undefined && (!Number.isFinite(ttlMs) || ttlMs < 1000)) fail(options.certificateTtlMs !== undefined ? 'options.mtls.certificateTtlMs' : '$INBOARD_CERT_TTL_SECONDS', 'must be a lifetime of at least 1 second', ttlMs);
  return { enabled: true, caAddress, token, trustRootPem, xdsOverTls: false, ...(ttlMs !== undefined ? { ttlMs } : {}) };
}

/** Throws INVALID_OPTIONS naming `field`. */
export function fail(field: string, problem: string, value?: unknown): never {
  const shown = value === undefined ? '' : ` (got ${typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' ? 'an object' : String(value)})`;
  throw new MeshError('INVALID_OPTIONS', `${field} ${problem}${shown}`, { details: { field } });
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** INBOARD_CONTROL_PLANE → controlPlane (the option named like the variable). */
function camel(variable: string): string {
  const map: Record<string, string> = {
    INBOARD_CONTROL_PLANE: 'controlPlane', INBOARD_SERVICE: 'service', INBOARD_NAMESPACE: 'namespace', INBOARD_VERSION: 'version',
    INBOARD_SERVICE_ACCOUNT: 'serviceAccount', INBOARD_OUTBOUND_TRAFFIC_POLICY: 'outboundTrafficPolicy',
  };
  return map[variable] ?? variable;
}
