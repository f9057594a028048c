// `inboard proxy-status [CLIENT-PREFIX]`: every connected xDS client and, per resource family,
// whether it is SYNCED, STALE (push not yet ACKed), NACKED (with the NACK text) or NOT SENT.

import type { SynczResponse } from '../../api/wire';
import type { ClientSyncStatus, FamilySyncStatus, XdsFamily } from '../../xds/contracts';
import { connect } from '../client';
import { CONNECTION_HELP, CONNECTION_OPTIONS, expectOneOf, expectPositionals, parseCommand, type Command } from '../command';
import { EXIT_OK } from '../exit-codes';
import { eprintln } from '../io';
import { renderDocument } from '../render';
import { renderTable } from '../table';

const USAGE = `Usage: inboard proxy-status [CLIENT-ID-PREFIX] [-o json|yaml]

Lists the connected xDS clients with the sync state of each resource family:
SYNCED (last push ACKed), STALE (a push awaits its ACK), NACKED (rejected; the error follows
the table) or NOT SENT (the client never subscribed).

Options:
  -o, --output FORMAT   json or yaml instead of the table
${CONNECTION_HELP}

Exit codes: 0 ok, 1 the control plane runs no xDS server, 2 usage, 3 unreachable.`;

const OPTIONS = { ...CONNECTION_OPTIONS, output: { type: 'string', short: 'o' } } as const;

/** Table columns in istioctl's order, with the family each one shows. */
const COLUMNS: readonly [string, XdsFamily][] = [
  ['CLUSTERS', 'clusters'],
  ['LISTENERS', 'listeners'],
  ['ENDPOINTS', 'endpoints'],
  ['ROUTES', 'routes'],
];

/** `SYNCED`, `STALE`, `NACKED` or `NOT SENT`. */
export function stateLabel(status: FamilySyncStatus | undefined): string {
  if (!status) return 'NOT SENT';
  return status.state === 'NOT_SENT' ? 'NOT SENT' : status.state;
}

/** The proxy-status table and the NACK lines below it. */
export function renderProxyStatus(clients: readonly ClientSyncStatus[]): string {
  const sorted = [...clients].sort((a, b) => (a.proxy.id < b.proxy.id ? -1 : a.proxy.id > b.proxy.id ? 1 : 0));
  const table = renderTable(
    ['NAME', ...COLUMNS.map(([header]) => header), 'PROTOCOL', 'PEER'],
    sorted.map((c) => [c.proxy.id, ...COLUMNS.map(([, family]) => stateLabel(c.families[family])), c.protocol, c.peer]),
  );
  const nacks = sorted.flatMap((c) =>
    COLUMNS.filter(([, family]) => c.families[family]?.state === 'NACKED').map(
      ([, family]) => `  ${c.proxy.id} ${family}: ${c.families[family]!.nackError ?? '(no error detail)'}`,
    ),
  );
  return nacks.length > 0 ? `${table}\nNACKs:\n${nacks.join('\n')}\n` : table;
}

/** `inboard proxy-status`. */
export const proxyStatusCommand: Command = {
  name: 'proxy-status',
  summary: 'sync state of every connected xDS client',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, OPTIONS, USAGE);
    expectPositionals(positionals, 0, 1, USAGE);
    const format = expectOneOf('-o', values.output, ['json', 'yaml'] as const, USAGE);
    const { clients } = await connect(values, io, USAGE).get<SynczResponse>('/debug/syncz');
    const prefix = positionals[0];
    const shown = prefix === undefined ? clients : clients.filter((c) => c.proxy.id.startsWith(prefix));
    if (format) io.stdout.write(renderDocument(shown, format));
    else if (shown.length === 0) eprintln(io, prefix === undefined ? 'No xDS clients are connected.' : `No connected xDS client id starts with "${prefix}".`);
    else io.stdout.write(renderProxyStatus(shown));
    return EXIT_OK;
  },
};
