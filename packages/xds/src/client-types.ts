// Public types of the ADS client: its options, the node identity it sends, and its events.

import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import type { BackoffOptions } from './backoff';
import type { XdsProtos } from './protos';
import type { XdsFamily } from './type-urls';

/** Who the client is, as sent in the first request of every stream (node.*). */
export interface AdsNodeIdentity {
  readonly id: string;
  readonly cluster?: string;
  /** Plain JSON object, sent as a google.protobuf.Struct (see NODE_METADATA in mesh-server for the keys). */
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly locality?: { readonly region?: string; readonly zone?: string; readonly sub_zone?: string };
  /** Default "inboard-mesh-client". */
  readonly userAgentName?: string;
  readonly userAgentVersion?: string;
  readonly clientFeatures?: readonly string[];
}

/**
 * Checks the resources of one response before they are accepted. Return an error message to NACK
 * the response (the last accepted resources stay in force), or undefined to ACK it.
 */
export type ResourceValidator = (received: ReadonlyMap<string, object>, typeUrl: string) => string | undefined;

/** Timer source, injectable for tests. Handles are whatever setTimeout returned. */
export interface AdsClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of AdsClient. */
export interface AdsClientOptions {
  /** gRPC target of the control plane, e.g. "127.0.0.1:15010". */
  readonly target: string;
  readonly node: AdsNodeIdentity;
  /** 'sotw' (StreamAggregatedResources, default) or 'delta' (DeltaAggregatedResources). */
  readonly protocol?: 'sotw' | 'delta';
  /** Default: insecure. */
  readonly credentials?: ChannelCredentials;
  readonly channelOptions?: ChannelOptions;
  /** Per type URL; a type without a validator accepts whatever decodes. */
  readonly validators?: Readonly<Record<string, ResourceValidator>>;
  /**
   * false keeps resources as their raw Any ({ type_url, value }) instead of decoding them to plain
   * objects (names are still read) — for load generators that only need to ACK.
   */
  readonly decode?: boolean;
  readonly backoff?: Partial<BackoffOptions>;
  /** Random source in [0, 1) for backoff jitter. Default Math.random. */
  readonly random?: () => number;
  readonly clock?: AdsClock;
  /** Loaded protos to share; default loadXdsProtos(). */
  readonly protos?: XdsProtos;
}

/** What one accepted response changed for one type. */
export interface ResourceUpdate {
  readonly typeUrl: string;
  readonly family: XdsFamily | undefined;
  /** SotW version_info, or the delta system_version_info. */
  readonly version: string;
  /** Every accepted resource of the type now held, by name. */
  readonly resources: ReadonlyMap<string, object>;
  /** Names added or whose content changed. */
  readonly changed: readonly string[];
  /** Names no longer held (deleted by the server, or unwatched). */
  readonly removed: readonly string[];
}

/** A NACK the client sent. */
export interface NackInfo {
  readonly typeUrl: string;
  readonly nonce: string;
  readonly error: string;
}

/** An ACK the client sent. */
export interface AckInfo {
  readonly typeUrl: string;
  readonly nonce: string;
  readonly version: string;
}

/** Why a stream ended and when the next one starts. */
export interface DisconnectInfo {
  readonly code: number;
  readonly details: string;
  /** Delay before the next attempt, in ms. */
  readonly retryInMs: number;
}

/** Events of AdsClient (eventemitter3). */
export interface AdsClientEvents {
  resources: (update: ResourceUpdate) => void;
  connected: () => void;
  disconnected: (info: DisconnectInfo) => void;
  'nack-sent': (info: NackInfo) => void;
  'ack-sent': (info: AckInfo) => void;
}
