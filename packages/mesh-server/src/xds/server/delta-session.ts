// Incremental ADS (DeltaAggregatedResources) for one stream: subscribe/unsubscribe deltas,
// per-resource versions (content hashes), `initial_resource_versions` honoured on reconnect,
// `removed_resources` for deletions and for subscribed names that do not exist, ACK/NACK by nonce.

import { FAMILY_TYPE_URL, type DeltaDiscoveryRequest, type DeltaDiscoveryResponse } from '@inboard/xds';
import type { FamilySyncStatus, XdsFamily } from '../contracts';
import { requestFamily, sentObjects, setVersion, type ProtocolSession, type RequestEffect } from './session';
import { NO_SUBSCRIPTION, covers, deltaSubscription, type Subscription } from './subscriptions';
import { TypeSync, errorDetailMessage } from './type-sync';
import type { EncodedResource, ResourceView } from './view-cache';

/** What the client holds of one resource: its version (and the object when we sent it). */
interface HeldResource {
  readonly version: string;
  readonly object?: object;
}

interface DeltaTypeState {
  sub: Subscription;
  readonly sync: TypeSync;
  readonly sent: Map<string, HeldResource>;
  /** Names to list in the next removed_resources regardless of the view. */
  readonly pendingRemoved: Set<string>;
  /** Explicitly subscribed names already reported as not existing. */
  readonly absentNotified: Set<string>;
  requested: boolean;
  /** A wildcard subscription awaiting its first response (sent even when empty). */
  needsResponse: boolean;
}

/** Delta protocol state of one stream. */
export class DeltaSession implements ProtocolSession {
  readonly protocol = 'delta' as const;
  private readonly types = new Map<XdsFamily, DeltaTypeState>();

  onRequest(message: object): RequestEffect {
    const request = message as DeltaDiscoveryRequest;
    const family = requestFamily(request.type_url);
    if (!family) return { reply: 'none', unservedType: request.type_url! };
    const st = this.stateOf(family);
    const first = !st.requested;
    st.requested = true;
    const nackError = errorDetailMessage(request.error_detail);
    // In delta, subscription changes count even when the nonce is stale; only the ACK state does not.
    const reply = st.sync.recordReply(request.response_nonce ?? '', nackError);
    const subscribe = request.resource_names_subscribe ?? [];
    const unsubscribe = request.resource_names_unsubscribe ?? [];
    const prev = st.sub;
    const next = deltaSubscription(prev, FAMILY_TYPE_URL[family], subscribe, unsubscribe, first);
    if (first) {
      for (const [name, version] of Object.entries(request.initial_resource_versions ?? {})) st.sent.set(name, { version });
    } else {
      for (const name of subscribe) {
        if (name === '*') continue;
        st.sent.delete(name); // a (re)subscribed name is always sent: the client may have forgotten it
        st.absentNotified.delete(name);
      }
    }
    for (const name of unsubscribe) {
      if (name === '*') continue;
      st.absentNotified.delete(name);
      // Still covered by the wildcard: the client must learn whether to keep it (resend or remove).
      if (next.wildcard && !st.sent.delete(name)) st.pendingRemoved.add(name);
      if (!next.wildcard) st.sent.delete(name);
    }
    if (prev.wildcard && !next.wildcard) for (const name of [...st.sent.keys()]) if (!next.names.has(name)) st.sent.delete(name);
    if (next.wildcard && !prev.wildcard) st.needsResponse = true;
    st.sub = next;
    return { family, reply, ...(reply === 'nack' ? { nackError } : {}) };
  }

  buildResponse(family: XdsFamily, view: ResourceView, nonce: string): DeltaDiscoveryResponse | undefined {
    const st = this.types.get(family);
    if (!st || !view.ok) return undefined;
    const available = view.families[family];
    const resources: EncodedResource[] = [];
    const removed = new Set(st.pendingRemoved);
    st.pendingRemoved.clear();
    const desired = new Set(st.sub.names);
    if (st.sub.wildcard) for (const name of available.keys()) desired.add(name);
    for (const name of desired) {
      const r = available.get(name);
      if (r) {
        st.absentNotified.delete(name);
        if (st.sent.get(name)?.version !== r.version) {
          resources.push(r);
          st.sent.set(name, r);
        }
      } else if (!st.absentNotified.has(name) && (st.sent.delete(name) || st.sub.names.has(name))) {
        // Deleted, or subscribed but never existing: removed_resources tells the client at once.
        removed.add(name);
        if (st.sub.names.has(name)) st.absentNotified.add(name);
      }
    }
    for (const name of [...st.sent.keys()]) {
      if (!covers(st.sub, name) || !available.has(name)) {
        st.sent.delete(name);
        removed.add(name);
      }
    }
    for (const r of resources) removed.delete(r.name);
    if (resources.length === 0 && removed.size === 0 && !st.needsResponse) return undefined;
    st.needsResponse = false;
    const version = setVersion([...st.sent].map(([name, held]) => ({ name, version: held.version })));
    st.sync.recordSent(nonce, version);
    return {
      system_version_info: version,
      resources: resources.map((r) => ({ name: r.name, version: r.version, resource: r.any })),
      type_url: FAMILY_TYPE_URL[family],
      removed_resources: [...removed],
      nonce,
    };
  }

  subscribedFamilies(): XdsFamily[] {
    return [...this.types].filter(([, st]) => st.sub.wildcard || st.sub.names.size > 0 || st.pendingRemoved.size > 0).map(([f]) => f);
  }

  status(family: XdsFamily): FamilySyncStatus {
    const st = this.types.get(family);
    if (!st) return { state: 'NOT_SENT', subscribed: 0 };
    return st.sync.status(st.sub.wildcard ? st.sent.size : st.sub.names.size);
  }

  sent(family: XdsFamily, view: ResourceView | undefined): object[] {
    const st = this.types.get(family);
    return st ? sentObjects(st.sent, view?.families[family]) : [];
  }

  private stateOf(family: XdsFamily): DeltaTypeState {
    let st = this.types.get(family);
    if (!st) {
      st = { sub: NO_SUBSCRIPTION, sync: new TypeSync(), sent: new Map(), pendingRemoved: new Set(), absentNotified: new Set(), requested: false, needsResponse: false };
      this.types.set(family, st);
    }
    return st;
  }
}
