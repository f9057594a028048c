// `inboard proxy-config CLIENT [listeners|routes|clusters|endpoints|all] [-o json|yaml]`: the
// Envoy resources the control plane last sent one client (the CSDS view), as istioctl shows them.

import type { ConfigDumpResponse, SynczResponse } from '../../api/wire';
import type { XdsFamily } from '../../xds/contracts';
import { connect } from '../client';
import { CONNECTION_HELP, CONNECTION_OPTIONS, expectOneOf, expectPositionals, parseCommand, type Command } from '../command';
import { CliError, EXIT_OK, EXIT_REJECTED } from '../exit-codes';
import { clustersTable, endpointsTable, listenersTable, routesTable } from '../envoy-tables';
import { renderDocument } from '../render';

const USAGE = `Usage: inboard proxy-config CLIENT [listeners|routes|clusters|endpoints|all] [-o json|yaml]

Shows the Envoy resources last sent to one connected client. CLIENT is its node id or a prefix
that matches exactly one connected client (see \`inboard proxy-status\`). The type defaults to all;
"inboard proxy-config clusters CLIENT" (istioctl's order) works too.

Options:
  -o, --output FORMAT   json or yaml: the resources themselves instead of tables
${CONNECTION_HELP}

Exit codes: 0 ok, 1 no such client (or several match), 2 usage, 3 unreachable.`;

const OPTIONS = { ...CONNECTION_OPTIONS, output: { type: 'string', short: 'o' } } as const;

const TYPES: Readonly<Record<string, XdsFamily | 'all'>> = {
  listeners: 'listeners', listener: 'listeners', lds: 'listeners',
  routes: 'routes', route: 'routes', rds: 'routes',
  clusters: 'clusters', cluster: 'clusters', cds: 'clusters',
  endpoints: 'endpoints', endpoint: 'endpoints', eds: 'endpoints',
  all: 'all',
};

const ORDER: readonly XdsFamily[] = ['listeners', 'routes', 'clusters', 'endpoints'];
const RENDER: Readonly<Record<XdsFamily, (items: readonly object[]) => string>> = {
  listeners: listenersTable,
  routes: routesTable,
  clusters: clustersTable,
  endpoints: endpointsTable,
};

/** Picks the client id: an exact match, else the only id starting with `query`. */
export function resolveClientId(query: string, ids: readonly string[]): string {
  if (ids.includes(query)) return query;
  const matches = ids.filter((id) => id.startsWith(query));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new CliError(EXIT_REJECTED, `error: no connected xDS client id starts with "${query}"; \`inboard proxy-status\` lists them`);
  throw new CliError(EXIT_REJECTED, `error: "${query}" matches ${matches.length} clients: ${matches.sort().join(', ')}; give more of the id`);
}

/** `inboard proxy-config`. */
export const proxyConfigCommand: Command = {
  name: 'proxy-config',
  summary: 'Envoy resources last sent to one client',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, OPTIONS, USAGE);
    expectPositionals(positionals, 1, 2, USAGE);
    const format = expectOneOf('-o', values.output, ['json', 'yaml'] as const, USAGE);
    // Accept both "CLIENT TYPE" and istioctl's "TYPE CLIENT".
    const [first, second] = positionals as [string, string | undefined];
    const swapped = second !== undefined && TYPES[first.toLowerCase()] !== undefined && TYPES[second.toLowerCase()] === undefined;
    const clientArg = swapped ? second : first;
    const typeArg = (swapped ? first : second) ?? 'all';
    const type = expectOneOf('type', typeArg.toLowerCase(), Object.keys(TYPES), USAGE)!;
    const family = TYPES[type]!;
    const client = connect(values, io, USAGE);
    const { clients } = await client.get<SynczResponse>('/debug/syncz');
    const id = resolveClientId(clientArg, clients.map((c) => c.proxy.id));
    const dump = await client.get<ConfigDumpResponse>(`/debug/config_dump?proxyID=${encodeURIComponent(id)}`);
    const families = family === 'all' ? ORDER : [family];
    if (format) {
      const value = family === 'all' ? dump : dump[family];
      io.stdout.write(renderDocument(value, format));
    } else {
      io.stdout.write(families.map((f) => (family === 'all' ? `${f.toUpperCase()}:\n` : '') + RENDER[f](dump[f])).join('\n'));
    }
    return EXIT_OK;
  },
};
