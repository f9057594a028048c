// DestinationRule spec validation: traffic policy (load balancer, connection pool, outlier
// detection, client TLS, port-level settings) and subsets, with Istio's webhook rules
// (ValidateDestinationRule, validateTrafficPolicy, validateLoadBalancer, agent.ValidateTLS).

import { exportTo, labelMap, port, portSelector, setFields, subsetName, wildcardHost, workloadSelector } from './common';
import { fqdnError, isIpAddress } from './names';
import {
  at, boolean, type Ctx, deprecated, duration, enumOf, has, integer, item, list, listOf, mapOf, notEnforced, number, object,
  rec, type Schema, str, string, uint32,
} from './schema';

const nonNegative = (): Schema => integer({ min: 0 });
const percent0to100 = (): Schema => integer({ min: 0, max: 100 });

const consistentHash = object(
  {
    httpHeaderName: string({ nonEmpty: true }),
    httpCookie: object(
      {
        name: string({ nonEmpty: true }),
        path: string(),
        ttl: duration({ allowZero: true }),
        attributes: listOf(object({ name: string({ nonEmpty: true }), value: string() }, { required: ['name'] }), {
          check(attrs, p, ctx) {
            const seen = new Set<string>();
            attrs.forEach((a, i) => {
              const name = str(rec(a)?.name);
              if (name !== undefined && seen.has(name)) ctx.error(item(p, i), `duplicate cookie attribute ${JSON.stringify(name)}`);
              if (name !== undefined) seen.add(name);
            });
          },
        }),
      },
      { required: ['name'] },
    ),
    useSourceIp: boolean(),
    httpQueryParameterName: string({ nonEmpty: true }),
    ringHash: object({ minimumRingSize: uint32() }),
    maglev: notEnforced(object({
      tableSize: uint32((size, p, ctx) => {
        if (size >= 5000011) ctx.error(p, 'tableSize must be less than 5000011');
        else if (!isPrime(size)) ctx.error(p, `tableSize ${size} must be a prime number`);
      }),
    }, { required: ['tableSize'] }), 'Maglev hashing is not implemented'),
    minimumRingSize: deprecated(uint32(), 'use ringHash: { minimumRingSize: N }'),
  },
  {
    exclusive: [['ringHash', 'maglev', 'minimumRingSize']],
    check(hash, p, ctx) {
      const keys = setFields(hash, ['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName']);
      if (keys.length === 0) ctx.error(p, 'consistentHash needs exactly one hash key: httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName');
      else if (keys.length > 1) ctx.error(p, `consistentHash needs exactly one hash key, found ${keys.join(' and ')}`);
      else if (hash.useSourceIp === false) ctx.error(at(p, 'useSourceIp'), 'useSourceIp: false selects no hash key; set it to true or use another key');
    },
  },
);

function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n < 4) return true;
  if (n % 2 === 0) return false;
  for (let f = 3; f * f <= n; f += 2) if (n % f === 0) return false;
  return true;
}

const locality = (): Schema => string({
  check(value, p, ctx) {
    const stars = value.split('*').length - 1;
    if (stars > 1 || (stars === 1 && !value.endsWith('*'))) return ctx.error(p, `locality ${JSON.stringify(value)}: only one "*", at the end`);
    if (value.split('/').some((part) => part === '')) ctx.error(p, `locality ${JSON.stringify(value)} must not have empty region/zone/subzone parts`);
  },
});

const failover = (): Schema => listOf(object({ from: string(), to: string() }, {
  check(f, p, ctx) {
    const from = str(f.from) ?? '';
    const to = str(f.to) ?? '';
    if (from === to) ctx.error(p, 'failover from and to must name different regions');
    if (from.includes('/') || to.includes('/')) ctx.error(p, 'failover names regions only (no "/")');
    if (from.includes('*') || to.includes('*')) ctx.error(p, 'failover regions must not contain "*"');
  },
}));

