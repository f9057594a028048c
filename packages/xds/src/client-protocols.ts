// The two ADS protocol variants as the client speaks them (state of the world, incremental): the
// requests to send (initial, subscription change, ACK/NACK) and how a response changes a type's
// state — following Envoy's "xDS REST and gRPC protocol".

import { ADS_METHOD_PATH } from './ads-service';
import { decodeResources, type DecodedResource, type TypeState } from './client-resources';
import type { AckInfo, NackInfo, ResourceUpdate, ResourceValidator } from './client-types';
import type { XdsProtos } from './protos';
import { familyOf, isFullStateType } from './type-urls';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse, DiscoveryRequest, DiscoveryResponse } from './wire-types';

/** google.rpc.Code INVALID_ARGUMENT, carried in a NACK's error_detail. */
const INVALID_ARGUMENT = 3;

/** What handling one response produced: the reply to send and what to report. */
export interface ResponseOutcome {
  readonly reply: DiscoveryRequest | DeltaDiscoveryRequest;
  readonly update?: ResourceUpdate;
  readonly ack?: AckInfo;
  readonly nack?: NackInfo;
}

/** Decoding context for responses. */
export interface DecodeContext {
  readonly decode: boolean;
  readonly protos: XdsProtos;
  readonly validator: ResourceValidator | undefined;
}

/** One protocol variant. */
export interface ClientProtocol {
  readonly methodPath: string;
  /** First request for a subscribed type on a new stream (resubscribes, reports known versions). */
  initialRequest(state: TypeState): DiscoveryRequest | DeltaDiscoveryRequest;
  /** Request after watch/unwatch while a stream is up. */
  changeRequest(state: TypeState, added: readonly string[], removed: readonly string[]): DiscoveryRequest | DeltaDiscoveryRequest;
  /** The type URL a response is for. */
  typeUrlOf(response: object): string;
  handleResponse(state: TypeState, response: object, ctx: DecodeContext): ResponseOutcome;
}

/** State of the world: every request carries the full name list, the last accepted version and the last nonce. */
export const SOTW_PROTOCOL: ClientProtocol = {
  methodPath: ADS_METHOD_PATH.SOTW,
  initialRequest: (state) => sotwRequest(state, ''),
  changeRequest: (state) => sotwRequest(state, state.nonce),
  typeUrlOf: (response) => (response as DiscoveryResponse).type_url ?? '',
  handleResponse(state, response, ctx) {
    const res = response as DiscoveryResponse;
    const nonce = res.nonce ?? '';
    state.nonce = nonce;
    const decoded = decodeResources(state.typeUrl, (res.resources ?? []).map((any) => ({ any })), ctx.decode, ctx.protos);
    const received = 'error' in decoded ? undefined : decoded.resources.filter((r) => state.wants(r.name));
    const error = 'error' in decoded ? decoded.error : validate(ctx.validator, state.typeUrl, received!);
    if (error !== undefined) {
      return { reply: { ...sotwRequest(state, nonce), error_detail: { code: INVALID_ARGUMENT, message: error } }, nack: { typeUrl: state.typeUrl, nonce, error } };
    }
    const changed = storeAll(state, received!);
    const removed: string[] = [];
    if (isFullStateType(state.typeUrl)) {
      const present = new Set(received!.map((r) => r.name));
      for (const name of [...state.resources.keys()]) if (!present.has(name) && state.drop(name)) removed.push(name);
    }
    state.acceptedVersion = res.version_info ?? '';
    return {
      reply: sotwRequest(state, nonce),
      update: updateOf(state, changed, removed),
      ack: { typeUrl: state.typeUrl, nonce, version: state.acceptedVersion },
    };
  },
};

/** Incremental: subscribe/unsubscribe deltas, per-resource versions, removed_resources. */
export const DELTA_PROTOCOL: ClientProtocol = {
  methodPath: ADS_METHOD_PATH.DELTA,
  initialRequest(state) {
    const initial: Record<string, string> = {};
    for (const [name, version] of state.versions) if (state.wants(name)) initial[name] = version;
    return { type_url: state.typeUrl, resource_names_subscribe: state.wireNames(), initial_resource_versions: initial };
  },
  changeRequest: (state, added, removed) => ({
    type_url: state.typeUrl,
    resource_names_subscribe: [...added],
    resource_names_unsubscribe: [...removed],
  }),
  typeUrlOf: (response) => (response as DeltaDiscoveryResponse).type_url ?? '',
  handleResponse(state, response, ctx) {
    const res = response as DeltaDiscoveryResponse;
    const nonce = res.nonce ?? '';
    state.nonce = nonce;
    const entries = (res.resources ?? []).map((r) => ({ any: r.resource, name: r.name ?? '', version: r.version ?? '' }));
    const decoded = decodeResources(state.typeUrl, entries, ctx.decode, ctx.protos);
    const received = 'error' in decoded ? undefined : decoded.resources.filter((r) => state.wants(r.name));
    const error = 'error' in decoded ? decoded.error : validate(ctx.validator, state.typeUrl, received!);
    if (error !== undefined) {
      return {
        reply: { type_url: state.typeUrl, response_nonce: nonce, error_detail: { code: INVALID_ARGUMENT, message: error } },
        nack: { typeUrl: state.typeUrl, nonce, error },
      };
    }
    const changed = storeAll(state, received!);
    for (const r of received!) state.versions.set(r.name, r.version ?? '');
    const removed = (res.removed_resources ?? []).filter((name) => state.drop(name));
    state.acceptedVersion = res.system_version_info ?? '';
    return {
      reply: { type_url: state.typeUrl, response_nonce: nonce },
      update: updateOf(state, changed, removed),
      ack: { typeUrl: state.typeUrl, nonce, version: state.acceptedVersion },
    };
  },
};

function sotwRequest(state: TypeState, nonce: string): DiscoveryRequest {
  return { version_info: state.acceptedVersion, resource_names: state.wireNames(), type_url: state.typeUrl, response_nonce: nonce };
}

function validate(validator: ResourceValidator | undefined, typeUrl: string, received: readonly DecodedResource[]): string | undefined {
  if (!validator) return undefined;
  try {
    return validator(new Map(received.map((r) => [r.name, r.object])), typeUrl);
  } catch (e) {
    return `validator failed: ${(e as Error).message}`;
  }
}

function storeAll(state: TypeState, received: readonly DecodedResource[]): string[] {
  const changed: string[] = [];
  for (const r of received) if (state.store(r.name, r.object, r.bytes)) changed.push(r.name);
  return changed;
}

function updateOf(state: TypeState, changed: readonly string[], removed: readonly string[]): ResourceUpdate {
  return { typeUrl: state.typeUrl, family: familyOf(state.typeUrl), version: state.acceptedVersion, resources: new Map(state.resources), changed, removed };
}
