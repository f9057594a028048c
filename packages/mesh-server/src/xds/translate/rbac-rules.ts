// One AuthorizationPolicy rule → one Envoy RBAC Policy, as Istio's authz model builds it: a principal
// per `from` source, a permission per `to` operation, fields ANDed, values ORed, not-values negated,
// `when` conditions joined to every principal or permission.

import type { Condition, Operation, Rule, Source } from '../../config/istio-types';
import type { EnvoyObject } from './envoy-names';
import {
  cidrRange, headerMatcher, hostMatcher, jwtClaimMatcher, namespacePrincipalName, pathPermission, portNumber,
  requestPrincipalMatcher, serviceAccountPrincipalName, SPIFFE_PREFIX, stringMatcher, trustDomainPrincipalName,
} from './rbac-matchers';

/** The name Istio gives the Envoy policy of rule `index` of a policy: `ns[<ns>]-policy[<name>]-rule[<i>]`. */
export function rbacPolicyName(namespace: string, name: string, index: number): string {
  return `ns[${namespace}]-policy[${name}]-rule[${index}]`;
}

/** The parts of an rbacPolicyName, or undefined for any other name. */
export function parseRbacPolicyName(policy: string): { namespace: string; name: string; rule: number } | undefined {
  const m = /^ns\[(.*)\]-policy\[(.*)\]-rule\[(\d+)\]$/.exec(policy);
  return m ? { namespace: m[1]!, name: m[2]!, rule: Number(m[3]) } : undefined;
}

/** Istio's rbacPolicyMatchNever: the policy emitted for an AuthorizationPolicy without rules. */
export const RBAC_POLICY_MATCH_NEVER: EnvoyObject = Object.freeze({
  permissions: [{ not_rule: { any: true } }],
  principals: [{ not_id: { any: true } }],
});

/** A policy that matches every request (a DENY or AUDIT rule that could not be translated fails closed). */
export const RBAC_POLICY_MATCH_ALL: EnvoyObject = Object.freeze({ permissions: [{ any: true }], principals: [{ any: true }] });

/**
 * One field of a rule: its values and not-values, and how a value becomes a leaf. `each` builds one
 * leaf per value (ORed); `all` builds a single leaf from the whole list (Istio's "extended" JWT forms).
 */
interface FieldRule {
  readonly key: string;
  readonly values: readonly string[];
  readonly notValues: readonly string[];
  readonly each?: (value: string) => EnvoyObject;
  readonly all?: (values: readonly string[]) => EnvoyObject;
}

type Side = 'principal' | 'permission';

const SHAPES = {
  principal: { and: (ids: EnvoyObject[]) => ({ and_ids: { ids } }), or: (ids: EnvoyObject[]) => ({ or_ids: { ids } }), not: (id: EnvoyObject) => ({ not_id: id }) },
  permission: { and: (rules: EnvoyObject[]) => ({ and_rules: { rules } }), or: (rules: EnvoyObject[]) => ({ or_rules: { rules } }), not: (rule: EnvoyObject) => ({ not_rule: rule }) },
} as const;

/** The leaves of one field: OR of values, NOT(OR of not-values). Throws on a value it cannot translate. */
function fieldLeaves(side: Side, field: FieldRule): EnvoyObject[] {
  const shape = SHAPES[side];
  const group = (values: readonly string[]): EnvoyObject => {
    try {
      return field.all ? field.all(values) : shape.or(values.map((v) => field.each!(v)));
    } catch (error) {
      throw new Error(`${field.key}: ${(error as Error).message}`);
    }
  };
  const out: EnvoyObject[] = [];
  if (field.values.length > 0) out.push(group(field.values));
  if (field.notValues.length > 0) out.push(shape.not(group(field.notValues)));
  return out;
}

/** AND of the leaves of every field (`any: true` when none). */
function conjunction(side: Side, fields: readonly FieldRule[]): EnvoyObject {
  const leaves = fields.flatMap((f) => fieldLeaves(side, f));
  return SHAPES[side].and(leaves.length > 0 ? leaves : [{ any: true }]);
}

const field = (key: string, values: readonly string[] | undefined, notValues: readonly string[] | undefined, build: Pick<FieldRule, 'each' | 'all'>): FieldRule | undefined =>
  (values?.length ?? 0) + (notValues?.length ?? 0) === 0 ? undefined : { key, values: values ?? [], notValues: notValues ?? [], ...build };

const authenticated = (principalName: EnvoyObject): EnvoyObject => ({ authenticated: { principal_name: principalName } });

/** Leaf builders shared by `from` fields and `when` keys. */
function principalBuilders(policyNamespace: string) {
  return {
    principal: { each: (v: string) => authenticated(stringMatcher(v, SPIFFE_PREFIX)) },
    requestPrincipal: { each: (v: string) => ({ metadata: requestPrincipalMatcher(v) }) },
    serviceAccount: { each: (v: string) => authenticated(serviceAccountPrincipalName(v, policyNamespace)) },
    trustDomain: { each: (v: string) => authenticated(trustDomainPrincipalName(v)) },
    namespace: { each: (v: string) => authenticated(namespacePrincipalName(v)) },
    remoteIp: { each: (v: string) => ({ remote_ip: cidrRange(v) }) },
    sourceIp: { each: (v: string) => ({ direct_remote_ip: cidrRange(v) }) },
  };
}

