// Compiles the RBAC HTTP filter config into predicates with Envoy's semantics. Config Envoy would reject
// is an AuthzError; a matcher Inboard cannot evaluate compiles to the constant that fails closed for its
// engine (DENY/LOG match more, ALLOW matches less), counting enclosing not_rule/not_id.

import { compileHeaderMatcher } from '../routing/matchers';
import { FILTER_TYPES } from '../snapshot/compile-filters';
import { Issues, join, readBool, readEnum, readInt, readList, readObject, readString, type Obj } from '../snapshot/proto-readers';
import type { HttpFilterSpec } from '../snapshot/types';
import { AuthzError } from './errors';
import { compileCidrRange, compileMetadataMatcher, compileRbacStringMatcher } from './rbac-matchers';
import type { AuthzPredicate, CompiledPolicy, CompiledRbac, CompiledRbacRules, RbacAction } from './types';

const ALWAYS: AuthzPredicate = () => true;
const NEVER: AuthzPredicate = () => false;

/** State of one engine's compilation: where errors and notes go, and the engine's action. */
interface Compile {
  readonly issues: Issues;
  readonly action: RbacAction;
}

/**
 * The constant an unsupported matcher compiles to: true (match) in a DENY/LOG engine, false in
 * an ALLOW engine — flipped under an odd number of enclosing negations.
 */
function unsupported(c: Compile, path: string, what: string, negated: boolean): AuthzPredicate {
  const matchMore = c.action !== 'ALLOW';
  const value = matchMore !== negated;
  c.issues.note(path, `${what} is not supported by Inboard; compiled to "${value ? 'matches' : 'never matches'}" so that this ${c.action} policy fails closed`);
  return value ? ALWAYS : NEVER;
}

/** The one set field of a oneof-style message, ignoring unset/default ones (protobuf `any: false` is unset). */
function setField(o: Obj, names: readonly string[]): string | undefined {
  return names.find((n) => o[n] !== undefined && o[n] !== null && o[n] !== false);
}

function every(list: AuthzPredicate[]): AuthzPredicate {
  return list.length === 1 ? list[0]! : (ctx) => list.every((p) => p(ctx));
}

function some(list: AuthzPredicate[]): AuthzPredicate {
  return list.length === 1 ? list[0]! : (ctx) => list.some((p) => p(ctx));
}

function compileSet(v: unknown, key: 'rules' | 'ids', path: string, negated: boolean, c: Compile, each: typeof compilePermission): AuthzPredicate[] {
  const o = readObject(v, path, c.issues) ?? {};
  const items = readList(o[key], join(path, key), c.issues);
  if (items.length === 0) c.issues.error(join(path, key), `must have at least one ${key === 'rules' ? 'rule' : 'id'}`);
  return items.map((item, i) => each(item, join(join(path, key), i), negated, c));
}

const PERMISSION_RULES = [
  'and_rules', 'or_rules', 'any', 'header', 'url_path', 'destination_ip', 'destination_port', 'destination_port_range', 'metadata',
  'not_rule', 'requested_server_name', 'matcher', 'uri_template',
] as const;

/** Compiles an rbac.v3.Permission. */
function compilePermission(v: unknown, path: string, negated: boolean, c: Compile): AuthzPredicate {
  const o = readObject(v, path, c.issues) ?? {};
  const rule = setField(o, PERMISSION_RULES);
  switch (rule) {
    case 'and_rules': return every(compileSet(o.and_rules, 'rules', join(path, rule), negated, c, compilePermission));
    case 'or_rules': return some(compileSet(o.or_rules, 'rules', join(path, rule), negated, c, compilePermission));
    case 'any': return ALWAYS;
    case 'not_rule': {
      const inner = compilePermission(o.not_rule, join(path, rule), !negated, c);
      return (ctx) => !inner(ctx);
    }
    case 'header': return headerPredicate(o.header, join(path, rule), c);
    case 'url_path': return urlPathPredicate(o.url_path, join(path, rule), c);
    case 'destination_ip': {
      const cidr = compileCidrRange(o.destination_ip, join(path, rule), c.issues);
      return cidr ? (ctx) => cidr(ctx.destinationIp) : NEVER;
    }
    case 'destination_port': {
      const port = readInt(o.destination_port, join(path, rule), c.issues, { max: 65535 });
      return (ctx) => ctx.destinationPort === port;
    }
    case 'destination_port_range': {
      const range = readObject(o.destination_port_range, join(path, rule), c.issues) ?? {};
      const start = readInt(range['start'], join(path, rule), c.issues, { unsigned: false }) ?? 0;
      const end = readInt(range['end'], join(path, rule), c.issues, { unsigned: false }) ?? 0;
      return (ctx) => ctx.destinationPort >= start && ctx.destinationPort < end;
    }
    case 'metadata': {
      const m = compileMetadataMatcher(o.metadata, join(path, rule), c.issues);
      return m ? (ctx) => m(ctx.metadata) : NEVER;
    }
    case 'requested_server_name': {
      const m = compileRbacStringMatcher(o.requested_server_name, join(path, rule), c.issues);
      return m ? (ctx) => m.test(ctx.sni) : NEVER;
    }
    case 'matcher': return unsupported(c, join(path, rule), 'permission matcher extension', negated);
    case 'uri_template': return unsupported(c, join(path, rule), 'uri_template permission', negated);
    default: return unsupported(c, path, 'a permission with no rule Inboard knows (newer API?)', negated);
  }
}

