// AdsClient: one Aggregated Discovery Service stream to a control plane (SotW or delta), with
// per-type subscriptions, ACK/NACK through caller validators and reconnect with jittered backoff.
// Used by mesh-client, the protocol tests and the fan-out benchmark, so it keeps little state.

import * as grpc from '@grpc/grpc-js';
import { EventEmitter } from 'eventemitter3';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff';
import { TypeState } from './client-resources';
import { DELTA_PROTOCOL, SOTW_PROTOCOL, type ClientProtocol, type ResponseOutcome } from './client-protocols';
import type { AdsClientEvents, AdsClientOptions, AdsClock, AdsNodeIdentity } from './client-types';
import { XdsError } from './errors';
import { loadXdsProtos, type XdsProtos } from './protos';
import { toStruct } from './struct';
import { familyOf } from './type-urls';
import type { WireNode } from './wire-types';

/** Default node.user_agent_name of AdsClient. */
export const ADS_CLIENT_USER_AGENT = 'inboard-mesh-client';

const REAL_CLOCK: AdsClock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

type AdsCall = grpc.ClientDuplexStream<object, object>;

/**
 * An ADS client. It connects on construction; `watch` adds subscriptions (sent at once when a
 * stream is up, and again on every reconnect). Resources are never treated as removed while
 * disconnected: a reconnect resubscribes (SotW with the last accepted versions, delta with
 * `initial_resource_versions`) and the server's answer decides.
 */
export class AdsClient extends EventEmitter<AdsClientEvents> {
  private readonly protos: XdsProtos;
  private readonly protocol: ClientProtocol;
  private readonly client: grpc.Client;
  private readonly method: grpc.MethodDefinition<object, object>;
  private readonly wireNode: WireNode;
  private readonly clock: AdsClock;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private readonly types = new Map<string, TypeState>();
  /** Types that have had a request on the current stream. */
  private readonly requested = new Set<string>();
  private call: AdsCall | undefined;
  private nodeSent = false;
  private connectedAt: number | undefined;
  private attempt = 0;
  private retryTimer: unknown;
  private closed = false;

  constructor(private readonly options: AdsClientOptions) {
    super();
    this.protos = options.protos ?? loadXdsProtos();
    this.protocol = options.protocol === 'delta' ? DELTA_PROTOCOL : SOTW_PROTOCOL;
    const service = this.protos.adsService();
    this.method = (options.protocol === 'delta' ? service['DeltaAggregatedResources'] : service['StreamAggregatedResources']) as grpc.MethodDefinition<object, object>;
    this.client = new grpc.Client(options.target, options.credentials ?? grpc.credentials.createInsecure(), options.channelOptions);
    this.wireNode = wireNodeOf(options.node);
    this.clock = options.clock ?? REAL_CLOCK;
    this.random = options.random ?? Math.random;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.startStream();
  }

  /** The protocol variant in use. */
  get protocolName(): 'sotw' | 'delta' {
    return this.protocol === DELTA_PROTOCOL ? 'delta' : 'sotw';
  }

  /** True while a stream is up (its response headers or a response arrived). */
  get connected(): boolean {
    return this.connectedAt !== undefined;
  }

  /** Subscribes to `names` of `typeUrl` (adding to earlier watches), or to all of them with '*'. */
  watch(typeUrl: string, names: readonly string[] | '*'): void {
    this.assertOpen();
    let state = this.types.get(typeUrl);
    if (!state) this.types.set(typeUrl, (state = new TypeState(typeUrl)));
    const added: string[] = [];
    if (names === '*') {
      if (!state.wildcard) { state.wildcard = true; added.push('*'); }
    } else {
      for (const name of names) if (!state.names.has(name)) { state.names.add(name); added.push(name); }
    }
    if (added.length > 0) this.sendSubscription(state, added, []);
  }

  /** Drops `names` (or the '*' wildcard) from the subscription of `typeUrl`; held resources it no longer covers go too. */
  unwatch(typeUrl: string, names: readonly string[] | '*'): void {
    this.assertOpen();
    const state = this.types.get(typeUrl);
    if (!state) return;
    const removed: string[] = [];
    if (names === '*') {
      if (state.wildcard) { state.wildcard = false; removed.push('*'); }
    } else {
      for (const name of names) if (state.names.delete(name)) removed.push(name);
    }
    if (removed.length === 0) return;
    const dropped = state.dropUnwanted();
    this.sendSubscription(state, [], removed);
    if (dropped.length > 0) {
      this.emit('resources', { typeUrl, family: familyOf(typeUrl), version: state.acceptedVersion, resources: new Map(state.resources), changed: [], removed: dropped });
    }
  }

