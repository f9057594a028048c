// Converts xDS resources between Inboard's plain-object convention (snake_case fields, enums as
// strings, oneofs as their set field, nested Any as { '@type', ...fields }) and protobuf Any bytes.
// Used by the control plane to encode what it serves and by the ADS client to decode what it gets.

import * as protobuf from 'protobufjs';
import { XdsError } from './errors';
import { canonicalMessage, type FieldProblem } from './plain-object';
import { loadXdsProtos, type XdsProtos } from './protos';
import { messageNameOf } from './type-urls';

/** A google.protobuf.Any as it travels in DiscoveryResponse.resources. */
export interface EncodedAny {
  readonly type_url: string;
  readonly value: Buffer;
}

/** toObject options that produce the plain-object convention (no oneof discriminators, no defaults). */
export const DECODE_OPTIONS: protobuf.IConversionOptions = {
  enums: String,
  longs: String,
  bytes: String,
  json: true,
  defaults: false,
  oneofs: false,
};

/**
 * Encodes a plain resource object as an Any of `typeUrl`. The object is checked strictly first: an
 * unknown field, unknown enum name or mistyped value throws XdsError INVALID_RESOURCE naming the
 * field path. Equal input always gives equal bytes (fields by number, map keys sorted).
 */
export function encodeResource(typeUrl: string, object: object, protos: XdsProtos = loadXdsProtos()): EncodedAny {
  const type = typeFor(typeUrl, protos);
  const input = object as Record<string, unknown>;
  if (input['@type'] !== undefined && input['@type'] !== typeUrl) {
    throw new XdsError('INVALID_RESOURCE', `${type.name}: "@type" is ${String(input['@type'])} but the resource is encoded as ${typeUrl}`, { typeUrl, path: '@type' });
  }
  const { '@type': _ignored, ...fields } = input;
  const canonical = checkedCanonical(type, fields, typeUrl);
  let value: Uint8Array;
  try {
    value = type.encode(type.fromObject(canonical)).finish();
  } catch (cause) {
    throw new XdsError('INVALID_RESOURCE', `${type.name}: cannot encode: ${(cause as Error).message}`, { typeUrl, cause });
  }
  return { type_url: typeUrl, value: Buffer.from(value.buffer, value.byteOffset, value.byteLength) };
}

/**
 * Decodes an Any into a plain resource object (no top-level '@type'; nested Any values become
 * `{ '@type', ...fields }`). Throws XdsError UNKNOWN_TYPE or DECODE_FAILED.
 */
export function decodeResource(any: { readonly type_url: string; readonly value: Uint8Array | string }, protos: XdsProtos = loadXdsProtos()): Record<string, unknown> {
  const type = typeFor(any.type_url, protos);
  const bytes = typeof any.value === 'string' ? Buffer.from(any.value, 'base64') : any.value;
  try {
    return type.toObject(type.decode(bytes), DECODE_OPTIONS);
  } catch (cause) {
    throw new XdsError('DECODE_FAILED', `cannot decode ${type.name} (${bytes.length} bytes): ${(cause as Error).message}`, { typeUrl: any.type_url, cause });
  }
}

/**
 * Checks a plain object against the message of `typeUrl` without encoding it. Returns the
 * problems found (empty when the object is valid).
 */
export function checkResource(typeUrl: string, object: object, protos: XdsProtos = loadXdsProtos()): readonly FieldProblem[] {
  const problems: FieldProblem[] = [];
  canonicalMessage(typeFor(typeUrl, protos), object, '', problems);
  return problems;
}

function checkedCanonical(type: protobuf.Type, fields: Record<string, unknown>, typeUrl: string): Record<string, unknown> {
  const problems: FieldProblem[] = [];
  const canonical = canonicalMessage(type, fields, '', problems);
  if (problems.length > 0) {
    const name = resourceLabel(fields);
    const list = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    throw new XdsError('INVALID_RESOURCE', `invalid ${type.name}${name}: ${list}`, { typeUrl, path: problems[0]!.path, problems });
  }
  return canonical;
}

function typeFor(typeUrl: string, protos: XdsProtos): protobuf.Type {
  if (typeof typeUrl !== 'string' || !typeUrl.includes('/')) {
    throw new XdsError('UNKNOWN_TYPE', `not a type URL: ${String(typeUrl)} (expected type.googleapis.com/<message>)`, { typeUrl });
  }
  return protos.type(messageNameOf(typeUrl));
}

function resourceLabel(fields: Record<string, unknown>): string {
  const name = fields['name'] ?? fields['cluster_name'];
  return typeof name === 'string' ? ` "${name}"` : '';
}