const PRINCIPAL_IDS = [
  'and_ids', 'or_ids', 'any', 'authenticated', 'source_ip', 'direct_remote_ip', 'remote_ip', 'header', 'url_path', 'metadata',
  'filter_state', 'not_id',
] as const;

/** Compiles an rbac.v3.Principal. */
function compilePrincipal(v: unknown, path: string, negated: boolean, c: Compile): AuthzPredicate {
  const o = readObject(v, path, c.issues) ?? {};
  const id = setField(o, PRINCIPAL_IDS);
  switch (id) {
    case 'and_ids': return every(compileSet(o.and_ids, 'ids', join(path, id), negated, c, compilePrincipal));
    case 'or_ids': return some(compileSet(o.or_ids, 'ids', join(path, id), negated, c, compilePrincipal));
    case 'any': return ALWAYS;
    case 'not_id': {
      const inner = compilePrincipal(o.not_id, join(path, id), !negated, c);
      return (ctx) => !inner(ctx);
    }
    case 'authenticated': {
      // Envoy: a connection without a (validated) peer certificate never matches; no matcher = any peer.
      const auth = readObject(o.authenticated, join(path, id), c.issues) ?? {};
      if (auth['principal_name'] === undefined) return (ctx) => ctx.principal !== undefined;
      const m = compileRbacStringMatcher(auth['principal_name'], join(path, id), c.issues);
      return m ? (ctx) => ctx.principal !== undefined && m.test(ctx.principal) : NEVER;
    }
    case 'source_ip':
    case 'direct_remote_ip': {
      const cidr = compileCidrRange(o[id], join(path, id), c.issues);
      return cidr ? (ctx) => cidr(ctx.directRemoteIp) : NEVER;
    }
    case 'remote_ip': {
      const cidr = compileCidrRange(o.remote_ip, join(path, id), c.issues);
      return cidr ? (ctx) => cidr(ctx.remoteIp) : NEVER;
    }
    case 'header': return headerPredicate(o.header, join(path, id), c);
    case 'url_path': return urlPathPredicate(o.url_path, join(path, id), c);
    case 'metadata': {
      const m = compileMetadataMatcher(o.metadata, join(path, id), c.issues);
      return m ? (ctx) => m(ctx.metadata) : NEVER;
    }
    case 'filter_state': return unsupported(c, join(path, id), 'filter_state principal', negated);
    default: return unsupported(c, path, 'a principal with no identifier Inboard knows (newer API?)', negated);
  }
}

function headerPredicate(v: unknown, path: string, c: Compile): AuthzPredicate {
  const m = compileHeaderMatcher(v, path, c.issues);
  return m ? (ctx) => m.test(ctx.view) : NEVER;
}

/** PathMatcher: the string matcher on the normalised path without query. */
function urlPathPredicate(v: unknown, path: string, c: Compile): AuthzPredicate {
  const o = readObject(v, path, c.issues) ?? {};
  if (o['path'] === undefined) {
    c.issues.error(join(path, 'path'), 'url_path needs a path string matcher');
    return NEVER;
  }
  const m = compileRbacStringMatcher(o['path'], join(path, 'path'), c.issues);
  return m ? (ctx) => m.test(ctx.urlPath) : NEVER;
}

