// One size of the xDS fan-out bench: a control plane holding BookInfo, N ADS clients in a few client
// processes, then (1) server memory per connected client, (2) several one-route applies timed to
// every client's ACK, with the resource bytes each client got, and (3) a kill -9 and restart of the
// control plane on the same data dir and port, timed until every client has reconnected and re-ACKed.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { AdsClient, TYPE_URL } from '@inboard/xds';
import type { GroupContext } from '../harness/group';
import { ClientProcesses, processCountFor, splitClients } from './client-processes';
import type { FanoutSubscription } from './fanout-messages';
import { bytesPerClient, percentile, resyncMs, summarizeApplies, type ApplyObservation, type FanoutSummary } from './fanout-stats';
import { BOOKINFO_SERVICES, meshDocuments, reviewsChange } from './mesh-config';
import { applyDocuments, getJson, killPlane, planeMemory, startPlane, type BenchPlane } from './plane';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Settings of one fan-out size. */
export interface FanoutOptions {
  readonly clients: number;
  readonly applies: number;
  readonly protocol: 'delta' | 'sotw';
  /** Longest wait for every client's ACK of one apply. */
  readonly ackTimeoutMs: number;
  /** Longest wait for all clients to connect and sync at the start. */
  readonly connectTimeoutMs: number;
  /** Longest wait for every client to resync after the restart. */
  readonly resyncTimeoutMs: number;
}

/** What one size measured. */
export interface FanoutResult {
  readonly clients: number;
  readonly processes: number;
  readonly protocol: 'delta' | 'sotw';
  /** From the first client process starting to all clients synced (the connect storm). */
  readonly connectMs: number;
  readonly summary: FanoutSummary;
  readonly memory: { readonly rssBefore: number; readonly rssAfter: number; readonly heapBefore: number; readonly heapAfter: number; readonly perClientBytes: number };
  /** Restart: kill → new plane ready, and kill → last client re-ACKed (NaN if some never did). */
  readonly restart: {
    readonly planeUpMs: number;
    readonly resyncMs: number;
    /** Median client's resync, ms after the kill (of those that resynced). */
    readonly resyncP50Ms: number;
    readonly notResynced: number;
    readonly clientsListed: number;
    readonly stale: number;
  };
  readonly nacks: number;
}

/** Reads the RDS and EDS names a BookInfo client would subscribe to, with one decoding ADS client. */
export async function discoverSubscription(target: string, timeoutMs = 20_000): Promise<FanoutSubscription> {
  const client = new AdsClient({ target, node: { id: 'fanout-discovery', metadata: { NAMESPACE: 'default', LABELS: { app: 'fanout-client' } } }, protocol: 'delta' });
  try {
    client.watch(TYPE_URL.LISTENER, '*');
    client.watch(TYPE_URL.CLUSTER, '*');
    const deadline = Date.now() + timeoutMs;
    while (client.resources(TYPE_URL.LISTENER).size === 0 || client.resources(TYPE_URL.CLUSTER).size === 0) {
      if (Date.now() > deadline) throw new Error(`no listeners and clusters from ${target} after ${timeoutMs} ms`);
      await sleep(20);
    }
    return subscriptionOf(client.resources(TYPE_URL.LISTENER).values(), client.resources(TYPE_URL.CLUSTER).values());
  } finally {
    client.close();
  }
}

/** The RDS names the listeners point at and the EDS names of the EDS clusters (pure). */
export function subscriptionOf(listeners: Iterable<object>, clusters: Iterable<object>): FanoutSubscription {
  const routeNames = new Set<string>();
  for (const listener of listeners) {
    const manager = (listener as { api_listener?: { api_listener?: { rds?: { route_config_name?: string } } } }).api_listener?.api_listener;
    const name = manager?.rds?.route_config_name;
    if (name) routeNames.add(name);
  }
  const endpointNames = new Set<string>();
  for (const cluster of clusters) {
    const c = cluster as { name?: string; type?: string; eds_cluster_config?: { service_name?: string } };
    if (c.type === 'EDS' && c.name) endpointNames.add(c.eds_cluster_config?.service_name || c.name);
  }
  return { routeNames: [...routeNames].sort(), endpointNames: [...endpointNames].sort() };
}

