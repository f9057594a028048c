// Per-type state of the ADS client (subscription and accepted resources) and the decoding of the
// resources in one response: type check, names, duplicates. Shared by the SotW and delta protocols.

import { createHash } from 'node:crypto';
import * as protobuf from 'protobufjs';
import { decodeResource } from './codec';
import type { XdsProtos } from './protos';
import { resourceNameOf } from './type-urls';
import type { WireAny } from './wire-types';

/** What the client holds and wants for one resource type. */
export class TypeState {
  /** Explicitly subscribed names. */
  readonly names = new Set<string>();
  wildcard = false;
  /** Accepted resources by name (plain objects, or raw Any when decoding is off). */
  readonly resources = new Map<string, object>();
  /**
   * A digest of the accepted bytes by name, to tell changed from resent. A digest, not the bytes:
   * those are views into the whole response buffer, which keeping them would keep alive.
   */
  readonly digests = new Map<string, string>();
  /** Delta only: accepted per-resource versions. */
  readonly versions = new Map<string, string>();
  /** Last accepted version_info (SotW) / system_version_info (delta). */
  acceptedVersion = '';
  /** Last nonce received on the current stream. */
  nonce = '';

  constructor(readonly typeUrl: string) {}

  /** True if the subscription covers `name`. */
  wants(name: string): boolean {
    return this.wildcard || this.names.has(name);
  }

  /** True if anything is subscribed. */
  get subscribed(): boolean {
    return this.wildcard || this.names.size > 0;
  }

  /** Subscribed names as sent on the wire ('*' for the wildcard). */
  wireNames(): string[] {
    return this.wildcard ? ['*', ...this.names] : [...this.names];
  }

  /** Stores one accepted resource; true if it is new or its bytes changed. */
  store(name: string, resource: object, bytes: Uint8Array): boolean {
    const before = this.digests.get(name);
    const digest = createHash('sha256').update(bytes).digest('base64');
    this.resources.set(name, resource);
    this.digests.set(name, digest);
    return before !== digest;
  }

  /** Drops one resource; true if it was held. */
  drop(name: string): boolean {
    this.digests.delete(name);
    this.versions.delete(name);
    return this.resources.delete(name);
  }

  /** Drops every held resource the subscription no longer covers; returns their names. */
  dropUnwanted(): string[] {
    const dropped: string[] = [];
    for (const name of [...this.resources.keys()]) if (!this.wants(name) && this.drop(name)) dropped.push(name);
    return dropped;
  }
}

/** One decoded resource of a response. */
export interface DecodedResource {
  readonly name: string;
  readonly object: object;
  readonly bytes: Uint8Array;
  /** Delta only: the server's version of this resource. */
  readonly version?: string;
}

/** Decodes a response's resources of `typeUrl`; returns them or an error message for a NACK. */
export function decodeResources(
  typeUrl: string,
  entries: readonly { any: WireAny | undefined; name?: string; version?: string }[],
  decode: boolean,
  protos: XdsProtos,
): { resources: DecodedResource[] } | { error: string } {
  const seen = new Set<string>();
  const resources: DecodedResource[] = [];
  const errors: string[] = [];
  entries.forEach((entry, i) => {
    const any = entry.any;
    if (!any) return; // a delta heartbeat (TTL refresh) carries no resource
    if (any.type_url !== typeUrl) { errors.push(`resource ${i}: type ${any.type_url} in a ${typeUrl} response`); return; }
    let object: object;
    let name: string | undefined;
    try {
      if (decode) {
        const decoded = decodeResource(any, protos);
        object = decoded;
        name = resourceNameOf(typeUrl, decoded);
      } else {
        object = { type_url: any.type_url, value: any.value };
        name = peekName(any.value);
      }
    } catch (e) {
      errors.push(`resource ${i}${entry.name ? ` "${entry.name}"` : ''}: ${(e as Error).message}`);
      return;
    }
    if (!name) { errors.push(`resource ${i}: no name`); return; }
    if (entry.name !== undefined && entry.name !== name) { errors.push(`resource "${entry.name}" holds a resource named "${name}"`); return; }
    if (seen.has(name)) { errors.push(`resource "${name}" appears twice`); return; }
    seen.add(name);
    resources.push({ name, object, bytes: any.value, ...(entry.version !== undefined ? { version: entry.version } : {}) });
  });
  return errors.length > 0 ? { error: errors.join('; ') } : { resources };
}

/** Field 1 (a string) of a message: the name of a Listener, RouteConfiguration, Cluster or CLA. */
export function peekName(bytes: Uint8Array): string | undefined {
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) return reader.string();
    reader.skipType(tag & 7);
  }
  return undefined;
}