/** Compiles one rbac.v3.Policy: any permission AND any principal (AND its condition, unsupported). */
function compilePolicy(name: string, v: unknown, path: string, c: Compile): CompiledPolicy {
  const o = readObject(v, path, c.issues) ?? {};
  const permissions = readList(o['permissions'], join(path, 'permissions'), c.issues);
  const principals = readList(o['principals'], join(path, 'principals'), c.issues);
  if (permissions.length === 0) c.issues.error(join(path, 'permissions'), 'a policy needs at least one permission');
  if (principals.length === 0) c.issues.error(join(path, 'principals'), 'a policy needs at least one principal');
  const parts = [
    some(permissions.map((p, i) => compilePermission(p, join(join(path, 'permissions'), i), false, c))),
    some(principals.map((p, i) => compilePrincipal(p, join(join(path, 'principals'), i), false, c))),
  ];
  for (const field of ['condition', 'checked_condition']) {
    if (o[field] !== undefined) parts.push(unsupported(c, join(path, field), `CEL ${field}`, false));
  }
  return { name, matches: every(parts) };
}

/** Compiles an rbac.v3.RBAC (action + policies; policies evaluated in name order, as Envoy's map). */
function compileRules(v: unknown, path: string, issues: Issues): CompiledRbacRules {
  const o = readObject(v, path, issues) ?? {};
  const action = readEnum(o['action'], ['ALLOW', 'DENY', 'LOG'] as const, join(path, 'action'), issues, 'ALLOW');
  if (o['audit_logging_options'] !== undefined) issues.note(join(path, 'audit_logging_options'), 'audit loggers are not supported; matches are reported in the decision instead');
  const policies = readObject(o['policies'], join(path, 'policies'), issues) ?? {};
  const c: Compile = { issues, action };
  const compiled = Object.keys(policies).sort().map((name) => compilePolicy(name, policies[name], join(join(path, 'policies'), name), c));
  return { action, policies: compiled };
}

/**
 * Compiles an RBAC HTTP filter's typed_config (plain object as decoded, `@type` optional). Throws
 * AuthzError INVALID_RBAC_CONFIG listing every problem (with field paths) when Envoy would reject it.
 */
export function compileRbac(config: unknown, filterName = 'envoy.filters.http.rbac'): CompiledRbac {
  const issues = new Issues();
  const o = readObject(config, '', issues) ?? {};
  const type = readString(o['@type'], '@type', issues);
  if (type !== undefined && !type.endsWith(`/${FILTER_TYPES.RBAC}`)) issues.error('@type', `expected ${FILTER_TYPES.RBAC}, got ${type}`);
  if (o['matcher'] !== undefined) issues.error('matcher', 'RBAC matcher trees (xds.type.matcher) are not supported; use rules');
  if (o['shadow_matcher'] !== undefined) issues.note('shadow_matcher', 'shadow matcher trees are not supported; ignored (shadow rules are never enforced)');
  readBool(o['track_per_rule_stats'], 'track_per_rule_stats', issues);
  const rules = o['rules'] !== undefined ? compileRules(o['rules'], 'rules', issues) : undefined;
  const shadow = o['shadow_rules'] !== undefined ? compileRules(o['shadow_rules'], 'shadow_rules', issues) : undefined;
  if (issues.errors.length > 0) {
    const list = issues.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new AuthzError('INVALID_RBAC_CONFIG', `RBAC filter ${filterName} is invalid (deny every request until it is fixed): ${list}`, issues.errors);
  }
  return {
    name: filterName,
    ...(rules ? { rules } : {}),
    ...(shadow ? { shadow } : {}),
    notes: issues.notes.map((n) => `${filterName}: ${n.path}: ${n.message}`),
  };
}

/**
 * The RBAC filters of an inbound HttpConnectionManager, compiled in chain order (disabled filters
 * skipped, other filters ignored). Throws AuthzError when any of them is invalid.
 */
export function compileRbacFilters(httpFilters: readonly HttpFilterSpec[]): CompiledRbac[] {
  return httpFilters
    .filter((f) => f.typeName === FILTER_TYPES.RBAC && !f.disabled)
    .map((f) => compileRbac(f.config ?? {}, f.name));
}
