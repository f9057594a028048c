// A client process of the xDS fan-out bench: runs `count` ADS clients (@inboard/xds AdsClient, each on
// its own HTTP/2 connection, resources left undecoded) that subscribe like a mesh-client node
// (LDS + CDS wildcard, RDS + EDS by name), and reports to the bench over IPC when each client ACKed a
// route change, how many resource bytes it got for it, and when it resynced after a restart.
import { performance } from 'node:perf_hooks';
import { AdsClient, loadXdsProtos, TYPE_URL, type ResourceUpdate } from '@inboard/xds';
import type { FanoutCommand, FanoutReport } from './fanout-messages';

/** Sub-millisecond wall clock shared by every process on the machine. */
const now = () => performance.timeOrigin + performance.now();

interface ClientState {
  readonly client: AdsClient;
  readonly synced: Set<string>;
  ackedAt: number;
  bytes: number;
  awaitingResync: boolean;
  reconnected: boolean;
  readonly resyncAcks: Set<string>;
  resyncedAt: number;
}

const WILDCARD_TYPES = [TYPE_URL.LISTENER, TYPE_URL.CLUSTER];
let clients: ClientState[] = [];
let armedSeq = 0;
let ackedReported = 0;
let nacks = 0;
let syncedReported = false;
let resyncReported = true;

function send(report: FanoutReport): void {
  process.send?.(report);
}

function resourceBytes(update: ResourceUpdate, protocol: 'delta' | 'sotw'): number {
  // Delta pushes only what changed; state of the world resends every resource of the type.
  const names = protocol === 'delta' ? update.changed : [...update.resources.keys()];
  let total = 0;
  for (const name of names) {
    const value = (update.resources.get(name) as { value?: Uint8Array } | undefined)?.value;
    total += value?.length ?? 0;
  }
  return total;
}

let starting = true;

function checkProgress(): void {
  if (!starting && !syncedReported && clients.every((state) => state.synced.size === 4)) {
    syncedReported = true;
    send({ type: 'synced', clients: clients.length, nacks });
  }
  if (armedSeq > ackedReported && clients.every((state) => Number.isFinite(state.ackedAt))) {
    ackedReported = armedSeq;
    send({ type: 'acked', seq: armedSeq });
  }
  if (!resyncReported && clients.every((state) => Number.isFinite(state.resyncedAt))) {
    resyncReported = true;
    send({ type: 'resynced' });
  }
}

/** Clients started at once; the next batch waits until these synced (bounded), so the start is a ramp, not a storm. */
const RAMP_BATCH = 100;
const RAMP_WAIT_MS = 15_000;

async function startClients(command: Extract<FanoutCommand, { type: 'start' }>): Promise<void> {
  const protos = loadXdsProtos();
  for (let offset = 0; offset < command.count; offset++) {
    if (offset > 0 && offset % RAMP_BATCH === 0) {
      const deadline = Date.now() + RAMP_WAIT_MS;
      while (Date.now() < deadline && clients.some((state) => state.synced.size < 4)) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const index = command.firstIndex + offset;
    const client = new AdsClient({
      target: command.target,
      node: { id: `fanout-${index}`, metadata: { NAMESPACE: 'default', LABELS: { app: 'fanout-client' } } },
      protocol: command.protocol,
      decode: false,
      protos,
      // Separate connections, as separate processes would have (grpc-js shares subchannels otherwise).
      channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
      // The library's default reconnect backoff (1 s × 1.6ⁿ ± 20 %), as a mesh-client node has it.
    });
    const state: ClientState = { client, synced: new Set(), ackedAt: Number.NaN, bytes: 0, awaitingResync: false, reconnected: false, resyncAcks: new Set(), resyncedAt: Number.NaN };
    client.on('resources', (update) => {
      state.synced.add(update.typeUrl);
      if (armedSeq > 0 && !Number.isFinite(state.ackedAt)) {
        state.bytes += resourceBytes(update, command.protocol);
        if (update.typeUrl === TYPE_URL.ROUTE && update.changed.length > 0) state.ackedAt = now();
      }
      checkProgress();
    });
    client.on('nack-sent', () => void nacks++);
    client.on('connected', () => {
      if (state.awaitingResync) state.reconnected = true;
    });
    client.on('ack-sent', (ack) => {
      if (!state.awaitingResync || !state.reconnected) return;
      state.resyncAcks.add(ack.typeUrl);
      if (WILDCARD_TYPES.every((type) => state.resyncAcks.has(type))) {
        state.awaitingResync = false;
        state.resyncedAt = now();
        checkProgress();
      }
    });
    client.watch(TYPE_URL.LISTENER, '*');
    client.watch(TYPE_URL.CLUSTER, '*');
    client.watch(TYPE_URL.ROUTE, command.subscription.routeNames);
    client.watch(TYPE_URL.ENDPOINT, command.subscription.endpointNames);
    clients.push(state);
  }
  starting = false;
  checkProgress();
}

function handle(command: FanoutCommand): void {
  switch (command.type) {
    case 'start':
      startClients(command).catch((error: unknown) => send({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
      return;
    case 'arm':
      armedSeq = command.seq;
      for (const state of clients) {
        state.ackedAt = Number.NaN;
        state.bytes = 0;
      }
      return;
    case 'collect':
      send({ type: 'acks', seq: command.seq, ackedAt: clients.map((s) => (Number.isFinite(s.ackedAt) ? s.ackedAt : null)), bytes: clients.map((s) => s.bytes), nacks });
      return;
    case 'expect-resync':
      resyncReported = false;
      for (const state of clients) {
        state.awaitingResync = true;
        state.reconnected = false;
        state.resyncAcks.clear();
        state.resyncedAt = Number.NaN;
      }
      return;
    case 'collect-resync':
      send({ type: 'resync', resyncedAt: clients.map((s) => (Number.isFinite(s.resyncedAt) ? s.resyncedAt : null)) });
      return;
    case 'close':
      for (const state of clients) state.client.close();
      clients = [];
      setTimeout(() => process.exit(0), 200).unref();
      process.disconnect?.();
      return;
  }
}

process.on('message', (message: FanoutCommand) => {
  try {
    handle(message);
  } catch (error) {
    send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
