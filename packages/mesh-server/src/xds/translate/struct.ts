// The Envoy `Metadata` translation attaches to routes, virtual hosts, clusters and endpoints:
// `filter_metadata.inboard` as a google.protobuf.Struct (via @inboard/xds's Struct conversion).

import { fromStruct, toStruct, type JsonValue } from '@inboard/xds';
import { METADATA_KEY, type EnvoyObject } from './envoy-names';

/** A JSON value that can be stored in metadata. */
export type StructJson = JsonValue;

/** An Envoy `Metadata` whose `filter_metadata[METADATA_KEY]` holds `object` (undefined members left out). */
export function inboardMetadata(object: { readonly [key: string]: StructJson | undefined }): EnvoyObject {
  return { filter_metadata: { [METADATA_KEY]: toStruct(object) } };
}

/** Reads `filter_metadata[METADATA_KEY]` of an Envoy object's `metadata` back to JSON (for explain and tests). */
export function readInboardMetadata(resource: unknown): Record<string, JsonValue> {
  const metadata = (resource as { metadata?: { filter_metadata?: Record<string, unknown> } } | undefined)?.metadata;
  return fromStruct(metadata?.filter_metadata?.[METADATA_KEY]);
}
