// The cluster Picker: immutable per (cluster config, endpoints, ejections), synchronous, no I/O.
// Chooses a priority by health (Envoy's priority load and panic threshold), a locality by weight
// when locality-weighted LB is on, then an endpoint with the cluster's algorithm.

import { MeshError } from '../errors';
import type { ClusterConfig, ClusterEndpoints, Endpoint } from '../snapshot/types';
import { EdfScheduler } from './edf';
import { EndpointStateStore } from './endpoint-state';
import { type HostPicker, notExcluded } from './host-picker';
import { leastRequest } from './least-request';
import { computePriorityLoad, type PriorityLoad } from './priority-load';
import { defaultRandom, randomInt, type RandomSource } from './random';
import { pickFirst, randomPicker } from './random-pick';
import { buildRing, ringHashPicker } from './ring-hash';
import { roundRobin } from './round-robin';

/** Per-pick inputs. */
export interface PickContext {
  /** Request hash for RING_HASH / MAGLEV (from computeRequestHash); absent → random. */
  readonly hash?: bigint | number;
  /** Endpoint keys already tried by earlier attempts; avoided whenever another endpoint is available. */
  readonly exclude?: ReadonlySet<string>;
}

/** The outcome of a pick: an endpoint, or NO_HEALTHY_UPSTREAM (503, UH). */
export type PickResult = { readonly ok: true; readonly endpoint: Endpoint } | { readonly ok: false; readonly error: MeshError };

/** State of one endpoint as the picker sees it (for explain). */
export interface CandidateState {
  readonly endpoint: Endpoint;
  readonly ejected: boolean;
  /** HEALTHY/UNKNOWN and not ejected. */
  readonly available: boolean;
  readonly activeRequests: number;
}

/** A picker: `pick` is synchronous; replace the picker whenever its inputs change. */
export interface Picker {
  readonly cluster: string;
  pick(ctx?: PickContext): PickResult;
  /** Per-priority loads and panic flags, for explain. */
  readonly priorityLoad: PriorityLoad;
  /** Every endpoint with its state at build time, for explain. */
  candidates(): readonly CandidateState[];
}

/** Inputs of buildPicker. */
export interface PickerInput {
  readonly cluster: ClusterConfig;
  /** The cluster's endpoints (snapshot.endpoints.get(cluster.name)); undefined = none yet. */
  readonly endpoints: ClusterEndpoints | undefined;
  /** Keys ejected by outlier detection: not picked unless the priority is in panic. */
  readonly ejected?: ReadonlySet<string>;
  /** Active request counts (LEAST_REQUEST); shared across pickers and pushes. */
  readonly state?: EndpointStateStore;
  readonly random?: RandomSource;
}

const MASK64 = 0xffffffffffffffffn;

/** Builds the picker for a cluster. Never throws: an empty or unusable cluster yields a picker that fails with UH. */
export function buildPicker(input: PickerInput): Picker {
  return new ClusterPicker(input);
}

interface LocalityChoice {
  readonly hosts: Endpoint[];
  readonly weight: number;
}

interface Level {
  readonly all: Endpoint[];
  readonly healthy: Endpoint[];
  readonly degraded: Endpoint[];
}

class ClusterPicker implements Picker {
  readonly cluster: string;
  readonly priorityLoad: PriorityLoad;
  private readonly levels: Level[];
  private readonly random: RandomSource;
  private readonly state: EndpointStateStore;
  private readonly ejected: ReadonlySet<string>;
  /** Host pickers per locality of a priority, by key. */
  private readonly sources = new Map<string, HostPicker | null>();
  /** Host pickers of a whole priority, at priority × 3 + (0 healthy, 1 degraded, 2 all). */
  private readonly levelSources: (HostPicker | undefined)[] = [];
  private readonly localitySchedules = new Map<string, EdfScheduler<LocalityChoice> | null>();
  private readonly hashBased: boolean;
  /**
   * The source of every pick when one priority's healthy hosts take the whole load and no locality
   * is chosen per pick (the common case): the priority roll could only land there, so none is drawn.
   */
  private readonly wholeLoad: HostPicker | undefined;

