// VirtualService spec validation: the CRD's structure plus the rules of Istio's webhook
// (pkg/config/validation: ValidateVirtualService, validateHTTPRoute and friends), with the routes'
// individual parts (HTTPRoute, matches, TCP/TLS routes) in virtual-service-routes.ts.

import { gatewayName, httpRoute, tcpRoute, tlsRoute } from './virtual-service-routes';
import { exportTo, report } from './common';
import { isIpAddress, hostsOverlap, wildcardDomainError } from './names';
import { at, type Ctx, item, list, listOf, notEnforced, object, rec, type Schema, str, string } from './schema';

const L4_REASON = 'proxyless clients route HTTP and gRPC only; opaque TCP/TLS routes are stored but not applied';

/** The VirtualService spec schema. */
export const virtualServiceSpec: Schema = object(
  {
    hosts: listOf(string()),
    gateways: listOf(gatewayName()),
    http: listOf(httpRoute),
    tls: notEnforced(listOf(tlsRoute), L4_REASON),
    tcp: notEnforced(listOf(tcpRoute), L4_REASON),
    exportTo: notEnforced(exportTo({ allowNone: false }), 'every VirtualService is visible in all namespaces'),
  },
  {
    check(spec, path, ctx) {
      const gateways = list(spec.gateways).filter((g): g is string => typeof g === 'string');
      const boundToGatewayOnly = gateways.length > 0 && !gateways.includes('mesh');
      checkHosts(list(spec.hosts), at(path, 'hosts'), ctx, boundToGatewayOnly);
      if (![spec.http, spec.tcp, spec.tls].some((routes) => list(routes).length > 0)) {
        ctx.error(path, 'at least one of http, tcp or tls routes is required');
      }
      checkSniHosts(spec, path, ctx, boundToGatewayOnly);
      reportUnreachableRules(list(spec.http), at(path, 'http'), ctx);
    },
  },
);

function checkHosts(hosts: unknown[], path: string, ctx: Ctx, boundToGatewayOnly: boolean): void {
  if (hosts.length === 0) {
    ctx.error(path, 'at least one host is required (VirtualServices without hosts are delegates, which Inboard does not support)');
    return;
  }
  let allValid = true;
  hosts.forEach((host, i) => {
    if (typeof host !== 'string') return;
    const error = wildcardDomainError(host);
    if (error !== undefined && !isIpAddress(host)) {
      ctx.error(item(path, i), error);
      allValid = false;
    } else if (host === '*' && !boundToGatewayOnly) {
      ctx.error(item(path, i), 'the wildcard host "*" is only allowed when the VirtualService is bound to gateways (and not to "mesh")');
      allValid = false;
    }
  });
  if (!allValid) return;
  for (let i = 0; i < hosts.length; i++) {
    for (let j = i + 1; j < hosts.length; j++) {
      const a = str(hosts[i]);
      const b = str(hosts[j]);
      if (a !== undefined && b !== undefined && hostsOverlap(a, b)) {
        ctx.error(item(path, j), `duplicate host: ${JSON.stringify(b)} overlaps ${JSON.stringify(a)} (hosts[${i}])`);
      }
    }
  }
}

/** TLS routes' SNI hosts must fall within the VirtualService's hosts. */
function checkSniHosts(spec: Record<string, unknown>, path: string, ctx: Ctx, boundToGatewayOnly: boolean): void {
  const hosts = list(spec.hosts).filter((h): h is string => typeof h === 'string');
  list(spec.tls).forEach((route, r) => {
    list(rec(route)?.match).forEach((match, m) => {
      list(rec(match)?.sniHosts).forEach((sni, s) => {
        if (typeof sni !== 'string') return;
        const p = item(at(item(at(item(at(path, 'tls'), r), 'match'), m), 'sniHosts'), s);
        const error = wildcardDomainError(sni);
        if (error !== undefined) {
          if (isIpAddress(sni)) ctx.warn(p, `an IP address (${JSON.stringify(sni)}) as SNI goes against the SNI spec; most clients never send it`);
          else report(ctx, p, error);
          return;
        }
        if (!boundToGatewayOnly && sni === '*') return;
        if (!hosts.some((h) => sniWithin(sni, h))) {
          ctx.error(p, `SNI host ${JSON.stringify(sni)} is not within any of the VirtualService's hosts [${hosts.join(', ')}]`);
        }
      });
    });
  });
}

function sniWithin(sni: string, host: string): boolean {
  if (host === '*' || sni.toLowerCase() === host.toLowerCase()) return true;
  if (!host.startsWith('*')) return false;
  const suffix = host.slice(1).toLowerCase();
  return sni.startsWith('*') ? sni.slice(1).toLowerCase().endsWith(suffix) : sni.toLowerCase().endsWith(suffix);
}

/**
 * Istio's unreachable-rule analysis, as warnings: a rule after a match-less rule is never used
 * (IST0130), and a match identical to an earlier rule's match never takes effect (IST0131).
 */
function reportUnreachableRules(routes: unknown[], path: string, ctx: Ctx): void {
  const seen = new Map<string, number>();
  let catchAll = -1;
  routes.forEach((value, r) => {
    const route = rec(value);
    if (!route) return;
    const matches = list(route.match);
    const name = ruleName(route, r);
    if (matches.length === 0) {
      if (catchAll >= 0) ctx.warn(item(path, r), `rule ${name} is never used: rule #${catchAll} before it has no match and takes every request`, 'IST0130');
      else catchAll = r;
      return;
    }
    if (catchAll >= 0) {
      ctx.warn(item(path, r), `rule ${name} is never used: rule #${catchAll} before it has no match and takes every request`, 'IST0130');
      return;
    }
    let duplicates = 0;
    matches.forEach((match, m) => {
      const key = canonicalMatch(match);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, r);
      else {
        duplicates++;
        ctx.warn(item(at(item(path, r), 'match'), m), `match #${m} of rule ${name} never takes effect: rule #${first} has the same match`, 'IST0131');
      }
    });
    if (duplicates === matches.length) ctx.warn(item(path, r), `rule ${name} is never used: every one of its matches is used by earlier rules`, 'IST0130');
  });
}

function ruleName(route: Record<string, unknown>, index: number): string {
  return typeof route.name === 'string' && route.name !== '' ? `#${index} (${JSON.stringify(route.name)})` : `#${index}`;
}

/** A match's JSON with sorted keys and without its `name`, so equal matches compare equal. */
function canonicalMatch(match: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    const r = rec(v);
    if (!r) return v;
    return Object.fromEntries(Object.keys(r).filter((k) => k !== 'name' && r[k] !== null).sort().map((k) => [k, sort(r[k])]));
  };
  return JSON.stringify(sort(match));
}
