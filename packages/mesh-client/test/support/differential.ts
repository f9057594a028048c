// Test support for the differential routing test (differential-routing.test.ts): gRPC backends that
// answer with their name for every method of a small gRPC API, the Istio objects that register them,
// fast-check generators of VirtualService rules and requests, and the outcome comparison.

import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';

/** Namespace, port and hosts of the differential mesh. */
export const PORT = 7070;
/** The service every generated VirtualService routes for (subsets v1, v2, v3). */
export const MAIN_HOST = 'diff.default.svc.cluster.local';
/** A second service, routed to without a subset. */
export const OTHER_HOST = 'other.default.svc.cluster.local';
/** The service only the sync probe route reaches. */
export const PROBE_HOST = 'probe.default.svc.cluster.local';
/** Metadata header of the sync probe (never sent by generated requests). */
export const PROBE_HEADER = 'x-probe';

/** The gRPC API every backend serves: service → methods. */
const API: Readonly<Record<string, readonly string[]>> = {
  'shop.Cart': ['Get', 'Add'],
  'shop.Catalog': ['Get', 'List'],
  'admin.Users': ['Get'],
};
/** Every method path of the API, `/package.Service/Method`. */
export const METHOD_PATHS: readonly string[] = Object.entries(API).flatMap(([service, methods]) => methods.map((m) => `/${service}/${m}`));
/** Case variants of API paths that requests also use (the backends serve them too), for ignoreUriCase. */
export const CASE_VARIANT_PATHS: readonly string[] = ['/shop.cart/get', '/SHOP.Cart/Add', '/admin.Users/GET'];

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const parse = (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown;

/** A backend: its name (v1, v2, v3 of MAIN_HOST, `other`, `probe`), its Service and labels. */
export interface BackendSpec {
  readonly name: string;
  readonly app: string;
  readonly version: string;
}

/** The backends of the differential mesh. */
export const BACKENDS: readonly BackendSpec[] = [
  { name: 'v1', app: 'diff', version: 'v1' },
  { name: 'v2', app: 'diff', version: 'v2' },
  { name: 'v3', app: 'diff', version: 'v3' },
  { name: 'other', app: 'other', version: 'v1' },
  { name: 'probe', app: 'probe', version: 'v1' },
];

/** The Envoy cluster (Istio naming) whose only endpoints are backend `name`'s. */
export function clusterOfBackend(name: string): string {
  if (name === 'other') return `outbound|${PORT}||${OTHER_HOST}`;
  if (name === 'probe') return `outbound|${PORT}||${PROBE_HOST}`;
  return `outbound|${PORT}|${name}|${MAIN_HOST}`;
}

/** A running backend. */
export interface RunningBackend extends BackendSpec {
  readonly port: number;
  readonly server: grpc.Server;
}

/** Starts a grpc-js server on 127.0.0.1:0 answering `{ backend: name }` on every method of the API. */
export async function startGrpcBackend(spec: BackendSpec): Promise<RunningBackend> {
  const server = new grpc.Server();
  const paths = [...METHOD_PATHS, ...CASE_VARIANT_PATHS];
  const definition: grpc.ServiceDefinition = Object.fromEntries(paths.map((path) => [path, {
    path, requestStream: false, responseStream: false,
    requestSerialize: json, requestDeserialize: parse, responseSerialize: json, responseDeserialize: parse,
  }]));
  const answer = (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, { backend: spec.name });
  server.addService(definition, Object.fromEntries(paths.map((path) => [path, answer])));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { ...spec, port, server };
}

/** The Services, WorkloadEntries and DestinationRule of the differential mesh. */
export function meshObjects(backends: readonly RunningBackend[]): object[] {
  const meta = (name: string) => ({ name, namespace: 'default' });
  const service = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: meta(name), spec: { selector: { app: name }, ports: [{ name: 'grpc', port: PORT }] } });
  return [
    service('diff'), service('other'), service('probe'),
    ...backends.map((b) => ({
      apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: meta(`diff-backend-${b.name}`),
      spec: { address: '127.0.0.1', labels: { app: b.app, version: b.version }, ports: { grpc: b.port } },
    })),
    {
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta('diff'),
      spec: { host: MAIN_HOST, subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })) },
    },
  ];
}

