// Compiles HTTP filter configuration: the HTTPFault message (HCM filter or per-route override) and
// typed_per_filter_config maps (with the FilterConfig wrapper) into FilterOverrides.

import { compileHeaderMatcher } from '../routing/matchers';
import type { FaultPolicy, FilterOverride, FilterOverrides } from '../routing/types';
import { cloneFrozen } from './freeze';
import {
  Issues, Obj, fields, join, readBool, readDurationMs, readFraction, readFractionPerMillion, readInt, readList, readObject, readString, unwrapAny,
} from './proto-readers';

/** Message names of the HTTP filter configs Inboard knows. */
export const FILTER_TYPES = {
  ROUTER: 'envoy.extensions.filters.http.router.v3.Router',
  FAULT: 'envoy.extensions.filters.http.fault.v3.HTTPFault',
  RBAC: 'envoy.extensions.filters.http.rbac.v3.RBAC',
  RBAC_PER_ROUTE: 'envoy.extensions.filters.http.rbac.v3.RBACPerRoute',
  FILTER_CONFIG: 'envoy.config.route.v3.FilterConfig',
} as const;

/** Per-route config types whose semantics another layer implements (kept as data, not noted). */
const INTERPRETED_ELSEWHERE = new Set<string>([FILTER_TYPES.RBAC, FILTER_TYPES.RBAC_PER_ROUTE]);

const FAULT_FIELDS = fields('delay', 'abort', 'upstream_cluster', 'headers', 'downstream_nodes', 'max_active_faults', 'response_rate_limit');
const FAULT_HARMLESS = fields('disable_downstream_cluster_stats', 'filter_metadata');

/** Compiles an HTTPFault message. Percentages unset mean 0 % (FractionalPercent default), as in Envoy. */
export function compileFault(o: Obj, path: string, issues: Issues): FaultPolicy | undefined {
  const before = issues.errors.length;
  // *_runtime keys fall to unknownFields: Inboard has no runtime, so they are noted as not honoured.
  issues.unknownFields(o, path, FAULT_FIELDS, FAULT_HARMLESS);
  const fault: { -readonly [K in keyof FaultPolicy]: FaultPolicy[K] } = { headers: [], downstreamNodes: [] };

  const delay = readObject(o['delay'], join(path, 'delay'), issues);
  if (delay) {
    const p = join(path, 'delay');
    const fixedDelayMs = readDurationMs(delay['fixed_delay'], join(p, 'fixed_delay'), issues);
    const fromHeader = delay['header_delay'] !== undefined;
    if (fixedDelayMs === undefined && !fromHeader) issues.error(p, 'delay needs fixed_delay or header_delay');
    else if (fixedDelayMs !== undefined && fixedDelayMs <= 0) issues.error(join(p, 'fixed_delay'), 'fixed_delay must be greater than 0');
    const { perMillion, scale } = readFraction(delay['percentage'], join(p, 'percentage'), issues, 0);
    fault.delay = { ...(fixedDelayMs !== undefined ? { fixedDelayMs } : {}), fromHeader, perMillion, ...(fromHeader ? { headerScale: scale } : {}) };
  }

  const abort = readObject(o['abort'], join(path, 'abort'), issues);
  if (abort) {
    const p = join(path, 'abort');
    const httpStatus = readInt(abort['http_status'], join(p, 'http_status'), issues);
    const grpcStatus = readInt(abort['grpc_status'], join(p, 'grpc_status'), issues);
    const fromHeader = abort['header_abort'] !== undefined;
    if (httpStatus === undefined && grpcStatus === undefined && !fromHeader) issues.error(p, 'abort needs http_status, grpc_status or header_abort');
    if (httpStatus !== undefined && (httpStatus < 200 || httpStatus >= 600)) issues.error(join(p, 'http_status'), `http_status must be within [200, 600) (got ${httpStatus})`);
    const { perMillion, scale } = readFraction(abort['percentage'], join(p, 'percentage'), issues, 0);
    fault.abort = {
      ...(httpStatus !== undefined ? { httpStatus } : {}),
      ...(grpcStatus !== undefined ? { grpcStatus } : {}),
      fromHeader,
      perMillion,
      ...(fromHeader ? { headerScale: scale } : {}),
    };
  }

  const rateLimit = readObject(o['response_rate_limit'], join(path, 'response_rate_limit'), issues);
  if (rateLimit) {
    const p = join(path, 'response_rate_limit');
    const fixed = readObject(rateLimit['fixed_limit'], join(p, 'fixed_limit'), issues);
    const fixedKbps = fixed ? readInt(fixed['limit_kbps'], join(p, 'fixed_limit.limit_kbps'), issues) : undefined;
    fault.responseRateLimit = {
      ...(fixedKbps !== undefined ? { fixedKbps } : {}),
      fromHeader: rateLimit['header_limit'] !== undefined,
      perMillion: readFractionPerMillion(rateLimit['percentage'], join(p, 'percentage'), issues, 0),
    };
  }

  fault.headers = readList(o['headers'], join(path, 'headers'), issues)
    .map((h, i) => compileHeaderMatcher(h, join(join(path, 'headers'), i), issues))
    .filter((h) => h !== undefined);
  const upstreamCluster = readString(o['upstream_cluster'], join(path, 'upstream_cluster'), issues);
  if (upstreamCluster) fault.upstreamCluster = upstreamCluster;
  fault.downstreamNodes = readList(o['downstream_nodes'], join(path, 'downstream_nodes'), issues).map((n, i) => readString(n, join(join(path, 'downstream_nodes'), i), issues) ?? '');
  const maxActiveFaults = readInt(o['max_active_faults'], join(path, 'max_active_faults'), issues);
  if (maxActiveFaults !== undefined) fault.maxActiveFaults = maxActiveFaults;
  return issues.errors.length > before ? undefined : fault;
}

