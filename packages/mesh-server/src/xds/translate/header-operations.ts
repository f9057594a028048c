// Istio `headers` (request/response set/add/remove) → Envoy header mutations on a route or a weighted
// cluster. `set` overwrites, `add` appends; keys sorted within each list as istiod sorts them;
// pseudo-headers and Host are not mutable — an :authority/host value becomes a host rewrite instead.

import type { HeaderOperations, Headers } from '../../config/istio-types';
import type { EnvoyObject } from './envoy-names';

/** Envoy header mutations for one `headers` block, with the authority rewrite it implies. */
export interface HeaderMutations {
  readonly request_headers_to_add?: EnvoyObject[];
  readonly request_headers_to_remove?: string[];
  readonly response_headers_to_add?: EnvoyObject[];
  readonly response_headers_to_remove?: string[];
  /** Value of a request set/add of `:authority` or `host` ("set" wins). */
  readonly authority?: string;
}

function isInternal(key: string): boolean {
  return key.startsWith(':') || key.toLowerCase() === 'host';
}

function isAuthority(key: string): boolean {
  const k = key.toLowerCase();
  return k === ':authority' || k === 'host';
}

function valueOptions(headers: Readonly<Record<string, string>> | undefined, action: string): EnvoyObject[] {
  return Object.keys(headers ?? {})
    .filter((key) => !isInternal(key))
    .sort()
    .map((key) => ({ header: { key, value: headers![key] }, append_action: action }));
}

function authorityOf(headers: Readonly<Record<string, string>> | undefined): string | undefined {
  let found: string | undefined;
  for (const [key, value] of Object.entries(headers ?? {})) if (isAuthority(key)) found = value;
  return found;
}

function adds(ops: HeaderOperations | undefined): EnvoyObject[] {
  return [...valueOptions(ops?.set, 'OVERWRITE_IF_EXISTS_OR_ADD'), ...valueOptions(ops?.add, 'APPEND_IF_EXISTS_OR_ADD')];
}

function removes(ops: HeaderOperations | undefined): string[] {
  return (ops?.remove ?? []).filter((key) => !isInternal(key));
}

/** Translates one Istio `headers` block; empty lists are omitted. */
export function headerMutations(headers: Headers | undefined): HeaderMutations {
  if (!headers) return {};
  const requestAdd = adds(headers.request);
  const requestRemove = removes(headers.request);
  const responseAdd = adds(headers.response);
  const responseRemove = removes(headers.response);
  const authority = authorityOf(headers.request?.set) ?? authorityOf(headers.request?.add);
  return {
    ...(requestAdd.length > 0 ? { request_headers_to_add: requestAdd } : {}),
    ...(requestRemove.length > 0 ? { request_headers_to_remove: requestRemove } : {}),
    ...(responseAdd.length > 0 ? { response_headers_to_add: responseAdd } : {}),
    ...(responseRemove.length > 0 ? { response_headers_to_remove: responseRemove } : {}),
    ...(authority !== undefined ? { authority } : {}),
  };
}

/** Appends the mutation lists of `extra` to those of `base` (route-level then destination-level). */
export function appendMutations(base: HeaderMutations, extra: HeaderMutations): HeaderMutations {
  const join = <T>(a: T[] | undefined, b: T[] | undefined): T[] | undefined => (a || b ? [...(a ?? []), ...(b ?? [])] : undefined);
  const out: Record<string, unknown> = {};
  const fields = ['request_headers_to_add', 'request_headers_to_remove', 'response_headers_to_add', 'response_headers_to_remove'] as const;
  for (const f of fields) {
    const joined = join<unknown>(base[f] as unknown[] | undefined, extra[f] as unknown[] | undefined);
    if (joined) out[f] = joined;
  }
  const authority = base.authority ?? extra.authority;
  if (authority !== undefined) out.authority = authority;
  return out as HeaderMutations;
}

/** The Envoy fields of the mutations (without the authority, which belongs to the route action). */
export function mutationFields(m: HeaderMutations): EnvoyObject {
  const { authority: _authority, ...fields } = m;
  return fields as EnvoyObject;
}