// ---- generated configurations ------------------------------------------------------------------

/** An Istio StringMatch as the generators produce it (`{}` = present). */
export type StringMatch = { exact: string } | { prefix: string } | { regex: string } | Record<string, never>;
/** One generated HTTPMatchRequest. */
export interface MatchRequest {
  uri?: { exact: string } | { prefix: string } | { regex: string };
  ignoreUriCase?: boolean;
  headers?: Record<string, StringMatch>;
  withoutHeaders?: Record<string, StringMatch>;
}
/** One generated HTTPRoute. */
export interface HttpRule {
  match?: MatchRequest[];
  route: { destination: { host: string; subset?: string; port: { number: number } }; weight?: number }[];
}
/** One generated request: a gRPC method path and metadata (a list = the key repeated). */
export interface DiffRequest {
  readonly path: string;
  readonly metadata: Readonly<Record<string, string | readonly string[]>>;
}

const HEADER_NAMES = ['x-user', 'x-tier'] as const;
const HEADER_VALUES = ['jason', 'json', 'admin', 'Jason', 'ad', 'gold'] as const;
const HEADER_REGEXES = ['ja.*', 'admin|json', '[a-z]+', 'J.*', 'g(o)+ld', '.*'] as const;
const URI_PREFIXES = ['/', '/shop.', '/shop.Cart/', '/shop.Cart', '/admin.', '/SHOP.', '/shop.Catalog/L'] as const;
const URI_REGEXES = ['/shop\\.[A-Z][a-z]+/Get', '.*/List', '/admin\\..*', '/(shop|admin)\\.(Cart|Users)/.*', '/shop\\.cart/get'] as const;

const stringMatch: fc.Arbitrary<StringMatch> = fc.oneof(
  fc.constantFrom(...HEADER_VALUES, 'jason,admin').map((exact) => ({ exact })),
  fc.constantFrom('ja', 'ad', 'J', 'go').map((prefix) => ({ prefix })),
  fc.constantFrom(...HEADER_REGEXES).map((regex) => ({ regex })),
  fc.constant({} as Record<string, never>),
);

const headerMap = fc.dictionary(fc.constantFrom(...HEADER_NAMES), stringMatch, { minKeys: 1, maxKeys: 2 });

const uriMatch = fc.oneof(
  fc.constantFrom(...METHOD_PATHS, '/shop.cart/get', '/SHOP.CART/ADD').map((exact) => ({ exact })),
  fc.constantFrom(...URI_PREFIXES).map((prefix) => ({ prefix })),
  fc.constantFrom(...URI_REGEXES).map((regex) => ({ regex })),
);

/** `arbitrary` in `weight` of `outOf` cases, else undefined. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, weight: number, outOf: number) =>
  fc.oneof({ weight, arbitrary }, { weight: outOf - weight, arbitrary: fc.constant(undefined) });

const matchRequest: fc.Arbitrary<MatchRequest> = fc
  .tuple(sometimes(uriMatch, 2, 3), sometimes(fc.constant(true), 1, 4), sometimes(headerMap, 1, 2), sometimes(headerMap, 1, 4))
  .map(([uri, ignoreUriCase, headers, withoutHeaders]) => ({
    ...(uri ? { uri } : {}), ...(ignoreUriCase ? { ignoreUriCase } : {}), ...(headers ? { headers } : {}), ...(withoutHeaders ? { withoutHeaders } : {}),
  }));

type Dest = { host: string; subset?: string };
const DESTINATIONS: readonly Dest[] = [
  { host: MAIN_HOST, subset: 'v1' }, { host: MAIN_HOST, subset: 'v2' }, { host: MAIN_HOST, subset: 'v3' }, { host: OTHER_HOST },
];
const destination = (d: Dest, weight?: number) => ({ destination: { host: d.host, ...(d.subset ? { subset: d.subset } : {}), port: { number: PORT } }, ...(weight !== undefined ? { weight } : {}) });

const routeAction = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...DESTINATIONS).map((d) => [destination(d)]) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.shuffledSubarray([...DESTINATIONS], { minLength: 2, maxLength: 2 }), fc.constantFrom([50, 50], [80, 20], [30, 70], [100, 0]))
      .map(([ds, ws]) => ds.map((d, i) => destination(d, ws[i]))),
  },
);

/** HTTP rules of a VirtualService: 1–4 rules, each with 0–2 match requests (OR) and an action. */
export const httpRules: fc.Arbitrary<HttpRule[]> = fc.array(
  fc.record({ match: fc.array(matchRequest, { minLength: 1, maxLength: 2 }), route: routeAction }, { requiredKeys: ['route'] }),
  { minLength: 1, maxLength: 4 },
);

