// A small reference evaluator of AuthorizationPolicy, written directly from Istio's documentation
// (istio.io reference/config/security/authorization-policy and .../conditions) over the Istio YAML,
// with no Envoy concepts: the oracle the translated RBAC config is compared against (SEC-05).
//
//   Order: any matching DENY → deny; no ALLOW policy → allow; any matching ALLOW → allow; else deny.
//   AUDIT never changes the decision. A policy matches when one of its rules matches; no rules →
//   never. A rule matches when one `from` source, one `to` operation and every `when` condition
//   match (a missing list matches). In a source/operation every set field must match; a field
//   matches when one of its values does and none of its not-values does. Strings: exact, "abc*"
//   prefix, "*abc" suffix, "*" any non-empty value. Hosts compare case-insensitively; paths are the
//   normalised path; `{*}` is one path segment and `{**}` the rest of the path.

/** The request attributes the documentation names. */
export interface RefRequest {
  readonly method: string;
  /** The normalised path without query. */
  readonly path: string;
  readonly host: string;
  readonly port: number;
  readonly sourceIp: string;
  readonly remoteIp: string;
  readonly destinationIp: string;
  /** source.principal, `<trust domain>/ns/<ns>/sa/<sa>`, absent without mTLS. */
  readonly principal?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly sni: string;
  /** The verified JWT's claims (request.auth.*), absent without a token. */
  readonly jwt?: Readonly<Record<string, unknown>>;
}

/** An AuthorizationPolicy as written (only the fields the reference reads). */
export interface RefPolicy {
  readonly namespace: string;
  readonly spec: {
    readonly action?: string;
    readonly rules?: readonly RefRule[];
  };
}
type Values = readonly string[] | undefined;
interface RefRule {
  readonly from?: readonly { readonly source: Readonly<Record<string, Values>> }[];
  readonly to?: readonly { readonly operation: Readonly<Record<string, Values>> }[];
  readonly when?: readonly { readonly key: string; readonly values?: Values; readonly notValues?: Values }[];
}

/** Istio's string match: exact, prefix*, *suffix, * = present and non-empty. */
function stringMatch(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (pattern === '*') return value !== '';
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return value === pattern;
}

function ipToBits(ip: string): string | undefined {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  const parts = v4.split('.');
  if (parts.length !== 4) return undefined;
  return parts.map((p) => Number(p).toString(2).padStart(8, '0')).join('');
}

/** An IPv4 address or CIDR block contains `ip` (the generator only uses IPv4). */
function inBlock(block: string, ip: string): boolean {
  const [address, length] = block.includes('/') ? block.split('/') : [block, '32'];
  const a = ipToBits(address!);
  const b = ipToBits(ip);
  return a !== undefined && b !== undefined && a.slice(0, Number(length)) === b.slice(0, Number(length));
}

/** `{*}` one non-empty segment, `{**}` one or more remaining segments (possibly empty), else literal. */
function templateMatch(template: string, path: string): boolean {
  const t = template.split('/');
  const p = path.split('/');
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '{**}') return p.length > i;
    if (i >= p.length) return false;
    if (t[i] === '{*}' ? p[i] === '' : t[i] !== p[i]) return false;
  }
  return t.length === p.length;
}

const pathMatch = (pattern: string, path: string) => (pattern.includes('{*') ? templateMatch(pattern, path) : stringMatch(pattern, path));

const principalPart = (principal: string | undefined, index: number): string | undefined => {
  const parts = principal?.split('/');
  return parts && parts.length === 5 && parts[1] === 'ns' && parts[3] === 'sa' ? parts[index] : undefined;
};

/** One field: some value matches (or no values) and no not-value matches. */
function field(values: Values, notValues: Values, test: (v: string) => boolean): boolean {
  return (!values?.length || values.some(test)) && !(notValues ?? []).some(test);
}

const claimValues = (claim: unknown): string[] => (Array.isArray(claim) ? claim.filter((c): c is string => typeof c === 'string') : typeof claim === 'string' ? [claim] : []);
const requestPrincipal = (req: RefRequest): string | undefined =>
  typeof req.jwt?.['iss'] === 'string' && typeof req.jwt?.['sub'] === 'string' ? `${req.jwt['iss']}/${req.jwt['sub']}` : undefined;

