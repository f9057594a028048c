// Group `control-plane`: xDS push fan-out from a real mesh-server process to 100 / 1,000 / 5,000 ADS
// clients (delta, like mesh-client) in separate processes — apply → last ACK (p50, p99, max), resource
// bytes per client per change, server memory per connected client, and resync after a kill -9 and
// restart on the same data dir and port, against issue 3's goals. Method: bench/control-plane/.
import type { GroupContext, GroupOutcome, ScenarioGroup } from '../harness/group';
import { formatCount } from '../harness/table';
import { fanoutGoals, rssSlopePerClient, type GoalVerdict } from '../control-plane/fanout-stats';
import { runFanout, type FanoutResult } from '../control-plane/fanout-run';

/** Client counts of a full run, and of --quick. */
export const DEFAULT_CLIENT_COUNTS: readonly number[] = [100, 1_000, 5_000];
const QUICK_CLIENT_COUNTS: readonly number[] = [100];

const ms = (value: number) => (Number.isFinite(value) ? value < 100 ? value.toFixed(1) : formatCount(value) : 'timeout');

function row(result: FanoutResult): string[] {
  const { summary, memory, restart } = result;
  return [
    formatCount(result.clients),
    String(result.processes),
    (result.connectMs / 1000).toFixed(1),
    ms(summary.ackP50Ms),
    ms(summary.ackP99Ms),
    `${ms(summary.lastAckMedianMs)} / ${ms(summary.lastAckMaxMs)}`,
    String(summary.missingAcks),
    formatCount(summary.bytesPerClientPerChange),
    (memory.perClientBytes / 1024).toFixed(1),
    (restart.planeUpMs / 1000).toFixed(2),
    `${(restart.resyncP50Ms / 1000).toFixed(2)} / ${Number.isFinite(restart.resyncMs) ? (restart.resyncMs / 1000).toFixed(2) : `${formatCount(restart.notResynced)} never`}`,
    String(result.nacks),
  ];
}

function goalLine(verdict: GoalVerdict): string {
  return `  ${verdict.met === undefined ? '–' : verdict.met ? 'met   ' : 'MISSED'}  ${verdict.goal}: ${verdict.target}, measured ${verdict.measured}`;
}

async function run(context: GroupContext): Promise<GroupOutcome> {
  const counts = context.settings.xdsClients ?? (context.settings.quick ? QUICK_CLIENT_COUNTS : DEFAULT_CLIENT_COUNTS);
  const applies = context.settings.quick ? 3 : 10;
  const results: FanoutResult[] = [];
  const failures: string[] = [];
  for (const clients of counts) {
    context.log(`fan-out to ${formatCount(clients)} clients`);
    try {
      results.push(
        await runFanout(context, {
          clients,
          applies,
          protocol: 'delta',
          ackTimeoutMs: clients >= 5_000 ? 20_000 : 10_000,
          connectTimeoutMs: 30_000 + clients * 20,
          resyncTimeoutMs: 30_000 + clients * 10,
        }),
      );
    } catch (error) {
      failures.push(`${formatCount(clients)} clients: ${error instanceof Error ? error.message : String(error)}`);
      context.log(`  FAILED: ${failures[failures.length - 1]}`);
    }
  }
  if (results.length === 0) throw new Error(failures.join('; '));
  const goals = results.flatMap((result) => fanoutGoals(result.clients, result.summary, result.memory.perClientBytes, result.restart.resyncMs));
  const slope = rssSlopePerClient(results.map((result) => ({ clients: result.clients, rss: result.memory.rssAfter })));
  if (slope !== undefined) goals.push({ goal: 'server memory per client, slope of RSS over the sizes (G5a)', target: '≤ 50 KB', measured: `${(slope / 1024).toFixed(1)} KB`, met: slope <= 50 * 1024 });
  return {
    status: 'ran',
    report: {
      kind: 'table',
      columns: ['clients', 'procs', 'connect s', 'ACK p50 ms', 'ACK p99 ms', 'last ACK med / max ms', 'missed ACKs', 'B/client/change', 'CP KB/client', 'CP restart s', 'resync p50 / last s', 'NACKs'],
      rows: results.map(row),
      notes: [
        `${applies} applies per size, each one VirtualService change (reviews' weighted split) through the admin API; ACK times are taken in the clients, from the start of the API call.`,
        'Clients: @inboard/xds AdsClient on the delta protocol, one HTTP/2 connection each, LDS+CDS wildcard and RDS+EDS by name (a BookInfo mesh-client node), in client processes on the client core; the control plane runs alone on the server core.',
        'connect s: start-up ramp, 100 new clients per process at a time, each batch waiting for the previous one to sync (the storm is the restart below).',
        'B/client/change: bytes of the resources (protobuf Any values) pushed to one client for one change, median; gRPC and DiscoveryResponse framing are not counted.',
        'CP KB/client: control-plane RSS after forced GC with the clients connected and synced, minus before they connected, over the client count (small sizes are dominated by RSS noise; G5a is the slope across sizes, below).',
        'ACK times include the xDS server\'s 100 ms debounce (xds-server debounceMs), so no ACK can come sooner than ~100 ms after the apply.',
        'resync: from kill -9 of the control plane to the last client having reconnected (default backoff 1 s × 1.6ⁿ) and re-ACKed LDS and CDS; CP restart is kill → new process serving (tsx start-up included).',
        ...results.map((r) => `  ${formatCount(r.clients)}: after restart the plane listed ${formatCount(r.restart.clientsListed)} clients, ${r.restart.stale} STALE/NACKED; CP RSS ${(r.memory.rssBefore / 2 ** 20).toFixed(1)} → ${(r.memory.rssAfter / 2 ** 20).toFixed(1)} MB, heap ${(r.memory.heapBefore / 2 ** 20).toFixed(1)} → ${(r.memory.heapAfter / 2 ** 20).toFixed(1)} MB`),
        'Goals (issue 3, perf-anchors G4–G5):',
        ...goals.map(goalLine),
        ...failures.map((failure) => `FAILED: ${failure}`),
      ],
      data: { results, goals, failures },
    },
  };
}

/** The control-plane group. */
export const group: ScenarioGroup = {
  name: 'control-plane',
  order: 40,
  title: 'xDS push fan-out at 100 / 1,000 / 5,000 ADS clients, resync after restart, memory per client',
  run,
};