function sourceFields(source: Source | undefined, b: ReturnType<typeof principalBuilders>): (FieldRule | undefined)[] {
  if (!source) return [];
  return [
    field('principals', source.principals, source.notPrincipals, b.principal),
    field('requestPrincipals', source.requestPrincipals, source.notRequestPrincipals, b.requestPrincipal),
    field('serviceAccounts', source.serviceAccounts, source.notServiceAccounts, b.serviceAccount),
    field('trustDomains', source.trustDomains, source.notTrustDomains, b.trustDomain),
    field('namespaces', source.namespaces, source.notNamespaces, b.namespace),
    field('remoteIpBlocks', source.remoteIpBlocks, source.notRemoteIpBlocks, b.remoteIp),
    field('ipBlocks', source.ipBlocks, source.notIpBlocks, b.sourceIp),
  ];
}

function operationFields(operation: Operation | undefined): (FieldRule | undefined)[] {
  if (!operation) return [];
  return [
    field('hosts', operation.hosts, operation.notHosts, { each: (v) => ({ header: hostMatcher(v) }) }),
    field('methods', operation.methods, operation.notMethods, { each: (v) => ({ header: headerMatcher(':method', v) }) }),
    field('paths', operation.paths, operation.notPaths, { each: pathPermission }),
    field('ports', operation.ports, operation.notPorts, { each: (v) => ({ destination_port: portNumber(v) }) }),
  ];
}

/** `[a][b]` → ["a", "b"]; `[a.b]` → ["a.b"] (Istio's extractNameInNestedBrackets). */
export function bracketNames(text: string): string[] {
  const nested = text.match(/^(\[[^[\]]+\])+$/) ? [...text.matchAll(/\[([^[\]]+)\]/g)].map((m) => m[1]!) : undefined;
  if (nested) return nested;
  if (text.startsWith('[') && text.endsWith(']') && text.length > 2) return [text.slice(1, -1)];
  throw new Error(`expected [<name>], got ${JSON.stringify(text)}`);
}

/** The `when` conditions as fields of the principal side and of the permission side. */
function conditionFields(conditions: readonly Condition[] | undefined, b: ReturnType<typeof principalBuilders>): { principal: FieldRule[]; permission: FieldRule[] } {
  const principal: FieldRule[] = [];
  const permission: FieldRule[] = [];
  for (const c of conditions ?? []) {
    const add = (side: FieldRule[], build: Pick<FieldRule, 'each' | 'all'>) => {
      const f = field(`when ${c.key}`, c.values, c.notValues, build);
      if (f) side.push(f);
    };
    const k = c.key;
    if (k === 'destination.ip') add(permission, { each: (v) => ({ destination_ip: cidrRange(v) }) });
    else if (k === 'destination.port') add(permission, { each: (v) => ({ destination_port: portNumber(v) }) });
    else if (k === 'connection.sni') add(permission, { each: (v) => ({ requested_server_name: stringMatcher(v) }) });
    else if (k === 'source.ip') add(principal, b.sourceIp);
    else if (k === 'remote.ip') add(principal, b.remoteIp);
    else if (k === 'source.namespace') add(principal, b.namespace);
    else if (k === 'source.principal') add(principal, b.principal);
    else if (k === 'source.serviceAccount') add(principal, b.serviceAccount);
    else if (k === 'source.trustDomain') add(principal, b.trustDomain);
    else if (k === 'request.auth.principal') add(principal, b.requestPrincipal);
    else if (k === 'request.auth.audiences') add(principal, { all: (vs) => ({ metadata: jwtClaimMatcher(['aud'], vs) }) });
    else if (k === 'request.auth.presenter') add(principal, { all: (vs) => ({ metadata: jwtClaimMatcher(['azp'], vs) }) });
    else if (k.startsWith('request.headers')) {
      const [name] = bracketNames(k.slice('request.headers'.length));
      add(principal, { each: (v) => ({ header: headerMatcher(name!, v) }) });
    } else if (k.startsWith('request.auth.claims')) {
      const path = bracketNames(k.slice('request.auth.claims'.length));
      add(principal, { all: (vs) => ({ metadata: jwtClaimMatcher(path, vs) }) });
    } else throw new Error(`when: unknown attribute ${JSON.stringify(k)}`);
  }
  return { principal, permission };
}

/**
 * The Envoy RBAC Policy of one rule of a policy in `policyNamespace` (service accounts without a
 * namespace mean that one). Throws an Error naming the field when a value cannot be translated.
 */
export function rulePolicy(rule: Rule, policyNamespace: string): EnvoyObject {
  const b = principalBuilders(policyNamespace);
  const conditions = conditionFields(rule.when, b);
  const defined = (list: (FieldRule | undefined)[]) => list.filter((f): f is FieldRule => f !== undefined);
  const froms = rule.from?.length ? rule.from : [undefined];
  const tos = rule.to?.length ? rule.to : [undefined];
  return {
    permissions: tos.map((to) => conjunction('permission', [...defined(operationFields(to?.operation)), ...conditions.permission])),
    principals: froms.map((from) => conjunction('principal', [...defined(sourceFields(from?.source, b)), ...conditions.principal])),
  };
}