const TOPOLOGY_LABELS = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone'];

const localityLbSetting = object(
  {
    distribute: listOf(object({
      from: locality(),
      to: mapOf(uint32((w, p, ctx) => (w < 1 || w > 100 ? ctx.error(p, `locality weight ${w} must be in 1..100`) : undefined)), {
        key: (k, p, ctx) => locality().check(k, p, ctx),
        check(to, p, ctx) {
          const total = Object.values(to).reduce<number>((sum, w) => sum + (typeof w === 'number' ? w : 0), 0);
          if (total !== 100) ctx.error(p, `locality weights add up to ${total}; they must add up to 100`);
        },
      }),
    })),
    failover: failover(),
    failoverPriority: listOf(string({ nonEmpty: true })),
    enabled: boolean(),
  },
  {
    exclusive: [['distribute', 'failover']],
    check(lb, p, ctx) {
      if (list(lb.failover).length > 0) {
        for (const label of list(lb.failoverPriority)) {
          if (TOPOLOGY_LABELS.includes(label as string)) ctx.error(at(p, 'failoverPriority'), `failover and the topology label ${JSON.stringify(label)} in failoverPriority cannot be combined`);
        }
      }
    },
  },
);

const loadBalancer = object(
  {
    simple: enumOf(['UNSPECIFIED', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST'], {
      check: (v, p, ctx) => (v === 'LEAST_CONN' ? ctx.warn(p, 'deprecated: LEAST_CONN is an alias of LEAST_REQUEST') : undefined),
    }),
    consistentHash,
    localityLbSetting: notEnforced(localityLbSetting, 'locality-weighted distribution and failover are not applied yet'),
    warmupDurationSecs: notEnforced(deprecated(duration(), 'use warmup: { duration }'), 'slow start is not implemented'),
    warmup: notEnforced(object({
      duration: duration(),
      minimumPercent: number({ min: 0, max: 100 }),
      aggression: number({ check: (v, p, ctx) => (v <= 0 ? ctx.error(p, 'aggression must be greater than 0') : undefined) }),
    }, { required: ['duration'] }), 'slow start is not implemented'),
    zoneAwareLbSetting: notEnforced(object({
      enabled: boolean(),
      failover: failover(),
      failoverPriority: listOf(string({
        check: (v, p, ctx) => (TOPOLOGY_LABELS.includes(v) ? ctx.error(p, `failoverPriority must not use the topology label ${JSON.stringify(v)} (zone-aware routing handles it)`) : undefined),
      })),
      minClusterSize: integer({ min: 1, max: 4294967295 }),
    }), 'zone-aware load balancing is not implemented'),
    backendUtilization: notEnforced(object({
      errorUtilizationPenaltyPercent: uint32(),
      metricNamesForComputingUtilization: listOf(string({ nonEmpty: true })),
      weightExpirationPeriod: duration(),
      weightStabilizationPeriod: duration(),
      weightUpdatePeriod: duration(),
    }), 'ORCA utilization-based load balancing is not implemented'),
  },
  {
    exclusive: [['simple', 'consistentHash', 'backendUtilization'], ['localityLbSetting', 'zoneAwareLbSetting'], ['warmup', 'warmupDurationSecs']],
  },
);

