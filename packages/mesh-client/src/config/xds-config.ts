// The config stream of a Mesh: ONE AdsClient subscribed to every Listener and Cluster (wildcard)
// and to the RouteConfigurations and ClusterLoadAssignments they reference, validating each
// response with the snapshot compiler (NACK with the precise message, last good config kept) and
// publishing one immutable MeshSnapshot once every referenced resource has been answered.

import { AdsClient, TYPE_URL, familyOf, type AdsNodeIdentity, type BackoffOptions, type DisconnectInfo, type ResourceUpdate, type XdsProtos } from '@inboard/xds';
import { EventEmitter } from 'eventemitter3';
import { MeshError } from '../errors';
import { compileSnapshot, type XdsResources } from '../snapshot/compile';
import type { MeshSnapshot, ResourceError, ResourceFamily } from '../snapshot/types';
import type { XdsChannel } from './xds-channel';
import { referencedEndpointNames, referencedRouteNames, subscriptionDelta } from './references';

/** A response the client rejected: the type, the message sent to the control plane, each resource's problems. */
export interface NackEvent {
  readonly typeUrl: string;
  readonly family: ResourceFamily;
  /** error_detail.message as sent in the NACK. */
  readonly message: string;
  readonly errors: readonly ResourceError[];
}

/** Events of XdsConfig. */
export interface XdsConfigEvents {
  /** A new snapshot is in force (`previous` is undefined for the first). */
  snapshot: (snapshot: MeshSnapshot, previous: MeshSnapshot | undefined) => void;
  nack: (event: NackEvent) => void;
  connected: () => void;
  disconnected: (info: DisconnectInfo) => void;
}

/** Options of XdsConfig. */
export interface XdsConfigOptions {
  /** The control plane: address and transport security (xds-channel.ts). */
  readonly channel: XdsChannel;
  readonly node: AdsNodeIdentity;
  readonly protocol: 'delta' | 'sotw';
  readonly protos?: XdsProtos;
  readonly backoff?: Partial<BackoffOptions>;
  readonly random?: () => number;
}

type RawResources = { -readonly [F in ResourceFamily]: ReadonlyMap<string, unknown> };

const FOLLOWED: readonly string[] = [TYPE_URL.ROUTE, TYPE_URL.ENDPOINT];

/**
 * Holds the received resources and the snapshot compiled from them. Resources are never dropped
 * while disconnected (AdsClient resubscribes on reconnect with the versions it holds and the
 * control plane's answer decides). A snapshot is published only when every route configuration
 * and load assignment it references has been answered (Envoy's warming), so a new listener never
 * goes live before its routes.
 */
export class XdsConfig extends EventEmitter<XdsConfigEvents> {
  /** Resolves with the first published snapshot; rejects with CLOSED if closed before. */
  readonly ready: Promise<void>;
  private readonly ads: AdsClient;
  private readonly raw: RawResources = { listeners: new Map(), routes: new Map(), clusters: new Map(), endpoints: new Map() };
  private readonly watched = new Map<string, Set<string>>(FOLLOWED.map((t) => [t, new Set<string>()]));
  private readonly pending = new Map<string, Set<string>>(FOLLOWED.map((t) => [t, new Set<string>()]));
  private readonly answered = new Set<string>();
  private readonly lastErrors = new Map<string, readonly ResourceError[]>();
  private published: MeshSnapshot | undefined;
  private compiled: MeshSnapshot | undefined;
  private refreshing = false;
  private again = false;
  private closed = false;
  private resolveReady!: () => void;
  private rejectReady!: (e: Error) => void;

