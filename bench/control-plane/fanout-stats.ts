// Figures of the xDS fan-out bench (pure): per-apply ACK latencies → percentiles and the last ACK,
// bytes per client per change, memory per client, resync time, and the issue-3 goals they meet.
import { median } from '../harness/aggregate';

/** One apply as the clients saw it: when it was applied and, per client, when it ACKed (NaN = never). */
export interface ApplyObservation {
  /** Epoch ms (sub-ms precision) the admin API call started. */
  readonly appliedAt: number;
  /** Epoch ms of each client's ACK of the change; NaN for a client that did not ACK before the timeout. */
  readonly ackedAt: readonly number[];
  /** Bytes of resources each client received for this change. */
  readonly bytes: readonly number[];
}

/** Summary of several applies at one client count. */
export interface FanoutSummary {
  readonly applies: number;
  /** Over every client ACK of every apply, ms after the apply. */
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
  /** The last client's ACK of each apply, ms: median and worst over the applies. */
  readonly lastAckMedianMs: number;
  readonly lastAckMaxMs: number;
  /** Client ACKs that never came (summed over applies). */
  readonly missingAcks: number;
  /** Median over clients and applies of the bytes one client received for one change. */
  readonly bytesPerClientPerChange: number;
}

/** Nearest-rank percentile (p in [0, 100]) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be in [0, 100] (got ${p})`);
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Summarises the applies of one client count. An apply with a missing ACK counts as its timeout at `timeoutMs`. */
export function summarizeApplies(applies: readonly ApplyObservation[], timeoutMs: number): FanoutSummary {
  if (applies.length === 0) throw new RangeError('summarizeApplies: no applies');
  const latencies: number[] = [];
  const lastAcks: number[] = [];
  const bytes: number[] = [];
  let missing = 0;
  for (const apply of applies) {
    let last = 0;
    for (const ackedAt of apply.ackedAt) {
      if (Number.isFinite(ackedAt)) {
        const latency = Math.max(0, ackedAt - apply.appliedAt);
        latencies.push(latency);
        last = Math.max(last, latency);
      } else {
        missing++;
        last = Math.max(last, timeoutMs);
      }
    }
    lastAcks.push(last);
    bytes.push(...apply.bytes);
  }
  return {
    applies: applies.length,
    ackP50Ms: percentile(latencies, 50),
    ackP99Ms: percentile(latencies, 99),
    lastAckMedianMs: median(lastAcks),
    lastAckMaxMs: Math.max(...lastAcks),
    missingAcks: missing,
    bytesPerClientPerChange: bytes.length > 0 ? median(bytes) : Number.NaN,
  };
}

/** Bytes of server memory per connected client: RSS growth over the client count. */
export function bytesPerClient(rssBefore: number, rssAfter: number, clients: number): number {
  if (!(clients > 0)) throw new RangeError(`bytesPerClient: clients must be > 0 (got ${clients})`);
  return (rssAfter - rssBefore) / clients;
}

/** Time from `restartedAt` until the last client resynced (NaN entries = never: the result is NaN). */
export function resyncMs(restartedAt: number, resyncedAt: readonly number[]): number {
  if (resyncedAt.length === 0 || resyncedAt.some((at) => !Number.isFinite(at))) return Number.NaN;
  return Math.max(...resyncedAt) - restartedAt;
}

/** One goal of issue 3 / perf-anchors G4–G5 with its verdict. */
export interface GoalVerdict {
  readonly goal: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

/** The control-plane goals that apply at `clients` (last ACK, reconnect storm, push size, memory per client). */
export function fanoutGoals(clients: number, summary: FanoutSummary, memoryPerClientBytes: number, resync: number): GoalVerdict[] {
  const verdicts: GoalVerdict[] = [];
  const lastAckLimit = clients >= 5_000 ? 3_000 : clients >= 1_000 ? 1_000 : undefined;
  const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : 'not all');
  if (lastAckLimit !== undefined) {
    verdicts.push({ goal: `last ACK at ${clients} clients`, target: `≤ ${lastAckLimit} ms`, measured: `${ms(summary.lastAckMaxMs)} (worst apply)`, met: summary.missingAcks === 0 && summary.lastAckMaxMs <= lastAckLimit });
  }
  if (clients === 1_000) verdicts.push({ goal: 'ACK p50 at 1,000 clients (G4a)', target: '≤ 100 ms', measured: ms(summary.ackP50Ms), met: summary.ackP50Ms <= 100 });
  const resyncLimit = clients >= 5_000 ? 15_000 : clients >= 1_000 ? 5_000 : undefined;
  if (resyncLimit !== undefined) verdicts.push({ goal: `resync of ${clients} after a restart (G4b)`, target: `≤ ${resyncLimit / 1000} s`, measured: ms(resync), met: Number.isFinite(resync) && resync <= resyncLimit });
  verdicts.push({ goal: `bytes per client for a one-route change (${clients})`, target: '≤ 1 KB', measured: `${Math.round(summary.bytesPerClientPerChange)} B`, met: summary.bytesPerClientPerChange <= 1024 });
  verdicts.push({ goal: `server memory per connected client (${clients})`, target: '≤ 50 KB', measured: `${(memoryPerClientBytes / 1024).toFixed(1)} KB`, met: memoryPerClientBytes <= 50 * 1024 });
  return verdicts;
}

/**
 * Server memory per connected client as perf-anchors G5a defines it: the least-squares slope of
 * control-plane RSS against the client count, over the sizes with ≥ 1,000 clients when there are two
 * of them (else over all sizes); undefined with fewer than two sizes.
 */
export function rssSlopePerClient(points: readonly { readonly clients: number; readonly rss: number }[]): number | undefined {
  const large = points.filter((point) => point.clients >= 1_000);
  const used = large.length >= 2 ? large : points;
  if (used.length < 2) return undefined;
  const meanX = used.reduce((sum, p) => sum + p.clients, 0) / used.length;
  const meanY = used.reduce((sum, p) => sum + p.rss, 0) / used.length;
  const sxx = used.reduce((sum, p) => sum + (p.clients - meanX) ** 2, 0);
  if (sxx === 0) return undefined;
  return used.reduce((sum, p) => sum + (p.clients - meanX) * (p.rss - meanY), 0) / sxx;
}