/** Runs one fan-out size end to end; every process it starts is stopped before it returns. */
export async function runFanout(context: GroupContext, options: FanoutOptions): Promise<FanoutResult> {
  const dataDir = fs.mkdtempSync(path.join(context.tmpDir, `fanout-${options.clients}-`));
  let plane: BenchPlane = await startPlane(context, dataDir);
  let clients: ClientProcesses | undefined;
  try {
    await applyDocuments(plane, meshDocuments(BOOKINFO_SERVICES));
    const subscription = await discoverSubscription(plane.xdsAddress);
    if (subscription.routeNames.length === 0 || subscription.endpointNames.length === 0) throw new Error(`BookInfo gave no RDS or EDS names: ${JSON.stringify(subscription)}`);
    await sleep(500);
    const before = await planeMemory(plane);

    const processes = processCountFor(options.clients);
    const connectStart = now();
    clients = ClientProcesses.start(context, processes);
    const slices = splitClients(options.clients, processes);
    clients.sendEach((index) => ({ type: 'start', target: plane.xdsAddress, count: slices[index]!.count, firstIndex: slices[index]!.firstIndex, protocol: options.protocol, subscription }));
    const synced = await clients.collect('synced', options.connectTimeoutMs);
    if (synced.some((report) => !report)) throw new Error(`not every client synced within ${options.connectTimeoutMs} ms`);
    const connectMs = now() - connectStart;
    let nacks = synced.reduce((sum, report) => sum + (report?.nacks ?? 0), 0);
    context.log(`  ${options.clients} clients in ${processes} process(es) synced in ${Math.round(connectMs)} ms`);
    await sleep(1_000);
    const after = await planeMemory(plane);

    const applies: ApplyObservation[] = [];
    for (let seq = 1; seq <= options.applies; seq++) {
      clients.sendEach(() => ({ type: 'arm', seq }));
      await sleep(150);
      const appliedAt = now();
      await applyDocuments(plane, [reviewsChange(seq)]);
      await clients.collect('acked', options.ackTimeoutMs);
      await sleep(200); // late bytes of the same change
      clients.sendEach(() => ({ type: 'collect', seq }));
      const reports = await clients.collect('acks', 30_000);
      const ackedAt: number[] = [];
      const bytes: number[] = [];
      let nacksNow = 0;
      for (const report of reports) {
        if (!report) throw new Error(`a client process did not report apply ${seq}`);
        ackedAt.push(...report.ackedAt.map((at) => at ?? Number.NaN));
        bytes.push(...report.bytes);
        nacksNow += report.nacks;
      }
      nacks = Math.max(nacks, nacksNow);
      applies.push({ appliedAt, ackedAt, bytes });
      await sleep(300);
    }
    const summary = summarizeApplies(applies, options.ackTimeoutMs);
    context.log(`  applies: ACK p50 ${summary.ackP50Ms.toFixed(1)} ms, p99 ${summary.ackP99Ms.toFixed(1)} ms, last ACK max ${summary.lastAckMaxMs.toFixed(1)} ms`);

    clients.sendEach(() => ({ type: 'expect-resync' }));
    await sleep(200);
    const killedAt = now();
    await killPlane(context, plane);
    plane = await startPlane(context, dataDir, plane.xdsPort);
    const planeUpMs = now() - killedAt;
    await clients.collect('resynced', options.resyncTimeoutMs);
    clients.sendEach(() => ({ type: 'collect-resync' }));
    const resyncReports = await clients.collect('resync', 30_000);
    const resyncedAt = resyncReports.flatMap((report) => (report ? report.resyncedAt.map((at) => at ?? Number.NaN) : []));
    const syncz = await getJson<{ clients: { families: Record<string, { state: string }> }[] }>(plane, '/debug/syncz');
    const stale = syncz.clients.filter((client) => Object.values(client.families).some((family) => family.state === 'STALE' || family.state === 'NACKED')).length;
    context.log(`  restart: plane up in ${Math.round(planeUpMs)} ms, clients resynced ${Math.round(resyncMs(killedAt, resyncedAt))} ms after the kill`);

    return {
      clients: options.clients,
      processes,
      protocol: options.protocol,
      connectMs,
      summary,
      memory: { rssBefore: before.rss, rssAfter: after.rss, heapBefore: before.heap, heapAfter: after.heap, perClientBytes: bytesPerClient(before.rss, after.rss, options.clients) },
      restart: {
        planeUpMs,
        resyncMs: resyncMs(killedAt, resyncedAt),
        resyncP50Ms: percentile(resyncedAt.map((at) => at - killedAt), 50),
        notResynced: resyncedAt.filter((at) => !Number.isFinite(at)).length, clientsListed: syncz.clients.length,
        stale,
      },
      nacks,
    };
  } finally {
    await clients?.close(context);
    await context.processes.stop(plane.child);
  }
}
