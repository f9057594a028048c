// Group `datapath`: the mesh's own CPU per call with no I/O (issue 4's microbenchmark goal: routing +
// load balancing ≤ 2 µs per call), and everything the mesh adds to one undici Dispatcher call with
// undici's dispatch faked. Runs mesh-client's compiled perf script (src/perf/hot-path.bench.ts) on
// the client core against a control plane holding BookInfo plus 50 services × 10 endpoints.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitForLine } from '../../testing/spawn';
import type { GroupContext, GroupOutcome, ScenarioGroup } from '../harness/group';
import { placedCommand } from '../harness/placement';
import { captureOutput } from '../harness/processes';
import { BOOKINFO_SERVICES, generatedServices, meshDocuments, type MeshDocument } from '../control-plane/mesh-config';
import { applyDocuments, startPlane } from '../control-plane/plane';

/** The compiled perf script (the library as users run it); `npm run bench` builds first. */
const HOT_PATH_FILE = path.join(__dirname, '..', '..', 'packages', 'mesh-client', 'dist', 'src', 'perf', 'hot-path.bench.js');
/** Issue 4: routing + load balancing per call. */
export const ROUTING_GOAL_NS = 2_000;

/** What the perf script prints (its HotPathResult). */
export interface HotPathResult {
  readonly routing: readonly { readonly name: string; readonly cluster: string; readonly nsPerCall: number }[];
  readonly dispatch: { readonly fakePoolNs: number; readonly meshNs: number; readonly addedNs: number };
}

/** BookInfo's reviews rule: end-user jason → v2, everyone else → v1 (the script's first two cases). */
export function reviewsByUser(): MeshDocument {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: 'default' },
    spec: {
      hosts: ['reviews'],
      http: [
        { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
        { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
      ],
    },
  };
}

/** The table the group reports, from one result (pure). */
export function datapathTable(result: HotPathResult): { columns: string[]; rows: string[][] } {
  const rows = result.routing.map((r) => [`routing + LB: ${r.name}`, String(r.nsPerCall), `≤ ${ROUTING_GOAL_NS}`, r.nsPerCall <= ROUTING_GOAL_NS ? 'met' : 'MISSED']);
  rows.push(['whole dispatcher call, mesh part (faked Pool.dispatch subtracted)', String(result.dispatch.addedNs), '–', '–']);
  rows.push(['faked Pool.dispatch alone (the floor subtracted above)', String(result.dispatch.fakePoolNs), '–', '–']);
  return { columns: ['measure', 'ns per call', 'goal', 'met'], rows };
}

async function run(context: GroupContext): Promise<GroupOutcome> {
  if (!fs.existsSync(HOT_PATH_FILE)) return { status: 'not-run', reason: `${path.relative(process.cwd(), HOT_PATH_FILE)} is missing: build first (npm run build)` };
  const plane = await startPlane(context, fs.mkdtempSync(path.join(context.tmpDir, 'datapath-')));
  try {
    await applyDocuments(plane, meshDocuments([...BOOKINFO_SERVICES, ...generatedServices(50, 10)]), 'datapath');
    await applyDocuments(plane, [reviewsByUser()], 'datapath-reviews');
    const iterations = context.settings.quick ? 50_000 : 200_000;
    const { command, args } = placedCommand(context.placement, 'client', process.execPath, [HOT_PATH_FILE, '--control-plane', plane.xdsAddress, '--iterations', String(iterations), '--json']);
    const child = context.processes.add(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    const output = captureOutput(child);
    let result: HotPathResult;
    try {
      const [, json] = await waitForLine(child, /^result (\{.*\})$/, 300_000);
      result = JSON.parse(json!) as HotPathResult;
    } catch (error) {
      throw new Error(`the hot-path script failed: ${(error as Error).message}\n${output()}`);
    } finally {
      await context.processes.stop(child);
    }
    const table = datapathTable(result);
    return {
      status: 'ran',
      report: {
        kind: 'table',
        columns: table.columns,
        rows: table.rows,
        notes: [
          `CPU time of ${iterations.toLocaleString('en-US')} calls per measure in one process on the client core, compiled library, median of 5 (routing) or 3 (dispatcher) runs.`,
          'routing + LB: listener, virtual host and route match, the route\'s decision (weighted pick, rewrites, policies) and the endpoint pick, on the mesh\'s live snapshot (BookInfo + 50 services × 10 endpoints).',
          'whole dispatcher call: mesh.dispatcher.dispatch() with undici\'s Pool.dispatch replaced by a synchronous answer, minus that answer alone: route, pick, breakers, retry state, telemetry (no SDK), headers, handler bridging.',
          'This is the hot-cache cost. Under real traffic the same code costs several times more per request (caches shared with undici\'s parser and the socket work): see the http group.',
        ],
        data: result,
      },
    };
  } finally {
    await context.processes.stop(plane.child);
  }
}

/** The datapath group. */
export const group: ScenarioGroup = {
  name: 'datapath',
  order: 15,
  title: 'mesh-client CPU per call without I/O: routing + load balancing, and a whole dispatcher call',
  run,
};