  /** The accepted resources of `typeUrl`, by name. */
  resources(typeUrl: string): ReadonlyMap<string, object> {
    return new Map(this.types.get(typeUrl)?.resources ?? []);
  }

  /** The last accepted version of `typeUrl` ('' before the first). */
  version(typeUrl: string): string {
    return this.types.get(typeUrl)?.acceptedVersion ?? '';
  }

  /** Ends the stream and the channel; no reconnect follows. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const call = this.call;
    this.call = undefined;
    this.connectedAt = undefined;
    call?.cancel();
    this.client.close();
  }

  private startStream(): void {
    this.retryTimer = undefined;
    const call = this.client.makeBidiStreamRequest(this.method.path, this.method.requestSerialize, this.method.responseDeserialize) as AdsCall;
    this.call = call;
    this.nodeSent = false;
    this.connectedAt = undefined;
    this.requested.clear();
    call.on('metadata', () => this.markConnected(call));
    call.on('data', (message: object) => this.onResponse(call, message));
    call.on('error', () => undefined); // the 'status' event carries the outcome
    call.on('status', (status: grpc.StatusObject) => this.onStreamEnd(call, status));
    for (const state of this.types.values()) {
      state.nonce = '';
      if (state.subscribed) this.send(call, state.typeUrl, this.protocol.initialRequest(state));
    }
  }

  private sendSubscription(state: TypeState, added: readonly string[], removed: readonly string[]): void {
    const call = this.call;
    if (!call) return; // sent with the initial requests of the next stream
    const request = this.requested.has(state.typeUrl) ? this.protocol.changeRequest(state, added, removed) : this.protocol.initialRequest(state);
    this.send(call, state.typeUrl, request);
  }

  private send(call: AdsCall, typeUrl: string, request: object): void {
    if (!this.nodeSent) {
      (request as { node?: WireNode }).node = this.wireNode;
      this.nodeSent = true;
    }
    this.requested.add(typeUrl);
    call.write(request);
  }

  private markConnected(call: AdsCall): void {
    if (call !== this.call || this.connectedAt !== undefined) return;
    this.connectedAt = this.clock.now();
    this.emit('connected');
  }

  private onResponse(call: AdsCall, message: object): void {
    if (call !== this.call) return;
    this.markConnected(call);
    const state = this.types.get(this.protocol.typeUrlOf(message));
    if (!state) return; // a type never watched: nothing to apply or acknowledge
    const outcome: ResponseOutcome = this.protocol.handleResponse(state, message, {
      decode: this.options.decode !== false,
      protos: this.protos,
      validator: this.options.validators?.[state.typeUrl],
    });
    this.send(call, state.typeUrl, outcome.reply);
    if (outcome.nack) this.emit('nack-sent', outcome.nack);
    if (outcome.ack) this.emit('ack-sent', outcome.ack);
    if (outcome.update) this.emit('resources', outcome.update);
  }

  private onStreamEnd(call: AdsCall, status: grpc.StatusObject): void {
    if (call !== this.call) return;
    this.call = undefined;
    const upFor = this.connectedAt === undefined ? 0 : this.clock.now() - this.connectedAt;
    this.connectedAt = undefined;
    if (this.closed) return;
    if (upFor >= this.backoff.resetAfterMs) this.attempt = 0;
    const retryInMs = backoffDelay(this.attempt, this.random, this.backoff);
    this.attempt += 1;
    this.retryTimer = this.clock.setTimeout(() => this.startStream(), retryInMs);
    this.emit('disconnected', { code: status.code, details: status.details, retryInMs });
  }

  private assertOpen(): void {
    if (this.closed) throw new XdsError('CLOSED', 'AdsClient is closed; create a new one');
  }
}

function wireNodeOf(node: AdsNodeIdentity): WireNode {
  if (typeof node?.id !== 'string' || node.id === '') throw new TypeError('AdsClient: options.node.id must be a non-empty string');
  return {
    id: node.id,
    ...(node.cluster !== undefined ? { cluster: node.cluster } : {}),
    metadata: toStruct(node.metadata ?? {}, 'node.metadata'),
    locality: { ...node.locality },
    user_agent_name: node.userAgentName ?? ADS_CLIENT_USER_AGENT,
    ...(node.userAgentVersion !== undefined ? { user_agent_version: node.userAgentVersion } : {}),
    ...(node.clientFeatures ? { client_features: [...node.clientFeatures] } : {}),
  };
}