  constructor(private readonly input: PickerInput) {
    const { cluster, endpoints } = input;
    this.cluster = cluster.name;
    this.random = input.random ?? defaultRandom;
    this.state = input.state ?? new EndpointStateStore();
    this.ejected = input.ejected ?? new Set();
    this.hashBased = cluster.lbPolicy === 'RING_HASH' || cluster.lbPolicy === 'MAGLEV';
    this.levels = [];
    for (const e of endpoints?.endpoints ?? []) {
      while (this.levels.length <= e.priority) this.levels.push({ all: [], healthy: [], degraded: [] });
      const level = this.levels[e.priority]!;
      level.all.push(e);
      if (this.ejected.has(e.key)) continue;
      if (e.health === 'HEALTHY' || e.health === 'UNKNOWN') level.healthy.push(e);
      else if (e.health === 'DEGRADED') level.degraded.push(e);
    }
    this.priorityLoad = computePriorityLoad(
      this.levels.map((l) => ({ total: l.all.length, healthy: l.healthy.length, degraded: l.degraded.length })),
      endpoints?.overprovisioningFactor ?? 140,
      cluster.panicThresholdPercent,
    );
    const takesAll = this.priorityLoad.healthy[0] === 100 && !(cluster.localityWeighted && !this.hashBased);
    this.wholeLoad = takesAll ? this.sourceFor(0, false) : undefined;
  }

  pick(ctx: PickContext = {}): PickResult {
    if (this.levels.length === 0) return this.noHost('has no endpoints');
    const hash = ctx.hash === undefined ? undefined : typeof ctx.hash === 'bigint' ? ctx.hash & MASK64 : BigInt.asUintN(64, BigInt(Math.trunc(ctx.hash)));
    let picker = this.wholeLoad;
    if (picker === undefined) {
      // Hash-based policies choose the priority with the request hash too, so a key sticks to a level.
      const roll = this.hashBased && hash !== undefined ? Number(hash % 100n) : randomInt(this.random, 100);
      const chosen = this.choosePriority(roll);
      const priority = chosen >> 1;
      picker = this.sourceFor(priority, (chosen & 1) === 1);
      if (!picker) return this.noHost(this.priorityLoad.panic[priority] && this.input.cluster.failTrafficOnPanic ? 'is in panic and fail_traffic_on_panic is set' : 'has no healthy endpoint');
    }
    const endpoint = picker.pick(hash, ctx.exclude);
    if (ctx.exclude?.has(endpoint.key)) {
      // Every host of the chosen source was tried already: look for any other available host.
      const others = this.levels.flatMap((l) => notExcluded(l.healthy.length > 0 ? l.healthy : l.degraded, ctx.exclude));
      if (others.length > 0) return { ok: true, endpoint: others[randomInt(this.random, others.length)]! };
    }
    return { ok: true, endpoint };
  }

  candidates(): readonly CandidateState[] {
    return this.levels.flatMap((l) => l.all.map((endpoint) => ({
      endpoint,
      ejected: this.ejected.has(endpoint.key),
      available: l.healthy.includes(endpoint),
      activeRequests: this.state.active(endpoint.key),
    })));
  }

  /** The priority the roll lands on, times 2, plus 1 when it is the priority's degraded hosts (no object per pick). */
  private choosePriority(roll: number): number {
    const { healthy, degraded } = this.priorityLoad;
    let acc = 0;
    for (let i = 0; i < healthy.length; i++) {
      acc += healthy[i]!;
      if (roll < acc) return i * 2;
    }
    for (let i = 0; i < degraded.length; i++) {
      acc += degraded[i]!;
      if (roll < acc) return i * 2 + 1;
    }
    return 0;
  }

  /** The host picker of one priority: all hosts in panic, else healthy (or degraded) ones, per locality when weighted. */
  private sourceFor(priority: number, degraded: boolean): HostPicker | undefined {
    const level = this.levels[priority]!;
    const panic = this.priorityLoad.panic[priority]!;
    if (panic && this.input.cluster.failTrafficOnPanic) return undefined;
    const hosts = panic ? level.all : degraded ? level.degraded : level.healthy;
    if (hosts.length === 0) return undefined;
    const cluster = this.input.cluster;
    if (cluster.localityWeighted && !panic && !this.hashBased) {
      const locality = this.chooseLocality(priority, degraded, hosts);
      // No locality with a positive weight: Envoy falls back to all healthy hosts of the priority.
      if (locality) return this.cached(`${priority}/${degraded ? 'd' : 'h'}/${locality[0]!.locality.region}/${locality[0]!.locality.zone}/${locality[0]!.locality.subZone}`, locality);
    }
    // Whole-priority sources by index (no key string per pick): healthy, degraded, all (panic).
    const slot = priority * 3 + (panic ? 2 : degraded ? 1 : 0);
    let picker = this.levelSources[slot];
    if (!picker) {
      picker = this.algorithm(hosts);
      this.levelSources[slot] = picker;
    }
    return picker;
  }

