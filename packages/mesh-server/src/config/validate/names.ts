// Name, host, address and label rules shared by every kind, written from Kubernetes' and
// Istio's definitions (pkg/config/labels, pkg/config/validation/agent). Each returns an error
// message, or undefined when the value is fine.

import net from 'node:net';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
// Istio's host labels also allow upper case (DNS is case-insensitive).
const HOST_LABEL = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A Kubernetes DNS-1123 label: lower-case alphanumerics and '-', at most 63 characters. */
export function dns1123LabelError(value: string): string | undefined {
  if (value === '') return 'must not be empty';
  if (value.length > 63) return `${JSON.stringify(value)} is longer than 63 characters`;
  if (!DNS1123_LABEL.test(value)) return `${JSON.stringify(value)} is not a valid DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)`;
  return undefined;
}

/** A Kubernetes DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters. */
export function dns1123SubdomainError(value: string): string | undefined {
  if (value === '') return 'must not be empty';
  if (value.length > 253) return `${JSON.stringify(value)} is longer than 253 characters`;
  if (!value.split('.').every((label) => DNS1123_LABEL.test(label))) {
    return `${JSON.stringify(value)} is not a valid DNS-1123 subdomain (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)`;
  }
  return undefined;
}

/** A Kubernetes DNS-1035 label (Service names): like DNS-1123 but starting with a letter. */
export function dns1035LabelError(value: string): string | undefined {
  if (value === '') return 'must not be empty';
  if (value.length > 63) return `${JSON.stringify(value)} is longer than 63 characters`;
  if (!DNS1035_LABEL.test(value)) return `${JSON.stringify(value)} is not a valid DNS-1035 label (lower-case letters, digits and '-', starting with a letter)`;
  return undefined;
}

/** Istio's FQDN rule: dot-separated host labels, top-level label not all digits, ≤ 255 characters. */
export function fqdnError(host: string): string | undefined {
  const pre = hostPreconditions(host);
  if (pre) return pre;
  return labelsError(host, host);
}

/**
 * Istio's `ValidateWildcardDomain`: an FQDN or short name whose first label may be `*`, or start
 * with `*` / `*-` (e.g. `*.example.com`, `*-dev.example.com`). Wildcards anywhere else are errors.
 */
export function wildcardDomainError(host: string): string | undefined {
  const pre = hostPreconditions(host);
  if (pre) return pre;
  const dot = host.indexOf('.');
  const first = dot < 0 ? host : host.slice(0, dot);
  if (first.length > 63 || !WILDCARD_LABEL.test(first)) {
    return first.includes('*')
      ? `host ${JSON.stringify(host)}: a wildcard is only allowed as the leading "*" of the first label (e.g. "*.example.com")`
      : `host ${JSON.stringify(host)} is invalid (label ${JSON.stringify(first)} is not a DNS label)`;
  }
  return dot < 0 ? undefined : labelsError(host, host.slice(dot + 1));
}

function hostPreconditions(host: string): string | undefined {
  if (host === '') return 'host must not be empty';
  if (host.length > 255) return `host ${JSON.stringify(host)} is longer than 255 characters`;
  return undefined;
}

function labelsError(host: string, rest: string): string | undefined {
  const labels = rest.split('.');
  const top = labels[labels.length - 1]!;
  if (/^[0-9]+$/.test(top)) return `host ${JSON.stringify(host)} is invalid (top-level label ${JSON.stringify(top)} is all digits)`;
  for (const [i, label] of labels.entries()) {
    if (i === labels.length - 1 && label === '' && labels.length > 1) return undefined; // trailing dot: "istio.io."
    if (label.includes('*')) return `host ${JSON.stringify(host)}: a wildcard is only allowed as the leading "*" of the first label (e.g. "*.example.com")`;
    if (label.length > 63 || !HOST_LABEL.test(label)) return `host ${JSON.stringify(host)} is invalid (label ${JSON.stringify(label)} is not a DNS label)`;
  }
  return undefined;
}

/** True when the host is an IPv4 or IPv6 address. */
export function isIpAddress(value: string): boolean {
  return net.isIP(value) !== 0;
}

/** An IP address, or a CIDR block "a.b.c.d/n" / "x::/n". */
export function ipOrCidrError(value: string): string | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return isIpAddress(value) ? undefined : `${JSON.stringify(value)} is not a valid IP address`;
  const address = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  const family = net.isIP(address);
  const max = family === 4 ? 32 : 128;
  if (family === 0 || !/^[0-9]{1,3}$/.test(bits) || Number(bits) > max) return `${JSON.stringify(value)} is not a valid CIDR block`;
  return undefined;
}

/** A port number 1..65535. */
export function portError(port: number): string | undefined {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? undefined : `port ${port} must be in 1..65535`;
}

/** A Kubernetes label key: optional DNS-subdomain prefix and '/', then a qualified name ≤ 63. */
export function labelKeyError(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix === '' || prefix.length > 253 || !prefix.split('.').every((l) => HOST_LABEL.test(l)))) {
    return `label key ${JSON.stringify(key)} has an invalid prefix (it must be a DNS subdomain)`;
  }
  if (name === '' || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return `label key ${JSON.stringify(key)} is invalid (alphanumerics, '-', '_' and '.', at most 63, starting and ending with an alphanumeric)`;
  }
  return undefined;
}

/** A Kubernetes label value: empty, or a qualified name of at most 63 characters. */
export function labelValueError(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return `label value ${JSON.stringify(value)} is invalid (alphanumerics, '-', '_' and '.', at most 63, starting and ending with an alphanumeric)`;
  }
  return undefined;
}

/**
 * Do two hosts overlap (Istio's `host.Name.Matches`)? `*` matches everything; `*.a.com` matches
 * `b.a.com` and `*.b.a.com`; two plain hosts only when equal (case-insensitively).
 */
export function hostsOverlap(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y || x === '*' || y === '*') return true;
  const xWild = x.startsWith('*');
  const yWild = y.startsWith('*');
  if (xWild && yWild) return x.slice(1).endsWith(y.slice(1)) || y.slice(1).endsWith(x.slice(1));
  if (xWild) return y.endsWith(x.slice(1));
  if (yWild) return x.endsWith(y.slice(1));
  return false;
}

/** Does `host` fall within `pattern` (pattern may be wildcarded; host may be too, if narrower)? */
export function hostWithin(host: string, pattern: string): boolean {
  const h = host.toLowerCase();
  const p = pattern.toLowerCase();
  if (p === '*' || h === p) return true;
  if (!p.startsWith('*')) return false;
  const suffix = p.slice(1);
  return h.startsWith('*') ? h.slice(1).endsWith(suffix) : h.endsWith(suffix);
}
