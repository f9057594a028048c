// State-of-the-world ADS (StreamAggregatedResources) for one stream: subscriptions per type,
// ACK/NACK by nonce, full-set responses for LDS/CDS and changed-only responses for RDS/EDS, newly
// requested names always (re)sent, names that do not exist yet remembered until they appear.

import { FAMILY_TYPE_URL, isFullStateType, type DiscoveryRequest, type DiscoveryResponse } from '@inboard/xds';
import type { FamilySyncStatus, XdsFamily } from '../contracts';
import { requestFamily, sentObjects, setVersion, type ProtocolSession, type RequestEffect } from './session';
import { NO_SUBSCRIPTION, addedNames, sotwSubscription, type Subscription } from './subscriptions';
import { TypeSync, errorDetailMessage } from './type-sync';
import type { EncodedResource, ResourceView } from './view-cache';

interface SotwTypeState {
  sub: Subscription;
  readonly sync: TypeSync;
  /** What the client holds, as far as our responses go. */
  sent: Map<string, EncodedResource>;
  /** Names to send even if unchanged (newly requested). */
  readonly force: Set<string>;
  /** A wildcard subscription awaiting its first response (sent even when empty). */
  needsResponse: boolean;
}

/** SotW protocol state of one stream. */
export class SotwSession implements ProtocolSession {
  readonly protocol = 'sotw' as const;
  private readonly types = new Map<XdsFamily, SotwTypeState>();

  onRequest(message: object): RequestEffect {
    const request = message as DiscoveryRequest;
    const family = requestFamily(request.type_url);
    if (!family) return { reply: 'none', unservedType: request.type_url! };
    const st = this.stateOf(family);
    const nackError = errorDetailMessage(request.error_detail);
    const reply = st.sync.recordReply(request.response_nonce ?? '', nackError);
    // A request answering an older response is superseded by the newer one: ignore it whole.
    if (reply === 'stale') return { reply };
    const prev = st.sub;
    const next = sotwSubscription(prev, FAMILY_TYPE_URL[family], request.resource_names ?? []);
    for (const name of addedNames(prev, next)) st.force.add(name);
    for (const name of prev.names) if (!next.names.has(name) && !next.wildcard) st.sent.delete(name);
    if (next.wildcard && !prev.wildcard) st.needsResponse = true;
    st.sub = next;
    return { family, reply, ...(reply === 'nack' ? { nackError } : {}) };
  }

  buildResponse(family: XdsFamily, view: ResourceView, nonce: string): DiscoveryResponse | undefined {
    const st = this.types.get(family);
    if (!st || !view.ok) return undefined;
    const typeUrl = FAMILY_TYPE_URL[family];
    const available = view.families[family];
    const resources = isFullStateType(typeUrl) ? this.fullSet(st, available) : this.changedOnly(st, available);
    st.force.clear();
    if (!resources) return undefined;
    const version = setVersion(st.sent.values());
    st.sync.recordSent(nonce, version);
    return { version_info: version, resources: resources.map((r) => r.any), type_url: typeUrl, nonce };
  }

  subscribedFamilies(): XdsFamily[] {
    return [...this.types].filter(([, st]) => st.sub.wildcard || st.sub.names.size > 0).map(([f]) => f);
  }

  status(family: XdsFamily): FamilySyncStatus {
    const st = this.types.get(family);
    if (!st) return { state: 'NOT_SENT', subscribed: 0 };
    return st.sync.status(st.sub.wildcard ? st.sent.size : st.sub.names.size);
  }

  sent(family: XdsFamily): object[] {
    const st = this.types.get(family);
    return st ? sentObjects(st.sent, undefined) : [];
  }

  /** LDS/CDS: every subscribed resource that exists, whenever the set or a version differs. */
  private fullSet(st: SotwTypeState, available: ReadonlyMap<string, EncodedResource>): EncodedResource[] | undefined {
    const desired = new Map<string, EncodedResource>();
    if (st.sub.wildcard) for (const [name, r] of available) desired.set(name, r);
    for (const name of st.sub.names) {
      const r = available.get(name);
      if (r) desired.set(name, r);
    }
    const differs =
      st.needsResponse ||
      desired.size !== st.sent.size ||
      [...desired].some(([name, r]) => st.sent.get(name)?.version !== r.version || st.force.has(name));
    if (!differs) return undefined;
    st.needsResponse = false;
    st.sent = desired;
    return [...desired.values()];
  }

  /** RDS/EDS: only subscribed resources that are new to the client, changed, or newly requested. */
  private changedOnly(st: SotwTypeState, available: ReadonlyMap<string, EncodedResource>): EncodedResource[] | undefined {
    for (const name of [...st.sent.keys()]) if (!st.sub.names.has(name) || !available.has(name)) st.sent.delete(name);
    const changed: EncodedResource[] = [];
    for (const name of st.sub.names) {
      const r = available.get(name);
      if (r && (st.force.has(name) || st.sent.get(name)?.version !== r.version)) changed.push(r);
    }
    if (changed.length === 0) return undefined;
    for (const r of changed) st.sent.set(r.name, r);
    return changed;
  }

  private stateOf(family: XdsFamily): SotwTypeState {
    let st = this.types.get(family);
    if (!st) {
      st = { sub: NO_SUBSCRIPTION, sync: new TypeSync(), sent: new Map(), force: new Set(), needsResponse: false };
      this.types.set(family, st);
    }
    return st;
  }
}