const connectionPool = object(
  {
    tcp: object({
      maxConnections: nonNegative(),
      connectTimeout: duration(),
      tcpKeepalive: notEnforced(object({ probes: uint32(), time: duration(), interval: duration() }), 'TCP keepalive settings are not applied'),
      maxConnectionDuration: notEnforced(duration(), 'connections are not closed after a maximum duration yet'),
      idleTimeout: duration({ allowZero: true }),
    }),
    http: object({
      http1MaxPendingRequests: nonNegative(),
      http2MaxRequests: nonNegative(),
      maxRequestsPerConnection: nonNegative(),
      maxRetries: nonNegative(),
      idleTimeout: duration(),
      h2UpgradePolicy: notEnforced(enumOf(['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE']), 'clients speak the protocol of the caller\'s front end'),
      useClientProtocol: notEnforced(boolean(), 'clients speak the protocol of the caller\'s front end'),
      maxConcurrentStreams: notEnforced(nonNegative(), 'HTTP/2 stream limits are not applied'),
      http2KeepAlive: notEnforced(object({ interval: duration(), timeout: duration() }, { required: ['interval', 'timeout'] }), 'HTTP/2 PING keepalive is not applied'),
    }, {
      check(h, p, ctx) {
        if (h.h2UpgradePolicy === 'UPGRADE' && h.useClientProtocol === true) ctx.error(p, 'useClientProtocol must not be true when h2UpgradePolicy is UPGRADE');
      },
    }),
  },
  { check: (c, p, ctx) => (!has(c, 'tcp') && !has(c, 'http') ? ctx.error(p, 'connectionPool must set tcp, http or both') : undefined) },
);

const outlierDetection = object(
  {
    splitExternalLocalOriginErrors: boolean(),
    consecutiveLocalOriginFailures: uint32(),
    consecutiveGatewayErrors: uint32(),
    consecutive5xxErrors: uint32(),
    consecutiveErrors: deprecated(integer(), 'use consecutive5xxErrors or consecutiveGatewayErrors'),
    interval: duration(),
    baseEjectionTime: duration(),
    maxEjectionPercent: percent0to100(),
    minHealthPercent: percent0to100(),
    outlierDetectionHttpErrorCodes: notEnforced(listOf(integer({ min: 100, max: 599 })), 'custom outlier status codes are not applied; 5xx and gateway errors are'),
  },
  {
    check(o, p, ctx) {
      if (o.splitExternalLocalOriginErrors !== true && typeof o.consecutiveLocalOriginFailures === 'number' && o.consecutiveLocalOriginFailures > 0) {
        ctx.error(at(p, 'consecutiveLocalOriginFailures'), 'has no effect unless splitExternalLocalOriginErrors is true');
      }
    },
  },
);

const certificateFile = (): Schema => notEnforced(string(), 'Inboard does not read certificate files named in config');

/** Client-side TLS settings toward the destination (Istio's ClientTLSSettings). */
const clientTls = object(
  {
    mode: enumOf(['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL']),
    clientCertificate: certificateFile(),
    privateKey: certificateFile(),
    caCertificates: certificateFile(),
    credentialName: notEnforced(string(), 'Kubernetes secrets are not available to Inboard'),
    subjectAltNames: listOf(string()),
    sni: string(),
    insecureSkipVerify: boolean(),
    caCrl: certificateFile(),
  },
  {
    check(tls, p, ctx) {
      const mode = tls.mode;
      if (tls.insecureSkipVerify === true) {
        if (mode === 'SIMPLE' && ['caCertificates', 'credentialName', 'subjectAltNames'].some((f) => has(tls, f))) {
          ctx.error(p, 'insecureSkipVerify cannot be combined with caCertificates, credentialName or subjectAltNames');
        }
        if (mode === 'MUTUAL' && ['caCertificates', 'subjectAltNames'].some((f) => has(tls, f))) {
          ctx.error(p, 'insecureSkipVerify cannot be combined with caCertificates or subjectAltNames');
        }
      }
      if ((mode === 'SIMPLE' || mode === 'MUTUAL') && has(tls, 'credentialName')) {
        const extra = setFields(tls, ['clientCertificate', 'privateKey', 'caCertificates', 'caCrl']);
        if (extra.length > 0) ctx.error(p, `credentialName cannot be combined with ${extra.join(', ')}`);
      } else if (mode === 'MUTUAL') {
        for (const f of ['clientCertificate', 'privateKey']) if (!has(tls, f)) ctx.error(at(p, f), 'is required for MUTUAL TLS (or set credentialName)');
      }
    },
  },
);

