// Tables of Envoy resources for `inboard proxy-config`, like istioctl's: clusters by service FQDN,
// port and subset; listeners with their route config; routes per virtual host; endpoints with
// health. Reads the snake_case plain objects the xDS server sends (see @inboard/xds).

import { joinList, renderTable } from './table';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/** Splits Istio's cluster name `outbound|PORT|SUBSET|HOST`; other names come back as the FQDN. */
export function parseClusterName(name: string): { direction: string; port: string; subset: string; fqdn: string } {
  const parts = name.split('|');
  if (parts.length === 4) return { direction: parts[0]!, port: parts[1]!, subset: parts[2]!, fqdn: parts[3]! };
  return { direction: '-', port: '-', subset: '-', fqdn: name };
}

/** SERVICE FQDN, PORT, SUBSET, DIRECTION, TYPE. */
export function clustersTable(clusters: readonly object[]): string {
  const rows = clusters.map((c) => {
    const cluster = obj(c);
    const { direction, port, subset, fqdn } = parseClusterName(str(cluster.name));
    const type = str(cluster.type) || str(obj(cluster.cluster_type).name) || 'EDS';
    return [fqdn, port, subset || '-', direction, type];
  });
  return renderTable(['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE'], sortRows(rows));
}

/** NAME, TYPE (api_listener or address), ROUTE CONFIG (RDS name). */
export function listenersTable(listeners: readonly object[]): string {
  const rows = listeners.map((l) => {
    const listener = obj(l);
    const api = obj(obj(listener.api_listener).api_listener);
    const socket = obj(obj(listener.address).socket_address);
    const type = Object.keys(api).length > 0 ? 'api_listener' : `${str(socket.address)}:${str(socket.port_value)}`;
    const rds = obj(api.rds);
    const route = str(rds.route_config_name) || (Object.keys(obj(api.route_config)).length > 0 ? `(inline) ${str(obj(api.route_config).name)}` : '-');
    return [str(listener.name), type, route];
  });
  return renderTable(['NAME', 'TYPE', 'ROUTE CONFIG'], sortRows(rows));
}

/** NAME, VHOST NAME, DOMAINS, MATCH, ACTION — one row per route. */
export function routesTable(routes: readonly object[]): string {
  const rows: string[][] = [];
  for (const r of routes) {
    const config = obj(r);
    for (const vh of arr(config.virtual_hosts)) {
      const vhost = obj(vh);
      const domains = joinList(arr(vhost.domains).map(str), 3);
      for (const entry of arr(vhost.routes)) {
        const route = obj(entry);
        rows.push([str(config.name), str(vhost.name), domains, describeMatch(obj(route.match)), describeAction(route)]);
      }
    }
  }
  return renderTable(['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'ACTION'], rows);
}

function describeMatch(match: Obj): string {
  const path =
    'prefix' in match ? `${str(match.prefix)}*`
    : 'path' in match ? str(match.path)
    : 'safe_regex' in match ? `~${str(obj(match.safe_regex).regex)}`
    : 'path_separated_prefix' in match ? `${str(match.path_separated_prefix)}/*`
    : '*';
  const extras = arr(match.headers).length + arr(match.query_parameters).length;
  return extras > 0 ? `${path} (+${extras} header/query matchers)` : path;
}

function describeAction(route: Obj): string {
  const action = obj(route.route);
  if ('cluster' in action) return str(action.cluster);
  if ('weighted_clusters' in action) {
    return arr(obj(action.weighted_clusters).clusters)
      .map((c) => `${str(obj(c).name)} (${str(obj(obj(c).weight).value ?? obj(c).weight)})`)
      .join(', ');
  }
  if ('redirect' in route) return 'redirect';
  if ('direct_response' in route) return `direct response ${str(obj(route.direct_response).status)}`;
  return '-';
}

/** ENDPOINT, STATUS, LOCALITY, WEIGHT, CLUSTER. */
export function endpointsTable(assignments: readonly object[]): string {
  const rows: string[][] = [];
  for (const a of assignments) {
    const cla = obj(a);
    for (const group of arr(cla.endpoints)) {
      const locality = obj(obj(group).locality);
      const where = [str(locality.region), str(locality.zone), str(locality.sub_zone)].join('/').replace(/^\/+$/, '');
      for (const e of arr(obj(group).lb_endpoints)) {
        const lb = obj(e);
        const socket = obj(obj(obj(lb.endpoint).address).socket_address);
        const weight = str(obj(lb.load_balancing_weight).value ?? lb.load_balancing_weight) || '1';
        const health = str(lb.health_status);
        rows.push([`${str(socket.address)}:${str(socket.port_value)}`, health === '' || health === 'UNKNOWN' ? 'HEALTHY' : health, where || '-', weight, str(cla.cluster_name)]);
      }
    }
  }
  return renderTable(['ENDPOINT', 'STATUS', 'LOCALITY', 'WEIGHT', 'CLUSTER'], sortRows(rows));
}

function sortRows(rows: string[][]): string[][] {
  return rows.sort((a, b) => a.join('\0').localeCompare(b.join('\0')));
}