/** The test one attribute (source field, operation field or condition key) applies to one value. */
function attributeTest(key: string, req: RefRequest, policyNamespace: string): (value: string) => boolean {
  switch (key) {
    case 'principals': case 'source.principal': return (v) => stringMatch(v, req.principal);
    case 'namespaces': case 'source.namespace': return (v) => stringMatch(v, principalPart(req.principal, 2));
    case 'serviceAccounts': return (v) => {
      const [ns, sa] = v.includes('/') ? v.split('/') : [policyNamespace, v];
      return principalPart(req.principal, 2) === ns && principalPart(req.principal, 4) === sa;
    };
    case 'ipBlocks': case 'source.ip': return (v) => inBlock(v, req.sourceIp);
    case 'remoteIpBlocks': case 'remote.ip': return (v) => inBlock(v, req.remoteIp);
    case 'requestPrincipals': case 'request.auth.principal': return (v) => stringMatch(v, requestPrincipal(req));
    case 'hosts': return (v) => stringMatch(v.toLowerCase(), req.host.toLowerCase());
    case 'methods': return (v) => stringMatch(v, req.method);
    case 'paths': return (v) => pathMatch(v, req.path);
    case 'ports': case 'destination.port': return (v) => v === String(req.port);
    case 'destination.ip': return (v) => inBlock(v, req.destinationIp);
    case 'connection.sni': return (v) => stringMatch(v, req.sni);
    case 'request.auth.audiences': return (v) => claimValues(req.jwt?.['aud']).some((a) => stringMatch(v, a));
    case 'request.auth.presenter': return (v) => claimValues(req.jwt?.['azp']).some((a) => stringMatch(v, a));
    default: {
      const header = /^request\.headers\[(.+)\]$/.exec(key);
      if (header) return (v) => stringMatch(v, req.headers[header[1]!.toLowerCase()]);
      const claim = /^request\.auth\.claims\[(.+)\]$/.exec(key);
      if (claim) return (v) => claimValues(req.jwt?.[claim[1]!]).some((c) => stringMatch(v, c));
      throw new Error(`reference evaluator: unknown attribute ${key}`);
    }
  }
}

/** `notPrincipals` → `principals`; other keys unchanged. */
const baseKey = (k: string): string => (/^not[A-Z]/.test(k) ? k[3]!.toLowerCase() + k.slice(4) : k);

/** A source or operation: every field (with its not-field) matches. */
function allFields(fields: Readonly<Record<string, Values>>, req: RefRequest, ns: string): boolean {
  const bases = [...new Set(Object.keys(fields).map(baseKey))];
  return bases.every((b) => field(fields[b], fields[`not${b[0]!.toUpperCase()}${b.slice(1)}`], attributeTest(b, req, ns)));
}

function ruleMatches(rule: RefRule, req: RefRequest, ns: string): boolean {
  const from = !rule.from?.length || rule.from.some((f) => allFields(f.source, req, ns));
  const to = !rule.to?.length || rule.to.some((t) => allFields(t.operation, req, ns));
  const when = (rule.when ?? []).every((c) => field(c.values, c.notValues, attributeTest(c.key, req, ns)));
  return from && to && when;
}

const policyMatches = (p: RefPolicy, req: RefRequest) => (p.spec.rules ?? []).some((r) => ruleMatches(r, req, p.namespace));

/** Istio's documented decision for the policies that apply to the workload. */
export function referenceDecision(policies: readonly RefPolicy[], req: RefRequest): 'ALLOW' | 'DENY' {
  const action = (p: RefPolicy) => p.spec.action ?? 'ALLOW';
  if (policies.some((p) => action(p) === 'DENY' && policyMatches(p, req))) return 'DENY';
  const allows = policies.filter((p) => action(p) === 'ALLOW');
  if (allows.length === 0) return 'ALLOW';
  return allows.some((p) => policyMatches(p, req)) ? 'ALLOW' : 'DENY';
}