  constructor(options: XdsConfigOptions) {
    super();
    this.ready = new Promise<void>((resolve, reject) => { this.resolveReady = resolve; this.rejectReady = reject; });
    this.ready.catch(() => undefined); // a close() before the first config must not be an unhandled rejection
    const validators = Object.fromEntries(Object.values(TYPE_URL).map((t) => [t, (received: ReadonlyMap<string, object>) => this.validate(t, received)]));
    this.ads = new AdsClient({
      target: options.channel.target,
      credentials: options.channel.credentials,
      channelOptions: options.channel.channelOptions,
      node: options.node,
      protocol: options.protocol,
      validators,
      ...(options.protos ? { protos: options.protos } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    this.ads.on('resources', (update) => this.onResources(update));
    this.ads.on('nack-sent', (nack) => this.onNack(nack.typeUrl, nack.error));
    this.ads.on('connected', () => this.emit('connected'));
    this.ads.on('disconnected', (info) => this.emit('disconnected', info));
    this.ads.watch(TYPE_URL.LISTENER, '*');
    this.ads.watch(TYPE_URL.CLUSTER, '*');
  }

  /** The snapshot in force, or undefined before the first config. */
  get current(): MeshSnapshot | undefined {
    return this.published;
  }

  /** True while the config stream is up. */
  get connected(): boolean {
    return this.ads.connected;
  }

  /** Ends the stream; no reconnect follows. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ads.close();
    this.rejectReady(new MeshError('CLOSED', 'the mesh was closed before its first config arrived'));
    this.removeAllListeners();
  }

  /** The validator of one response: compiles what it carries; any resource error NACKs it whole. */
  private validate(typeUrl: string, received: ReadonlyMap<string, object>): string | undefined {
    const family = familyOf(typeUrl);
    if (!family) return undefined;
    const only: RawResources = { listeners: new Map(), routes: new Map(), clusters: new Map(), endpoints: new Map() };
    only[family] = received;
    const { errors } = compileSnapshot(only as XdsResources);
    if (errors.length === 0) return undefined;
    this.lastErrors.set(typeUrl, errors);
    return errors.map((e) => `${e.family} "${e.name}": ${e.message}`).join('; ');
  }

  private onResources(update: ResourceUpdate): void {
    if (this.closed || !update.family) return;
    this.raw[update.family] = update.resources;
    this.answered.add(update.typeUrl);
    // Any answer of a followed type settles the names it was asked for (present, or absent).
    this.pending.get(update.typeUrl)?.clear();
    this.refresh();
  }

  private onNack(typeUrl: string, message: string): void {
    if (this.closed) return;
    const family = familyOf(typeUrl);
    const errors = this.lastErrors.get(typeUrl) ?? [];
    this.lastErrors.delete(typeUrl);
    this.answered.add(typeUrl);
    this.pending.get(typeUrl)?.clear();
    if (family) this.emit('nack', { typeUrl, family, message, errors });
    this.refresh();
  }

  /** Recompiles, follows the references, and publishes when nothing referenced is still awaited. */
  private refresh(): void {
    if (this.refreshing) { this.again = true; return; }
    this.refreshing = true;
    try {
      do {
        this.again = false;
        const { snapshot } = compileSnapshot(this.raw as XdsResources, this.compiled ?? this.published);
        this.compiled = snapshot;
        this.follow(TYPE_URL.ROUTE, referencedRouteNames(snapshot));
        this.follow(TYPE_URL.ENDPOINT, referencedEndpointNames(snapshot));
        if (this.again) continue; // an unwatch dropped resources synchronously: compile again
        if (!this.answered.has(TYPE_URL.LISTENER) || !this.answered.has(TYPE_URL.CLUSTER)) return;
        if ([...this.pending.values()].some((names) => names.size > 0)) return;
        if (this.published?.version === snapshot.version) return;
        const previous = this.published;
        this.published = snapshot;
        this.emit('snapshot', snapshot, previous);
        if (!previous) this.resolveReady();
      } while (this.again);
    } finally {
      this.refreshing = false;
    }
  }

  private follow(typeUrl: string, wanted: Set<string>): void {
    const watched = this.watched.get(typeUrl)!;
    const { added, removed } = subscriptionDelta(watched, wanted);
    if (added.length > 0) {
      for (const name of added) { watched.add(name); this.pending.get(typeUrl)!.add(name); }
      this.ads.watch(typeUrl, added);
    }
    if (removed.length > 0) {
      for (const name of removed) { watched.delete(name); this.pending.get(typeUrl)!.delete(name); }
      this.ads.unwatch(typeUrl, removed);
    }
  }
}