/**
 * Compiles a typed_per_filter_config map (filter name → Any, optionally wrapped in FilterConfig).
 * HTTPFault overrides are compiled; RBAC configs are kept for the authorization layer; any other
 * type is noted as not honoured (and ignored, even when not optional — Envoy would reject it).
 */
export function compileFilterOverrides(v: unknown, path: string, issues: Issues): FilterOverrides {
  const o = readObject(v, path, issues);
  if (!o || Object.keys(o).length === 0) return EMPTY_OVERRIDES;
  const out = new Map<string, FilterOverride>();
  for (const [name, value] of Object.entries(o)) {
    const p = join(path, name);
    let any = unwrapAny(value);
    if (!any) {
      issues.error(p, 'expected a google.protobuf.Any with @type');
      continue;
    }
    let optional = false;
    let disabled = false;
    if (any.typeName === FILTER_TYPES.FILTER_CONFIG) {
      optional = readBool(any.message['is_optional'], join(p, 'is_optional'), issues);
      disabled = readBool(any.message['disabled'], join(p, 'disabled'), issues);
      const inner = any.message['config'];
      any = inner === undefined ? undefined : unwrapAny(inner);
      if (!any) {
        if (!disabled) issues.error(join(p, 'config'), 'FilterConfig needs a config unless disabled');
        out.set(name, { name, disabled, optional });
        continue;
      }
    }
    const override: { -readonly [K in keyof FilterOverride]: FilterOverride[K] } = { name, typeName: any.typeName, disabled, optional, config: cloneFrozen(any.message) };
    if (any.typeName === FILTER_TYPES.FAULT) {
      const fault = compileFault(any.message, p, issues);
      if (fault) override.fault = fault;
    } else if (!INTERPRETED_ELSEWHERE.has(any.typeName)) {
      issues.note(p, `per-route config of type ${any.typeName} is not honoured by inboard${optional ? ' (optional)' : ''}`);
    }
    out.set(name, override);
  }
  return out;
}

const EMPTY_OVERRIDES: FilterOverrides = new Map();