/**
 * `count` requests: a method path (sometimes case-changed) and 0–2 metadata keys, sometimes repeated
 * (both sides match repeated values joined with ",", as Envoy does).
 */
export const diffRequests = (count: number): fc.Arbitrary<DiffRequest[]> => fc.array(
  fc.record({
    path: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...METHOD_PATHS) }, { weight: 1, arbitrary: fc.constantFrom(...CASE_VARIANT_PATHS) }),
    metadata: fc.dictionary(fc.constantFrom(...HEADER_NAMES), fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...HEADER_VALUES) },
      { weight: 1, arbitrary: fc.array(fc.constantFrom(...HEADER_VALUES), { minLength: 2, maxLength: 2 }) },
    ), { maxKeys: 2 }),
  }),
  { minLength: count, maxLength: count },
);

// ---- outcomes ----------------------------------------------------------------------------------

/** Counts of outcomes (cluster name, `NR`, or a failure description) over repeated picks. */
export type Distribution = Readonly<Record<string, number>>;

/** Counts the outcomes. */
export function distributionOf(outcomes: readonly string[]): Distribution {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
  return counts;
}

/**
 * Why two distributions over the same number of picks differ (undefined when they agree): the sets
 * of outcomes must be equal, and each outcome's shares within `sigmas` standard errors of the
 * two-proportion difference (pooled).
 */
export function distributionMismatch(a: Distribution, b: Distribution, sigmas = 5): string | undefined {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const na = Object.values(a).reduce((s, x) => s + x, 0);
  const nb = Object.values(b).reduce((s, x) => s + x, 0);
  for (const key of keys) {
    const ca = a[key] ?? 0;
    const cb = b[key] ?? 0;
    if (ca === 0 || cb === 0) return `${key} only on one side`;
    const pooled = (ca + cb) / (na + nb);
    const se = Math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb));
    const diff = Math.abs(ca / na - cb / nb);
    if (diff > sigmas * se + 1e-12) return `${key}: share ${ca}/${na} vs ${cb}/${nb} differs by more than ${sigmas}σ`;
  }
  return undefined;
}

// ---- known grpc-js-xds deviations --------------------------------------------------------------

/**
 * grpc-js-xds 1.14 ignores HeaderMatcher.treat_missing_header_as_empty (its HeaderMatcher fails any
 * matcher on an absent header, then applies invert_match). Istio sets that flag on every
 * `withoutHeaders` value match, so Envoy (and the mesh-client) test an absent header as "" — a
 * withoutHeaders regex that matches "" (e.g. `.*`) then does NOT match, while grpc-js-xds matches.
 * Returns why `request` under `rules` meets this deviation, or undefined.
 */
export function grpcXdsMissingHeaderDeviation(rules: readonly HttpRule[], request: DiffRequest): string | undefined {
  for (const rule of rules) {
    for (const match of rule.match ?? []) {
      for (const [name, sm] of Object.entries(match.withoutHeaders ?? {})) {
        if (request.metadata[name] !== undefined || !('regex' in sm)) continue;
        if (new RegExp(`^(?:${sm.regex})$`).test('')) return `withoutHeaders ${name} regex "${sm.regex}" matches "" and the request has no ${name}`;
      }
    }
  }
  return undefined;
}
