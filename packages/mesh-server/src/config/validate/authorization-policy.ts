// AuthorizationPolicy spec validation (Istio's ValidateAuthorizationPolicy and
// pkg/config/security). An invalid rule is rejected here, never skipped at enforcement: skipping
// a DENY rule would fail open.

import { report, workloadSelector } from './common';
import { targetRefRejected } from './authentication';
import { ipOrCidrError } from './names';
import {
  at, type Ctx, enumOf, has, item, list, listOf, object, rec, type Schema, str, string,
} from './schema';

/** exact, "prefix*", "*suffix" or "*" (presence). A "*" anywhere else would be matched literally. */
function wildcardError(value: string): string | undefined {
  if (value === '') return 'empty values are not allowed';
  const stars = value.split('*').length - 1;
  if (stars > 1) return `${JSON.stringify(value)}: at most one "*" is allowed (exact, prefix*, *suffix or * for presence)`;
  if (stars === 1 && !value.startsWith('*') && !value.endsWith('*')) {
    return `${JSON.stringify(value)}: "*" is only allowed at the start or the end (exact, prefix*, *suffix or * for presence)`;
  }
  return undefined;
}

/** A path: a wildcard value, or an Envoy URI template with `{*}` segments and a final `{**}`. */
function pathError(value: string): string | undefined {
  if (!value.includes('{') && !value.includes('}')) return wildcardError(value);
  const segments = value.replace(/^\/+|\/+$/g, '').split('/');
  let anySeen = false;
  for (const segment of segments) {
    if (anySeen) return `${JSON.stringify(value)}: {**} must be the last segment of a path template`;
    if (segment === '{**}') { anySeen = true; continue; }
    if (segment === '{*}') continue;
    if (/[{}]/.test(segment)) return `${JSON.stringify(value)}: only whole-segment {*} and {**} are supported in a path template`;
    if (!/^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/.test(segment)) return `${JSON.stringify(value)}: segment ${JSON.stringify(segment)} is not a valid path literal`;
  }
  return undefined;
}

function serviceAccountError(value: string): string | undefined {
  if (value === '') return 'empty values are not allowed';
  if (value.includes('*')) return `${JSON.stringify(value)}: wildcards are not allowed in service accounts`;
  if (value.length > 320) return `${JSON.stringify(value)} is longer than 320 characters`;
  const parts = value.split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) return `${JSON.stringify(value)}: expected "serviceAccount" or "namespace/serviceAccount"`;
  return undefined;
}

function trustDomainError(value: string): string | undefined {
  return wildcardError(value) ?? (value.includes('/') ? `${JSON.stringify(value)}: a trust domain must not contain "/"` : undefined);
}

function portValueError(value: string): string | undefined {
  return /^[0-9]{1,5}$/.test(value) && Number(value) <= 65535 ? undefined : `${JSON.stringify(value)} is not a port number in 0..65535`;
}

const values = (rule: (v: string) => string | undefined, options: { maxItems?: number } = {}): Schema =>
  listOf(string({ check: (v, p, ctx) => report(ctx, p, rule(v)) }), options);

const SOURCE_FIELDS = [
  'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces',
  'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks', 'serviceAccounts', 'notServiceAccounts',
  'trustDomains', 'notTrustDomains',
];
/** Source fields that also apply to TCP traffic. */
const TCP_SOURCE_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks', 'serviceAccounts', 'notServiceAccounts'];

const source = object(
  {
    principals: values(wildcardError),
    notPrincipals: values(wildcardError),
    requestPrincipals: values(wildcardError),
    notRequestPrincipals: values(wildcardError),
    namespaces: values(wildcardError),
    notNamespaces: values(wildcardError),
    ipBlocks: values(ipOrCidrError),
    notIpBlocks: values(ipOrCidrError),
    remoteIpBlocks: values(ipOrCidrError),
    notRemoteIpBlocks: values(ipOrCidrError),
    serviceAccounts: values(serviceAccountError, { maxItems: 16 }),
    notServiceAccounts: values(serviceAccountError, { maxItems: 16 }),
    trustDomains: values(trustDomainError),
    notTrustDomains: values(trustDomainError),
  },
  {
    check(src, p, ctx) {
      if (!SOURCE_FIELDS.some((f) => list(src[f]).length > 0)) ctx.error(p, `must set at least one of ${SOURCE_FIELDS.join(', ')}`);
      const identity = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'].filter((f) => has(src, f));
      const accounts = ['serviceAccounts', 'notServiceAccounts'].filter((f) => has(src, f));
      if (identity.length > 0 && accounts.length > 0) ctx.error(p, `${accounts.join(', ')} cannot be combined with ${identity.join(', ')}`);
    },
  },
);

const OPERATION_FIELDS = ['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'];

const operation = object(
  {
    hosts: values(wildcardError),
    notHosts: values(wildcardError),
    ports: values(portValueError),
    notPorts: values(portValueError),
    methods: values(wildcardError),
    notMethods: values(wildcardError),
    paths: values(pathError),
    notPaths: values(pathError),
  },
  {
    check(op, p, ctx) {
      if (!OPERATION_FIELDS.some((f) => list(op[f]).length > 0)) ctx.error(p, `must set at least one of ${OPERATION_FIELDS.join(', ')}`);
    },
  },
);

