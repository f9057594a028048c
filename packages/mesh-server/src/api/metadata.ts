// Server-managed metadata: fields a client may send back (from a GET) but never sets itself.
// They are removed before validation; `resourceVersion` is kept aside as the compare-and-swap guard.

/** Metadata fields the store owns; a client's values are ignored (resourceVersion becomes the CAS guard). */
export const SERVER_MANAGED_METADATA = ['resourceVersion', 'creationTimestamp', 'generation', 'uid', 'managedFields', 'selfLink'] as const;

/** The object without server-managed metadata, and the resourceVersion it carried (a non-empty string or an integer). */
export function splitServerMetadata(object: unknown): { object: unknown; expectedVersion?: string } {
  if (!isRecord(object) || !isRecord(object.metadata)) return { object };
  const metadata: Record<string, unknown> = { ...object.metadata };
  const raw = metadata.resourceVersion;
  const version = typeof raw === 'number' && Number.isInteger(raw) ? String(raw) : raw;
  for (const field of SERVER_MANAGED_METADATA) delete metadata[field];
  const stripped = { ...object, metadata };
  return typeof version === 'string' && version !== '' ? { object: stripped, expectedVersion: version } : { object: stripped };
}

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
