// What an ADS stream's protocol variant (state of the world or delta) must provide to the stream
// driver: apply a request, build the next response for a type against the client's view, and report
// per-family status and the last sent resources.

import { createHash } from 'node:crypto';
import { familyOf } from '@inboard/xds';
import type { FamilySyncStatus, XdsFamily } from '../contracts';
import type { EncodedResource, ResourceView } from './view-cache';

/** A request the server cannot accept: the stream ends with INVALID_ARGUMENT and this message. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** The effect of a request on a session. */
export interface RequestEffect {
  /** The family whose response may now differ (absent: nothing to re-examine). */
  readonly family?: XdsFamily;
  /** How the request related to the last response of its type. */
  readonly reply: 'ack' | 'nack' | 'stale' | 'none';
  readonly nackError?: string;
  /** A type URL the server does not serve (the request is otherwise ignored). */
  readonly unservedType?: string;
}

/** One protocol variant's per-stream state. */
export interface ProtocolSession {
  readonly protocol: 'sotw' | 'delta';
  /** Applies a request (after the node has been read). Throws ProtocolError. */
  onRequest(request: object): RequestEffect;
  /** The next response for `family`, or undefined when the client is up to date; records it as sent. */
  buildResponse(family: XdsFamily, view: ResourceView, nonce: string): object | undefined;
  /** Families with a subscription (to re-examine when the view changes). */
  subscribedFamilies(): XdsFamily[];
  status(family: XdsFamily): FamilySyncStatus;
  /** The resources last sent for `family` and still held by the client. */
  sent(family: XdsFamily, view: ResourceView | undefined): object[];
}

/** The family of a request's type URL (undefined for a type not served); throws ProtocolError when missing. */
export function requestFamily(typeUrl: string | undefined): XdsFamily | undefined {
  if (!typeUrl) throw new ProtocolError('request has no type_url');
  return familyOf(typeUrl);
}

/** Type version of a set of resources: a short hash of their sorted names and versions. */
export function setVersion(resources: Iterable<{ readonly name: string; readonly version: string }>): string {
  const parts = [...resources].map((r) => `${r.name}\u0000${r.version}`).sort();
  return createHash('sha256').update(parts.join('\u0001')).digest('base64url').slice(0, 12);
}

/** The objects of sent resources, preferring the view's copy when the version matches. */
export function sentObjects(sent: ReadonlyMap<string, { readonly version: string; readonly object?: object }>, current: ReadonlyMap<string, EncodedResource> | undefined): object[] {
  const out: object[] = [];
  for (const [name, entry] of sent) {
    const object = entry.object ?? (current?.get(name)?.version === entry.version ? current.get(name)!.object : undefined);
    if (object) out.push(object);
  }
  return out;
}