/** Condition keys Istio supports, with the rule their values follow. */
function conditionKeyError(key: string): string | undefined {
  const bracketed = (prefix: string) => key.startsWith(`${prefix}[`) && key.endsWith(']') && key.length > prefix.length + 2;
  if (key.startsWith('request.headers')) return bracketed('request.headers') ? undefined : `${JSON.stringify(key)} must look like request.headers[<name>]`;
  if (key.startsWith('request.auth.claims')) return bracketed('request.auth.claims') ? undefined : `${JSON.stringify(key)} must look like request.auth.claims[<claim>]`;
  if (CONDITION_KEYS.includes(key)) return undefined;
  if (key === 'destination.namespace') return 'destination.namespace is replaced by the policy\'s metadata.namespace';
  if (key.startsWith('destination.labels')) return 'destination.labels is replaced by the policy\'s selector';
  if (key === 'destination.name' || key === 'destination.user') return `${key} was only supported in v1alpha1 policies`;
  if (key.startsWith('experimental.envoy.filters.')) return `${key}: experimental Envoy filter metadata is not available in Inboard`;
  return `unknown attribute ${JSON.stringify(key)}; supported: request.headers[<name>], request.auth.claims[<claim>], ${CONDITION_KEYS.join(', ')}`;
}

const CONDITION_KEYS = [
  'source.ip', 'remote.ip', 'source.namespace', 'source.principal', 'source.serviceAccount', 'source.trustDomain',
  'request.auth.principal', 'request.auth.audiences', 'request.auth.presenter', 'destination.ip', 'destination.port', 'connection.sni',
];

function conditionValueError(key: string, value: string): string | undefined {
  if (value === '') return 'empty values are not allowed';
  if (key === 'source.ip' || key === 'remote.ip' || key === 'destination.ip') return ipOrCidrError(value);
  if (key === 'destination.port') return portValueError(value);
  if (key === 'source.serviceAccount') return serviceAccountError(value);
  if (key === 'source.trustDomain') return trustDomainError(value);
  return wildcardError(value);
}

const condition = object(
  { key: string({ nonEmpty: true, check: (k, p, ctx) => report(ctx, p, conditionKeyError(k)) }), values: listOf(string()), notValues: listOf(string()) },
  {
    required: ['key'],
    check(c, p, ctx) {
      const key = str(c.key);
      if (key === undefined || key === '') return;
      if (list(c.values).length === 0 && list(c.notValues).length === 0) return ctx.error(p, `at least one of values or notValues must be set for key ${key}`);
      if (conditionKeyError(key) !== undefined) return;
      for (const field of ['values', 'notValues']) {
        list(c[field]).forEach((v, i) => {
          if (typeof v === 'string') report(ctx, item(at(p, field), i), conditionValueError(key, v));
        });
      }
    },
  },
);

const rule = object({
  from: listOf(object({ source }, { required: ['source'] }), { minItems: 1, maxItems: 512 }),
  to: listOf(object({ operation }, { required: ['operation'] }), { minItems: 1 }),
  when: listOf(condition),
});

/** The AuthorizationPolicy spec schema. */
export const authorizationPolicySpec: Schema = object(
  {
    selector: workloadSelector(),
    targetRef: targetRefRejected(),
    targetRefs: targetRefRejected(),
    rules: listOf(rule, { maxItems: 512 }),
    action: enumOf(['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'], {
      rejected: { CUSTOM: 'action CUSTOM is not supported until an external authorizer is configured, and Inboard has none yet; use ALLOW or DENY' },
    }),
    provider: object({ name: string({ nonEmpty: true }) }),
  },
  { check: checkPolicy },
);

function checkPolicy(spec: Record<string, unknown>, path: string, ctx: Ctx): void {
  const action = str(spec.action) ?? 'ALLOW';
  if (action === 'CUSTOM' && !str(rec(spec.provider)?.name)) ctx.error(at(path, 'provider'), 'provider.name is required with action CUSTOM');
  if (action !== 'CUSTOM' && has(spec, 'provider')) ctx.error(at(path, 'provider'), `provider is only allowed with action CUSTOM, not ${action}`);
  if (action === 'DENY' && !has(spec, 'rules')) {
    ctx.error(at(path, 'rules'), 'a DENY policy without rules never matches; add rules, or an empty rule {} to deny every request');
  }
  if (action !== 'DENY') return;
  list(spec.rules).forEach((r, i) => {
    const rl = rec(r);
    if (!rl) return;
    const sources = list(rl.from).map((f) => rec(rec(f)?.source)).filter((s) => s !== undefined);
    const operations = list(rl.to).map((t) => rec(rec(t)?.operation)).filter((o) => o !== undefined);
    const tcpInFrom = sources.some((s) => TCP_SOURCE_FIELDS.some((f) => has(s, f)));
    const tcpInTo = operations.some((o) => has(o, 'ports') || has(o, 'notPorts'));
    if ((sources.length > 0 && operations.length === 0 && !tcpInFrom) || (operations.length > 0 && !tcpInTo)) {
      ctx.warn(item(at(path, 'rules'), i), 'this DENY rule uses only HTTP attributes, so it denies ALL traffic on TCP ports in its scope; name the ports explicitly');
    }
  });
}