const tunnel = object(
  {
    protocol: enumOf(['CONNECT', 'POST']),
    targetHost: string({ check: (v, p, ctx) => (fqdnError(v) !== undefined && !isIpAddress(v) ? ctx.error(p, `${JSON.stringify(v)} must be an FQDN or an IP address`) : undefined) }),
    targetPort: port(),
  },
  { required: ['targetHost', 'targetPort'] },
);

const policyFields = {
  loadBalancer,
  connectionPool,
  outlierDetection,
  tls: clientTls,
};

const portTrafficPolicy = object({ port: portSelector(), ...policyFields }, {
  required: ['port'],
  check(policy, p, ctx) {
    if (setFields(policy, Object.keys(policyFields)).length === 0) ctx.error(p, 'a port-level policy must set at least one of loadBalancer, connectionPool, outlierDetection, tls');
  },
});

/** A traffic policy (top level or per subset). */
const trafficPolicy: Schema = object(
  {
    ...policyFields,
    portLevelSettings: listOf(portTrafficPolicy, {
      maxItems: 4096,
      check(settings, p, ctx) {
        const seen = new Set<number>();
        settings.forEach((s, i) => {
          const n = rec(rec(s)?.port)?.number;
          if (typeof n !== 'number') return;
          if (seen.has(n)) ctx.error(item(p, i), `port ${n} has more than one port-level policy`);
          seen.add(n);
        });
      },
    }),
    tunnel: notEnforced(tunnel, 'tunneling is not implemented'),
    proxyProtocol: notEnforced(object({ version: enumOf(['V1', 'V2']) }), 'the PROXY protocol is not sent'),
    retryBudget: notEnforced(object({
      percent: number({ min: 0, max: 100 }),
      minRetryConcurrency: uint32(),
      budgetInterval: duration(),
    }), 'clients apply Envoy\'s default retry budget (20 %, minimum 3), not this one'),
  },
  {
    exclusive: [['tunnel', 'proxyProtocol']],
    check(policy, p, ctx) {
      if (Object.keys(policy).filter((k) => has(policy, k)).length === 0) ctx.error(p, 'a traffic policy must set at least one field');
    },
  },
);

const subset = object({ name: subsetName(), labels: labelMap(), trafficPolicy }, { required: ['name'] });

/** The DestinationRule spec schema. */
export const destinationRuleSpec: Schema = object(
  {
    host: wildcardHost(),
    trafficPolicy,
    subsets: listOf(subset, {
      check(subsets, p, ctx) {
        const seen = new Set<string>();
        subsets.forEach((s, i) => {
          const name = str(rec(s)?.name);
          if (name === undefined) return;
          if (seen.has(name)) ctx.error(at(item(p, i), 'name'), `duplicate subset name ${JSON.stringify(name)}`);
          seen.add(name);
        });
      },
    }),
    exportTo: notEnforced(exportTo({ allowNone: false }), 'every DestinationRule is visible in all namespaces'),
    workloadSelector: notEnforced(workloadSelector(), 'a DestinationRule applies to every caller'),
  },
  {
    required: ['host'],
    check: checkSelectorExport,
  },
);

/** A DestinationRule with a workload selector may only be exported to its own namespace. */
function checkSelectorExport(spec: Record<string, unknown>, path: string, ctx: Ctx): void {
  const targets = list(spec.exportTo);
  if (!has(spec, 'workloadSelector') || targets.length === 0) return;
  const own = targets.filter((t) => t === '.' || t === ctx.namespace);
  if (own.length === 0) ctx.error(at(path, 'exportTo'), 'a DestinationRule with a workloadSelector cannot be exported beyond its own namespace');
  else if (targets.length > 1) ctx.error(at(path, 'exportTo'), 'a DestinationRule with a workloadSelector can only be exported to its own namespace ("." alone)');
}
