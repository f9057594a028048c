// The google/protobuf files the Envoy protos import but @grpc/grpc-js-xds does not ship, added to
// a Root from protobufjs' bundled JSON: descriptor.proto (the annotations extend its options) and
// struct.proto with Value's proto field names (string_value; protobufjs bundles stringValue).

import * as protobuf from 'protobufjs';

const DESCRIPTOR_FILE = 'google/protobuf/descriptor.proto';
const STRUCT_FILE = 'google/protobuf/struct.proto';

/** The canonical file name for an import of a well-known file this module provides, else undefined. */
export function wellKnownFile(target: string): string | undefined {
  for (const file of [DESCRIPTOR_FILE, STRUCT_FILE]) if (target.endsWith(file)) return file;
  return undefined;
}

/** Adds descriptor.proto and a snake_case struct.proto to `root` and marks both files as loaded. */
export function addWellKnownTypes(root: protobuf.Root): void {
  const descriptor = require('protobufjs/google/protobuf/descriptor.json') as protobuf.INamespace & { nested: protobuf.AnyNestedObject };
  root.addJSON(descriptor.nested);
  root.addJSON(snakeCaseStruct().nested!);
  root.files.push(DESCRIPTOR_FILE, STRUCT_FILE);
}

function snakeCaseStruct(): protobuf.INamespace {
  const bundled = protobuf.common.get(STRUCT_FILE);
  if (!bundled) throw new Error(`protobufjs does not bundle ${STRUCT_FILE}`);
  const json = JSON.parse(JSON.stringify(bundled)) as {
    nested: { google: { nested: { protobuf: { nested: Record<string, { fields?: Record<string, unknown>; oneofs?: Record<string, { oneof: string[] }> }> } } } };
  };
  const value = json.nested.google.nested.protobuf.nested['Value']!;
  const fields: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value.fields ?? {})) fields[snake(name)] = field;
  value.fields = fields;
  for (const oneof of Object.values(value.oneofs ?? {})) oneof.oneof = oneof.oneof.map(snake);
  return json as unknown as protobuf.INamespace;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
