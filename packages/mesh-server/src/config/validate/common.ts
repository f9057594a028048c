// Field schemas several kinds share: label maps and workload selectors, exportTo, host lists,
// port numbers, string matches, destinations and header operations.

import { headerValueError, plainHeaderNameError, regexError, requestSetHeaderNameError } from './http-rules';
import { dns1123LabelError, ipOrCidrError, labelKeyError, labelValueError, portError, wildcardDomainError } from './names';
import { at, type Ctx, has, listOf, mapOf, object, rec, type Schema, show, str, string, uint32 } from './schema';

/** A port number 1..65535. */
export const port = (): Schema => uint32((value, path, ctx) => {
  const error = portError(value);
  if (error) ctx.error(path, error);
});

/** A map of Kubernetes labels (key and value syntax checked). */
export const labelMap = (): Schema => mapOf(string({ check: (v, p, ctx) => report(ctx, p, labelValueError(v)) }), {
  key: (k, p, ctx) => report(ctx, p, labelKeyError(k)),
});

/** Labels used to select workloads: no empty keys and no '*' anywhere (Istio's selector rules). */
export const selectorLabels = (): Schema => mapOf(
  string({
    maxLength: 63,
    check: (v, p, ctx) => (v.includes('*') ? ctx.error(p, `wildcard ${show(v)} is not supported in a selector`) : report(ctx, p, labelValueError(v))),
  }),
  {
    key: (k, p, ctx) => (k.includes('*') ? ctx.error(p, 'wildcard is not supported in a selector key') : report(ctx, p, labelKeyError(k))),
    check: (labels, p, ctx) => {
      if (Object.keys(labels).length === 0) ctx.warn(p, 'selector has no labels, so it selects every workload in the namespace');
    },
  },
);

/** `{ matchLabels }` of security policies and DestinationRule.workloadSelector. */
export const workloadSelector = (): Schema => object({ matchLabels: selectorLabels() }, {
  check: (sel, p, ctx) => {
    if (!has(sel, 'matchLabels')) ctx.warn(p, 'selector has no labels, so it selects every workload in the namespace');
  },
});

/** A host that may be wildcarded only as a leading `*` (Istio's ValidateWildcardDomain). */
export const wildcardHost = (options: { allowStar?: boolean } = {}): Schema => string({
  check: (host, p, ctx) => {
    if (host === '*' && !options.allowStar) return ctx.error(p, '"*" is not allowed here; name a host');
    report(ctx, p, wildcardDomainError(host));
  },
});

/**
 * `exportTo`: "." (this namespace), "*" (all), or namespace names; no duplicates, "*" alone.
 * "~" (export to no one) is only meaningful for ServiceEntry.
 */
export const exportTo = (options: { allowNone: boolean }): Schema => listOf(
  string({
    check: (v, p, ctx) => {
      if (v === '.' || v === '*' || (v === '~' && options.allowNone)) return;
      report(ctx, p, dns1123LabelError(v) && `${show(v)} is not ".", "*"${options.allowNone ? ', "~"' : ''} or a namespace name`);
    },
  }),
  {
    check: (values, p, ctx) => {
      const seen = new Map<string, string>(); // namespace → entry that named it
      for (const v of values) {
        const key = v === '.' ? ctx.namespace : str(v);
        if (key === undefined) continue;
        const first = seen.get(key);
        if (first === undefined) seen.set(key, v as string);
        else ctx.error(p, first !== v ? `duplicate entry: "." and "${ctx.namespace}" name the same namespace` : `duplicate entry ${show(v)}`);
      }
      if (values.length > 1 && values.includes('*')) ctx.error(p, '"*" (all namespaces) cannot be combined with other entries');
      if (values.length > 1 && values.includes('~')) ctx.error(p, '"~" (no namespace) cannot be combined with other entries');
    },
  },
);

/** A subset name: a DNS-1123 label. */
export const subsetName = (): Schema => string({ check: (v, p, ctx) => report(ctx, p, dns1123LabelError(v) && `subset name ${dns1123LabelError(v)}`) });

/** `{ number }` selecting a port of a destination. */
export const portSelector = (): Schema => object({ number: port() }, { required: ['number'] });

/** A routing destination: `host` (not "*"), optional `subset` and `port`. */
export const destination = (): Schema => object(
  { host: wildcardHost(), subset: subsetName(), port: portSelector() },
  { required: ['host'] },
);

/**
 * A StringMatch `{exact | prefix | regex}`. `presenceAllowed`: `{}` means "present" (headers and
 * query parameters); otherwise exactly one kind must be given. `emptyPrefixAllowed`: only `uri`.
 */
export const stringMatch = (options: { presenceAllowed?: boolean; emptyPrefixAllowed?: boolean; starIsPresence?: boolean } = {}): Schema => object(
  { exact: string(), prefix: string(), regex: string() },
  {
    exclusive: [['exact', 'prefix', 'regex']],
    check: (m, p, ctx) => {
      const kinds = ['exact', 'prefix', 'regex'].filter((k) => has(m, k));
      if (kinds.length === 0 && !options.presenceAllowed) ctx.error(p, 'must set exactly one of exact, prefix, regex');
      if (m.prefix === '' && !options.emptyPrefixAllowed) ctx.error(at(p, 'prefix'), 'prefix must not be empty');
      const regex = str(m.regex);
      if (regex !== undefined && !(options.starIsPresence && regex === '*')) report(ctx, at(p, 'regex'), regexError(regex));
    },
  },
);

const headerValues = (nameRule: (name: string) => string | undefined): Schema => mapOf(
  string({ check: (v, p, ctx) => report(ctx, p, headerValueError(v)) }),
  { key: (k, p, ctx) => report(ctx, p, nameRule(k)) },
);

/** `{ request, response }` header manipulation with Istio's rules on which names may be touched. */
export const headerOperations = (): Schema => object({
  request: object({
    set: headerValues(requestSetHeaderNameError),
    add: headerValues(requestSetHeaderNameError),
    remove: listOf(string({ check: (v, p, ctx) => report(ctx, p, plainHeaderNameError(v)) })),
  }),
  response: object({
    set: headerValues(plainHeaderNameError),
    add: headerValues(plainHeaderNameError),
    remove: listOf(string({ check: (v, p, ctx) => report(ctx, p, plainHeaderNameError(v)) })),
  }),
});

/** A Percent `{ value }`: 0, or 0.0001..100 (Istio's validatePercentage). */
export const percent = (): Schema => object({
  value: {
    expected: 'a number',
    check(value, p, ctx) {
      if (typeof value !== 'number' || !Number.isFinite(value)) return ctx.error(p, `must be a number, got ${show(value)}`);
      if (value < 0 || value > 100 || (value > 0 && value < 0.0001)) ctx.error(p, `${value} is neither 0 nor in [0.0001, 100]`);
    },
  },
});

/** Reports `message` at `path` when it is defined. */
export function report(ctx: Ctx, path: string, message: string | undefined): void {
  if (message !== undefined) ctx.error(path, message);
}

/** The fields of a mapping value that are set, for "at least one of" rules. */
export function setFields(value: unknown, fields: readonly string[]): string[] {
  const obj = rec(value);
  return fields.filter((f) => has(obj, f));
}

/** An IP address or CIDR block. */
export const ipCidrString = (): Schema => string({ check: (v, p, ctx) => report(ctx, p, ipOrCidrError(v)) });
