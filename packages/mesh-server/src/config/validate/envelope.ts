// The Kubernetes envelope of a document: apiVersion and kind (supported, wrong version, or a
// kind Inboard does not store), metadata (name, namespace, labels, annotations) and the top-level
// fields. Read-only fields a `kubectl get -o yaml` round trip produces are accepted and dropped.

import { KINDS, type KindInfo, type ObjectMeta } from '../resource';
import { labelMap } from './common';
import { KIND_RULES } from './kinds';
import { dns1123LabelError, labelKeyError } from './names';
import { at, type Ctx, has, isRecord, item, mapOf, rec, type Schema, show, str, string } from './schema';

/** Top-level fields of a document, besides `status`, which is accepted and ignored. */
const TOP_LEVEL = ['apiVersion', 'kind', 'metadata', 'spec'];
/** Server-set metadata that a `kubectl get -o yaml` round trip carries: accepted, ignored. */
const READ_ONLY_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];
const METADATA = ['name', 'namespace', 'labels', 'annotations'];
const OWN_GROUPS = new Set(KINDS.map((k) => k.group));
const DRY_RUN_ANNOTATION = 'istio.io/dry-run';

/** What the envelope says about a document. */
export type Envelope =
  | { readonly type: 'invalid' } // errors were reported
  | { readonly type: 'unsupported'; readonly apiVersion: string; readonly kind: string; readonly name: string; readonly namespace: string }
  | { readonly type: 'supported'; readonly info: KindInfo; readonly apiVersion: string; readonly metadata: ObjectMeta | undefined; readonly spec: unknown };

/** The kinds Inboard stores, as the unsupported-kind message lists them. */
export function storedKindsText(): string {
  const byGroup = new Map<string, string[]>();
  for (const k of KINDS) byGroup.set(k.group, [...(byGroup.get(k.group) ?? []), k.kind]);
  return [...byGroup].map(([group, kinds]) => `${kinds.join(', ')} (${group === '' ? 'v1' : group})`).join('; ');
}

/** Checks everything but the spec; `label` receives "Kind namespace/name" as soon as it is known. */
export function checkEnvelope(doc: unknown, ctx: Ctx, label: (text: string) => void): Envelope {
  if (!isRecord(doc)) {
    ctx.error('', `a document must be a mapping with apiVersion, kind, metadata and spec, got ${show(doc)}`);
    return { type: 'invalid' };
  }
  const kind = str(doc.kind);
  const apiVersion = str(doc.apiVersion);
  if (kind === undefined || kind === '') ctx.error('kind', has(doc, 'kind') ? `must be a string, got ${show(doc.kind)}` : 'is required');
  if (apiVersion === undefined || apiVersion === '') ctx.error('apiVersion', has(doc, 'apiVersion') ? `must be a string, got ${show(doc.apiVersion)}` : 'is required');
  const meta = rec(doc.metadata);
  const name = str(meta?.name) ?? '';
  const namespace = str(meta?.namespace) ?? 'default';
  if (kind) label(`${kind} ${namespace}/${name || '<unnamed>'}`);
  if (!kind || !apiVersion) return { type: 'invalid' };

  const info = KINDS.find((k) => k.kind === kind);
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  const version = apiVersion.slice(apiVersion.lastIndexOf('/') + 1);
  if (!info) {
    if (kind === 'List') {
      ctx.error('kind', 'a List must be expanded into its items before validation (inboard apply does this)');
      return { type: 'invalid' };
    }
    const near = KINDS.find((k) => k.kind.toLowerCase() === kind.toLowerCase());
    if (near) {
      ctx.error('kind', `unknown kind ${JSON.stringify(kind)}; kinds are case-sensitive: did you mean ${near.kind}?`);
      return { type: 'invalid' };
    }
    return { type: 'unsupported', apiVersion, kind, name, namespace };
  }
  if (group !== info.group) {
    if (!OWN_GROUPS.has(group)) return { type: 'unsupported', apiVersion, kind, name, namespace };
    ctx.error('apiVersion', `${kind} belongs to ${servedVersions(info)}, not ${apiVersion}`);
    return { type: 'invalid' };
  }
  if (!info.versions.includes(version)) {
    ctx.error('apiVersion', `${apiVersion} is not a served version of ${kind}; use ${servedVersions(info)}`);
    return { type: 'invalid' };
  }

  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL.includes(key) && key !== 'status') ctx.error(key, `unknown top-level field ${JSON.stringify(key)}; allowed: ${TOP_LEVEL.join(', ')} (and status, which is ignored)`);
  }
  const metadata = checkMetadata(doc.metadata, info, ctx);
  if (has(doc, 'spec') && !isRecord(doc.spec)) {
    ctx.error('spec', `must be a mapping, got ${show(doc.spec)}`);
    return { type: 'invalid' };
  }
  return { type: 'supported', info, apiVersion, metadata, spec: rec(doc.spec) ?? {} };
}

function servedVersions(info: KindInfo): string {
  return info.versions.map((v, i) => (i === 0 ? (info.group ? `${info.group}/${v}` : v) : v)).join(', ');
}

const annotations: Schema = mapOf(string(), {
  key(k, p, ctx) {
    const error = labelKeyError(k);
    if (error) ctx.error(p, error.replace('label key', 'annotation key'));
  },
});

function checkMetadata(value: unknown, info: KindInfo, ctx: Ctx): ObjectMeta | undefined {
  if (!isRecord(value)) {
    ctx.error('metadata', value === undefined || value === null ? 'is required (with at least a name)' : `must be a mapping, got ${show(value)}`);
    return undefined;
  }
  let ok = true;
  const fail = (path: string, message: string) => {
    ok = false;
    ctx.error(path, message);
  };
  const failing: Ctx = { namespace: ctx.namespace, error: fail, warn: (p, m, c) => ctx.warn(p, m, c) };
  for (const key of Object.keys(value)) {
    if (METADATA.includes(key) || READ_ONLY_METADATA.includes(key)) continue;
    const hint = key === 'generateName' ? '; generated names are not supported, set metadata.name' : '';
    fail(at('metadata', key), `unknown metadata field ${JSON.stringify(key)}${hint}; allowed: ${METADATA.join(', ')} (and the read-only ${READ_ONLY_METADATA.join(', ')}, which are ignored)`);
  }
  const name = value.name;
  if (typeof name !== 'string' || name === '') fail('metadata.name', name === undefined || name === null || name === '' ? 'is required' : `must be a string, got ${show(name)}`);
  else {
    const error = KIND_RULES[info.kind].name(name);
    if (error) fail('metadata.name', error);
  }
  const namespace = value.namespace ?? 'default';
  if (typeof namespace !== 'string') fail('metadata.namespace', `must be a string, got ${show(namespace)}`);
  else {
    const error = dns1123LabelError(namespace);
    if (error) fail('metadata.namespace', error);
  }
  if (has(value, 'labels')) labelMap().check(value.labels, 'metadata.labels', failing);
  if (has(value, 'annotations')) {
    annotations.check(value.annotations, 'metadata.annotations', failing);
    if (rec(value.annotations)?.[DRY_RUN_ANNOTATION] !== undefined) {
      fail(item('metadata.annotations', DRY_RUN_ANNOTATION), 'dry-run policies are not supported by Inboard; remove the annotation');
    }
  }
  if (!ok) return undefined;
  return {
    name: name as string,
    namespace: namespace as string,
    ...(has(value, 'labels') ? { labels: value.labels as Record<string, string> } : {}),
    ...(has(value, 'annotations') ? { annotations: value.annotations as Record<string, string> } : {}),
  };
}