  private cached(key: string, hosts: readonly Endpoint[]): HostPicker {
    let picker = this.sources.get(key);
    if (!picker) {
      picker = this.algorithm(hosts);
      this.sources.set(key, picker);
    }
    return picker;
  }

  private algorithm(hosts: readonly Endpoint[]): HostPicker {
    const cluster = this.input.cluster;
    switch (cluster.lbPolicy) {
      case 'LEAST_REQUEST': return leastRequest(hosts, cluster.leastRequest, this.state, this.random);
      case 'RANDOM': return randomPicker(hosts, this.random);
      case 'PICK_FIRST': return pickFirst(hosts);
      case 'RING_HASH':
      case 'MAGLEV': return ringHashPicker(buildRing(hosts, cluster.ringHash, this.ringWeights(hosts)), this.random);
      default: return roundRobin(hosts, this.random);
    }
  }

  /** Ring weights: host weight, times its locality's weight share when locality-weighted LB is on. */
  private ringWeights(hosts: readonly Endpoint[]): number[] | undefined {
    if (!this.input.cluster.localityWeighted) return undefined;
    const localityOf = new Map<string, { weight: number; sum: number }>();
    for (const loc of this.input.endpoints?.localities ?? []) localityOf.set(loc.localityKey + '#' + loc.priority, { weight: loc.weight ?? 0, sum: 0 });
    const keyOf = (h: Endpoint) => `${h.locality.region}/${h.locality.zone}/${h.locality.subZone}#${h.priority}`;
    for (const h of hosts) { const l = localityOf.get(keyOf(h)); if (l) l.sum += h.weight; }
    const totalLocalityWeight = [...new Set(hosts.map(keyOf))].reduce((a, k) => a + (localityOf.get(k)?.weight ?? 0), 0);
    if (totalLocalityWeight === 0) return undefined;
    const weights = hosts.map((h) => {
      const l = localityOf.get(keyOf(h));
      return l && l.sum > 0 ? (h.weight / l.sum) * (l.weight / totalLocalityWeight) : 0;
    });
    return weights.some((w) => w > 0) ? weights : undefined;
  }

  /**
   * Locality-weighted selection (Envoy's chooseHealthyLocality): each locality's effective weight
   * is its load_balancing_weight × min(1, overprovisioning × eligible/total), scheduled by EDF.
   */
  private chooseLocality(priority: number, degraded: boolean, eligible: readonly Endpoint[]): Endpoint[] | undefined {
    const key = `${priority}/${degraded ? 'd' : 'h'}`;
    let schedule = this.localitySchedules.get(key);
    if (schedule === undefined) {
      schedule = null;
      const overprovisioning = (this.input.endpoints?.overprovisioningFactor ?? 140) / 100;
      const eligibleKeys = new Set(eligible.map((e) => e.key));
      for (const loc of this.input.endpoints?.localities ?? []) {
        if (loc.priority !== priority || loc.endpoints.length === 0) continue;
        const hosts = loc.endpoints.filter((e) => eligibleKeys.has(e.key));
        const weight = (loc.weight ?? 0) * Math.min(1, (overprovisioning * hosts.length) / loc.endpoints.length);
        if (hosts.length === 0 || weight <= 0) continue;
        schedule ??= new EdfScheduler<LocalityChoice>();
        schedule.add({ hosts, weight }, weight);
      }
      this.localitySchedules.set(key, schedule);
    }
    return schedule?.pickAndAdd((choice) => choice.weight)?.hosts;
  }

  private noHost(why: string): PickResult {
    return {
      ok: false,
      error: new MeshError('NO_HEALTHY_UPSTREAM', `no healthy upstream: cluster ${this.cluster} ${why}`, { details: { cluster: this.cluster } }),
    };
  }
}
