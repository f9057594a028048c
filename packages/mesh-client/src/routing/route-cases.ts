// Route-matching cases (data for route-table.test.ts): RouteConfigurations in Envoy's plain-object
// form and requests with the virtual host and route Envoy would pick. Sources: Envoy's
// route_components.proto docs, Istio's VirtualService semantics and istio-bookinfo.md §B.3 / §D.

/** A request and where Envoy routes it: the route name, or null for 404 NR. */
export interface RouteCase {
  readonly name: string;
  readonly request: { readonly authority?: string; readonly path: string; readonly method?: string; readonly scheme?: string; readonly headers?: Record<string, string | string[]>; readonly tls?: { presented: boolean; validated: boolean } };
  /** Expected route name; null = no route (NR). */
  readonly route: string | null;
  /** Expected virtual host name (checked when given). */
  readonly vhost?: string | null;
}

/** A route table and the cases run against it. */
export interface RouteTableCases {
  readonly table: string;
  readonly config: Record<string, unknown>;
  readonly cases: readonly RouteCase[];
}

type Json = Record<string, unknown>;
const route = (name: string, match: Json): Json => ({ name, match, route: { cluster: name } });
const vhost = (name: string, domains: string[], routes: Json[]): Json => ({ name, domains, routes });
const config = (virtual_hosts: Json[], extra: Json = {}): Json => ({ name: 'test', virtual_hosts, ...extra });
const hdr = (name: string, spec: Json = {}): Json => ({ name, ...spec });
const exact = (v: string, ignore_case = false): Json => ({ string_match: { exact: v, ...(ignore_case ? { ignore_case } : {}) } });
const regex = (r: string): Json => ({ string_match: { safe_regex: { regex: r } } });
const get = (path: string, headers: Record<string, string | string[]> = {}, authority = 'svc'): RouteCase['request'] => ({ authority, path, headers });

const BOOKINFO_GATEWAY = config([vhost('bookinfo', ['*'], [{
  name: 'productpage',
  match: { path: '/productpage' },
  route: { cluster: 'outbound|9080||productpage.default.svc.cluster.local' },
}, route('static', { prefix: '/static' }), route('login', { path: '/login' }), route('logout', { path: '/logout' }), route('api', { prefix: '/api/v1/products' })])]);

const REVIEWS = config([vhost('reviews.default.svc.cluster.local:9080', ['reviews.default.svc.cluster.local', 'reviews.default.svc.cluster.local:9080', 'reviews', 'reviews:9080', 'reviews.default', 'reviews.default:9080', '10.0.0.12', '10.0.0.12:9080'], [
  route('jason-v2', { prefix: '/', headers: [hdr('end-user', exact('jason'))] }),
  route('default-v1', { prefix: '/' }),
])]);

const HEADERS = config([vhost('h', ['*'], [
  route('exact', { prefix: '/h/exact', headers: [hdr('x', exact('v1'))] }),
  route('exact-ic', { prefix: '/h/ic', headers: [hdr('x', exact('V1', true))] }),
  route('prefix', { prefix: '/h/prefix', headers: [hdr('x', { string_match: { prefix: 'ab' } })] }),
  route('suffix', { prefix: '/h/suffix', headers: [hdr('x', { string_match: { suffix: 'yz' } })] }),
  route('contains', { prefix: '/h/contains', headers: [hdr('x', { string_match: { contains: 'mid' } })] }),
  route('regex', { prefix: '/h/regex', headers: [hdr('x', regex('\\d{3}'))] }),
  route('regex-ic', { prefix: '/h/rxic', headers: [hdr('end-user', regex('(?i)jason'))] }),
  route('present', { prefix: '/h/present', headers: [hdr('x', { present_match: true })] }),
  route('absent', { prefix: '/h/absent', headers: [hdr('x', { present_match: false })] }),
  route('no-specifier', { prefix: '/h/bare', headers: [hdr('x')] }),
  route('range', { prefix: '/h/range', headers: [hdr('x', { range_match: { start: '-10', end: '0' } })] }),
  route('invert', { prefix: '/h/invert', headers: [hdr('x', { ...exact('v1'), invert_match: true })] }),
  route('without', { prefix: '/h/without', headers: [hdr('x', { ...exact('v1'), invert_match: true, treat_missing_header_as_empty: true })] }),
  route('invert-present', { prefix: '/h/notpresent', headers: [hdr('x', { present_match: true, invert_match: true })] }),
  route('missing-as-empty', { prefix: '/h/empty', headers: [hdr('x', { ...regex('a*'), treat_missing_header_as_empty: true })] }),
  route('legacy-exact', { prefix: '/h/lexact', headers: [hdr('x', { exact_match: 'v1' })] }),
  route('legacy-prefix', { prefix: '/h/lprefix', headers: [hdr('x', { prefix_match: 'ab' })] }),
  route('legacy-suffix', { prefix: '/h/lsuffix', headers: [hdr('x', { suffix_match: 'yz' })] }),
  route('legacy-contains', { prefix: '/h/lcontains', headers: [hdr('x', { contains_match: 'mid' })] }),
  route('legacy-regex', { prefix: '/h/lregex', headers: [hdr('x', { safe_regex_match: { regex: 'a.c' } })] }),
  route('method', { prefix: '/h/method', headers: [hdr(':method', exact('POST'))] }),
  route('authority', { prefix: '/h/authority', headers: [hdr(':authority', exact('api.example.com'))] }),
  route('scheme', { prefix: '/h/scheme', headers: [hdr(':scheme', exact('https'))] }),
  route('host', { prefix: '/h/host', headers: [hdr('host', exact('svc'))] }),
  route('and', { prefix: '/h/and', headers: [hdr('a', exact('1')), hdr('b', exact('2'))] }),
  route('multi', { prefix: '/h/multi', headers: [hdr('x', exact('a,b'))] }),
  route('exact-empty', { prefix: '/h/exactempty', headers: [hdr('x', exact(''))] }),
  route('upper-name', { prefix: '/h/upper', headers: [hdr('End-User', exact('jason'))] }),
  route('fallback', { prefix: '/' }),
])]);

const QUERY = config([vhost('q', ['*'], [
  route('q-exact', { prefix: '/q/exact', query_parameters: [{ name: 'u', string_match: { exact: 'normal' } }] }),
  route('q-present', { prefix: '/q/present', query_parameters: [{ name: 'debug', present_match: true }] }),
  route('q-regex', { prefix: '/q/regex', query_parameters: [{ name: 'id', string_match: { safe_regex: { regex: '\\d+' } } }] }),
  route('q-ic', { prefix: '/q/ic', query_parameters: [{ name: 'u', string_match: { exact: 'Normal', ignore_case: true } }] }),
  route('q-first', { prefix: '/q/first', query_parameters: [{ name: 'x', string_match: { exact: 'a' } }] }),
  route('q-raw', { prefix: '/q/raw', query_parameters: [{ name: 'x', string_match: { exact: 'a b' } }] }),
  route('q-flag', { prefix: '/q/flag', query_parameters: [{ name: 'flag', string_match: { exact: '' } }] }),
  route('q-two', { prefix: '/q/two', query_parameters: [{ name: 'a', present_match: true }, { name: 'b', present_match: true }] }),
  route('q-name-case', { prefix: '/q/name', query_parameters: [{ name: 'User', present_match: true }] }),
  route('fallback', { prefix: '/' }),
])]);

const PATHS = config([vhost('p', ['*'], [
  route('exact', { path: '/exact' }),
  route('exact-slash', { path: '/slash/' }),
  route('exact-ci', { path: '/ExactCI', case_sensitive: false }),
  route('prefix-ci', { prefix: '/CI/', case_sensitive: false }),
  route('regex', { safe_regex: { regex: '/api/v[0-9]+/.*' } }),
  route('regex-short', { safe_regex: { regex: '/rx' } }),
  route('regex-ci-flag', { safe_regex: { regex: '(?i)/upper' }, case_sensitive: true }),
  route('separated', { path_separated_prefix: '/api/dev' }),
  route('separated-ci', { path_separated_prefix: '/Sep', case_sensitive: false }),
  route('query-prefix', { prefix: '/search?q=' }),
  route('empty-prefix-first', { prefix: '/first' }),
  route('more-specific-later', { path: '/first/exact' }),
  route('grpc', { prefix: '/grpc.', grpc: {} }),
  route('tls-none', { prefix: '/tls/plain', tls_context: { presented: { value: false } } }),
  route('tls-cert', { prefix: '/tls/cert', tls_context: { presented: { value: true } } }),
  route('connect', { connect_matcher: {} }),
])]);

const DOMAINS = config([
  vhost('exact', ['www.foo.com'], [route('exact', { prefix: '/' })]),
  vhost('exact-port', ['www.foo.com:8080'], [route('exact-port', { prefix: '/' })]),
  vhost('suffix', ['*.foo.com'], [route('suffix', { prefix: '/' })]),
  vhost('suffix-long', ['*-bar.foo.com'], [route('suffix-long', { prefix: '/' })]),
  vhost('prefix', ['foo.*'], [route('prefix', { prefix: '/' })]),
  vhost('prefix-long', ['foo.bar.*'], [route('prefix-long', { prefix: '/' })]),
  vhost('upper', ['API.Example.COM'], [route('upper', { prefix: '/' })]),
  vhost('any', ['*'], [route('any', { prefix: '/' })]),
]);

const NO_WILDCARD = config([vhost('reviews', ['reviews', 'reviews.default.svc.cluster.local'], [route('r', { prefix: '/' })])]);
const IGNORE_PORT = config([vhost('reviews', ['reviews', 'reviews.default.svc.cluster.local', '[::1]'], [route('r', { prefix: '/' })])], { ignore_port_in_host_matching: true });
const PATH_PARAMS = config([vhost('pp', ['*'], [route('exact', { path: '/users' }), route('prefix', { prefix: '/files/' })])], { ignore_path_parameters_in_path_matching: true });

const FIRST_MATCH = config([vhost('details', ['*'], [
  route('catch-all', { prefix: '/' }),
  route('unreachable', { path: '/details/0' }),
])]);

const RUNTIME = config([vhost('rt', ['*'], [
  route('never', { prefix: '/', runtime_fraction: { default_value: { numerator: 0, denominator: 'HUNDRED' } } }),
  route('always', { prefix: '/all', runtime_fraction: { default_value: { numerator: 1000000, denominator: 'MILLION' } } }),
  route('rest', { prefix: '/' }),
])]);

/** Every table and its cases (≥ 120 cases). */
export const ROUTE_TABLES: readonly RouteTableCases[] = [
  {
    table: 'bookinfo gateway (samples/bookinfo/networking/bookinfo-gateway.yaml)',
    config: BOOKINFO_GATEWAY,
    cases: [
      { name: 'exact /productpage', request: get('/productpage'), route: 'productpage' },
      { name: 'exact ignores the query string (§D.4)', request: get('/productpage?u=normal'), route: 'productpage' },
      { name: 'exact with empty query', request: get('/productpage?'), route: 'productpage' },
      { name: 'exact ignores a fragment', request: get('/productpage#top'), route: 'productpage' },
      { name: 'exact does not match a trailing slash', request: get('/productpage/'), route: null },
      { name: 'exact is case-sensitive', request: get('/Productpage'), route: null },
      { name: 'exact does not match a longer path', request: get('/productpagex'), route: null },
      { name: 'prefix /static', request: get('/static/css/main.css'), route: 'static' },
      { name: 'prefix is a raw string prefix (§D.4: /static matches /staticfoo)', request: get('/staticfoo'), route: 'static' },
      { name: 'prefix /static itself', request: get('/static'), route: 'static' },
      { name: 'prefix is case-sensitive', request: get('/Static/x'), route: null },
      { name: 'exact /login', request: get('/login'), route: 'login' },
      { name: 'exact /login with query', request: get('/login?next=/'), route: 'login' },
      { name: 'exact /logout', request: get('/logout'), route: 'logout' },
      { name: 'prefix /api/v1/products/0', request: get('/api/v1/products/0'), route: 'api' },
      { name: 'prefix /api/v1/productsX (raw prefix)', request: get('/api/v1/productsX'), route: 'api' },
      { name: 'no route for /api/v2 → 404 NR', request: get('/api/v2/products'), route: null },
      { name: 'no route for / → 404 NR (no default routing fallback, §B.3)', request: get('/'), route: null },
      { name: '"*" domain matches any authority', request: get('/productpage', {}, 'bookinfo.example.com:8080'), route: 'productpage', vhost: 'bookinfo' },
    ],
  },
  {
    table: 'reviews with end-user: jason (virtual-service-reviews-test-v2.yaml)',
    config: REVIEWS,
    cases: [
      { name: 'end-user jason → v2', request: get('/reviews/0', { 'end-user': 'jason' }, 'reviews:9080'), route: 'jason-v2' },
      { name: 'header values are case-sensitive: Jason → v1 (§D.3)', request: get('/reviews/0', { 'end-user': 'Jason' }, 'reviews:9080'), route: 'default-v1' },
      { name: 'no end-user → v1', request: get('/reviews/0', {}, 'reviews:9080'), route: 'default-v1' },
      { name: 'trailing space is part of the value', request: get('/reviews/0', { 'end-user': 'jason ' }, 'reviews:9080'), route: 'default-v1' },
      { name: 'repeated header joined with "," does not equal jason', request: get('/reviews/0', { 'end-user': ['jason', 'bob'] }, 'reviews:9080'), route: 'default-v1' },
      { name: 'short name', request: get('/reviews/0', { 'end-user': 'jason' }, 'reviews'), route: 'jason-v2', vhost: 'reviews.default.svc.cluster.local:9080' },
      { name: 'FQDN', request: get('/reviews/0', {}, 'reviews.default.svc.cluster.local'), route: 'default-v1' },
      { name: 'FQDN with port', request: get('/reviews/0', {}, 'reviews.default.svc.cluster.local:9080'), route: 'default-v1' },
      { name: 'namespace-qualified name with port', request: get('/reviews/0', {}, 'reviews.default:9080'), route: 'default-v1' },
      { name: 'authority is case-insensitive', request: get('/reviews/0', {}, 'REVIEWS:9080'), route: 'default-v1' },
      { name: 'cluster IP with port', request: get('/reviews/0', {}, '10.0.0.12:9080'), route: 'default-v1' },
      { name: 'an unlisted port is not matched (Envoy matches host:port as given)', request: get('/reviews/0', {}, 'reviews:9081'), route: null, vhost: null },
      { name: 'an unknown host has no virtual host', request: get('/reviews/0', {}, 'ratings:9080'), route: null, vhost: null },
    ],
  },
  {
    table: 'header matchers (HeaderMatcher, StringMatcher)',
    config: HEADERS,
    cases: [
      { name: 'string_match exact', request: get('/h/exact', { x: 'v1' }), route: 'exact' },
      { name: 'string_match exact mismatch', request: get('/h/exact', { x: 'v2' }), route: 'fallback' },
      { name: 'string_match exact is case-sensitive', request: get('/h/exact', { x: 'V1' }), route: 'fallback' },
      { name: 'string_match exact, header missing', request: get('/h/exact'), route: 'fallback' },
      { name: 'ignore_case exact', request: get('/h/ic', { x: 'v1' }), route: 'exact-ic' },
      { name: 'ignore_case exact, other case', request: get('/h/ic', { x: 'V1' }), route: 'exact-ic' },
      { name: 'prefix', request: get('/h/prefix', { x: 'abcdxyz' }), route: 'prefix' },
      { name: 'prefix mismatch', request: get('/h/prefix', { x: 'bxyz' }), route: 'fallback' },
      { name: 'suffix', request: get('/h/suffix', { x: 'wxyz' }), route: 'suffix' },
      { name: 'suffix mismatch', request: get('/h/suffix', { x: 'xyzw' }), route: 'fallback' },
      { name: 'contains', request: get('/h/contains', { x: 'amidst' }), route: 'contains' },
      { name: 'contains mismatch', request: get('/h/contains', { x: 'mi-d' }), route: 'fallback' },
      { name: 'regex matches the whole value', request: get('/h/regex', { x: '123' }), route: 'regex' },
      { name: 'regex does not match a sub-sequence (\\d{3} vs 1234)', request: get('/h/regex', { x: '1234' }), route: 'fallback' },
      { name: 'regex does not match a prefix sub-sequence', request: get('/h/regex', { x: 'a123' }), route: 'fallback' },
      { name: '(?i) regex makes the value case-insensitive (§D.3)', request: get('/h/rxic', { 'end-user': 'JaSoN' }), route: 'regex-ic' },
      { name: 'present_match true, present', request: get('/h/present', { x: 'anything' }), route: 'present' },
      { name: 'present_match true, present with empty value', request: get('/h/present', { x: '' }), route: 'present' },
      { name: 'present_match true, missing', request: get('/h/present'), route: 'fallback' },
      { name: 'present_match false, missing', request: get('/h/absent'), route: 'absent' },
      { name: 'present_match false, present', request: get('/h/absent', { x: '1' }), route: 'fallback' },
      { name: 'no specifier = present', request: get('/h/bare', { x: 'y' }), route: 'no-specifier' },
      { name: 'no specifier, missing', request: get('/h/bare'), route: 'fallback' },
      { name: 'range [-10,0) matches -1', request: get('/h/range', { x: '-1' }), route: 'range' },
      { name: 'range end is exclusive (0)', request: get('/h/range', { x: '0' }), route: 'fallback' },
      { name: 'range start is inclusive (-10)', request: get('/h/range', { x: '-10' }), route: 'range' },
      { name: 'range rejects non-integers (10.9)', request: get('/h/range', { x: '-1.5' }), route: 'fallback' },
      { name: 'range rejects trailing text', request: get('/h/range', { x: '-1somestring' }), route: 'fallback' },
      { name: 'invert_match: other value matches', request: get('/h/invert', { x: 'v2' }), route: 'invert' },
      { name: 'invert_match: same value does not', request: get('/h/invert', { x: 'v1' }), route: 'fallback' },
      { name: 'invert_match without treat_missing: missing header does NOT match', request: get('/h/invert'), route: 'fallback' },
      { name: 'withoutHeaders (invert + treat_missing): missing header matches (§D.5)', request: get('/h/without'), route: 'without' },
      { name: 'withoutHeaders: other value matches', request: get('/h/without', { x: 'v2' }), route: 'without' },
      { name: 'withoutHeaders: the excluded value does not', request: get('/h/without', { x: 'v1' }), route: 'fallback' },
      { name: 'inverted presence: missing matches', request: get('/h/notpresent'), route: 'invert-present' },
      { name: 'inverted presence: present does not', request: get('/h/notpresent', { x: '1' }), route: 'fallback' },
      { name: 'treat_missing_header_as_empty: missing is ""', request: get('/h/empty'), route: 'missing-as-empty' },
      { name: 'treat_missing_header_as_empty: present value tested', request: get('/h/empty', { x: 'aaa' }), route: 'missing-as-empty' },
      { name: 'treat_missing_header_as_empty: present mismatch', request: get('/h/empty', { x: 'b' }), route: 'fallback' },
      { name: 'legacy exact_match', request: get('/h/lexact', { x: 'v1' }), route: 'legacy-exact' },
      { name: 'legacy exact_match mismatch', request: get('/h/lexact', { x: 'v11' }), route: 'fallback' },
      { name: 'legacy prefix_match', request: get('/h/lprefix', { x: 'abc' }), route: 'legacy-prefix' },
      { name: 'legacy suffix_match', request: get('/h/lsuffix', { x: 'xyz' }), route: 'legacy-suffix' },
      { name: 'legacy contains_match', request: get('/h/lcontains', { x: 'amid' }), route: 'legacy-contains' },
      { name: 'legacy safe_regex_match full match', request: get('/h/lregex', { x: 'abc' }), route: 'legacy-regex' },
      { name: 'legacy safe_regex_match partial does not', request: get('/h/lregex', { x: 'xabc' }), route: 'fallback' },
      { name: ':method pseudo header', request: { authority: 'svc', path: '/h/method', method: 'POST', headers: {} }, route: 'method' },
      { name: ':method is case-sensitive', request: { authority: 'svc', path: '/h/method', method: 'post', headers: {} }, route: 'fallback' },
      { name: ':authority pseudo header', request: get('/h/authority', {}, 'api.example.com'), route: 'authority' },
      { name: ':scheme pseudo header', request: { authority: 'svc', path: '/h/scheme', scheme: 'https', headers: {} }, route: 'scheme' },
      { name: ':scheme defaults to http', request: get('/h/scheme'), route: 'fallback' },
      { name: '"host" is folded into :authority, so a host matcher never matches', request: get('/h/host', { host: 'svc' }), route: 'fallback' },
      { name: 'two headers in one match are ANDed (§D.2)', request: get('/h/and', { a: '1', b: '2' }), route: 'and' },
      { name: 'AND: one missing fails', request: get('/h/and', { a: '1' }), route: 'fallback' },
      { name: 'repeated header values are joined with ","', request: get('/h/multi', { x: ['a', 'b'] }), route: 'multi' },
      { name: 'exact "" matches an empty present header', request: get('/h/exactempty', { x: '' }), route: 'exact-empty' },
      { name: 'exact "" does not match a missing header', request: get('/h/exactempty'), route: 'fallback' },
      { name: 'matcher header names are case-insensitive (§D.3)', request: get('/h/upper', { 'end-user': 'jason' }), route: 'upper-name' },
    ],
  },
  {
    table: 'query parameter matchers',
    config: QUERY,
    cases: [
      { name: 'exact value', request: get('/q/exact?u=normal'), route: 'q-exact' },
      { name: 'exact value among others', request: get('/q/exact?a=1&u=normal&b=2'), route: 'q-exact' },
      { name: 'exact mismatch', request: get('/q/exact?u=test'), route: 'fallback' },
      { name: 'missing parameter', request: get('/q/exact'), route: 'fallback' },
      { name: 'present_match', request: get('/q/present?debug=1'), route: 'q-present' },
      { name: 'present_match, key without value', request: get('/q/present?debug'), route: 'q-present' },
      { name: 'present_match, absent', request: get('/q/present?other=1'), route: 'fallback' },
      { name: 'regex full match (Istio: "\\d+" matches 123)', request: get('/q/regex?id=123'), route: 'q-regex' },
      { name: 'regex rejects a123', request: get('/q/regex?id=a123'), route: 'fallback' },
      { name: 'regex rejects 123a', request: get('/q/regex?id=123a'), route: 'fallback' },
      { name: 'ignore_case', request: get('/q/ic?u=NORMAL'), route: 'q-ic' },
      { name: 'only the first value counts', request: get('/q/first?x=a&x=b'), route: 'q-first' },
      { name: 'a later value does not count', request: get('/q/first?x=b&x=a'), route: 'fallback' },
      { name: 'values are not percent-decoded', request: get('/q/raw?x=a%20b'), route: 'fallback' },
      { name: '?flag has the empty value (Istio exact: "")', request: get('/q/flag?flag'), route: 'q-flag' },
      { name: 'two parameters ANDed', request: get('/q/two?a&b'), route: 'q-two' },
      { name: 'two parameters, one missing', request: get('/q/two?a'), route: 'fallback' },
      { name: 'parameter names are case-sensitive', request: get('/q/name?user=1'), route: 'fallback' },
      { name: 'fragment is not part of the query', request: get('/q/exact?u=normal#frag'), route: 'q-exact' },
    ],
  },
  {
    table: 'path specifiers, case sensitivity, gRPC, TLS context, CONNECT',
    config: PATHS,
    cases: [
      { name: 'path exact', request: get('/exact'), route: 'exact' },
      { name: 'path exact with query', request: get('/exact?a=1'), route: 'exact' },
      { name: 'path exact keeps trailing slash significant', request: get('/slash'), route: null },
      { name: 'path exact with trailing slash', request: get('/slash/'), route: 'exact-slash' },
      { name: 'case_sensitive false: path', request: get('/exactci'), route: 'exact-ci' },
      { name: 'case_sensitive false: prefix', request: get('/ci/anything'), route: 'prefix-ci' },
      { name: 'regex full match', request: get('/api/v1/products'), route: 'regex' },
      { name: 'regex matches the path without the query', request: get('/api/v12/x?y=/z'), route: 'regex' },
      { name: 'regex does not match a sub-sequence of the path', request: get('/x/api/v1/y'), route: null },
      { name: 'regex /rx does not match /rx/more (whole path must match)', request: get('/rx/more'), route: null },
      { name: 'regex /rx', request: get('/rx'), route: 'regex-short' },
      { name: 'case_sensitive is ignored for safe_regex; (?i) works', request: get('/UPPER'), route: 'regex-ci-flag' },
      { name: 'path_separated_prefix: exact', request: get('/api/dev'), route: 'separated' },
      { name: 'path_separated_prefix: trailing slash', request: get('/api/dev/'), route: 'separated' },
      { name: 'path_separated_prefix: sub-path', request: get('/api/dev/v1'), route: 'separated' },
      { name: 'path_separated_prefix: query', request: get('/api/dev?param=true'), route: 'separated' },
      { name: 'path_separated_prefix: not /api/developer', request: get('/api/developer'), route: null },
      { name: 'path_separated_prefix case-insensitive', request: get('/sep/x'), route: 'separated-ci' },
      { name: 'prefix compares the whole :path including the query', request: get('/search?q=mesh'), route: 'query-prefix' },
      { name: 'prefix with query text does not match another query', request: get('/search?x=1'), route: null },
      { name: 'first match wins over a more specific later route (§D.1)', request: get('/first/exact'), route: 'empty-prefix-first' },
      { name: 'grpc: application/grpc', request: get('/grpc.health.v1.Health/Check', { 'content-type': 'application/grpc' }), route: 'grpc' },
      { name: 'grpc: application/grpc+proto', request: get('/grpc.health.v1.Health/Check', { 'content-type': 'application/grpc+proto' }), route: 'grpc' },
      { name: 'grpc: application/grpc-web is not gRPC', request: get('/grpc.health.v1.Health/Check', { 'content-type': 'application/grpc-web' }), route: null },
      { name: 'grpc: no content-type', request: get('/grpc.health.v1.Health/Check'), route: null },
      { name: 'tls_context presented=false matches an in-process caller', request: get('/tls/plain'), route: 'tls-none' },
      { name: 'tls_context presented=true needs a client certificate', request: get('/tls/cert'), route: null },
      { name: 'tls_context presented=true with a certificate', request: { authority: 'svc', path: '/tls/cert', headers: {}, tls: { presented: true, validated: true } }, route: 'tls-cert' },
      { name: 'connect_matcher matches CONNECT', request: { authority: 'svc:443', path: '', method: 'CONNECT', headers: {} }, route: 'connect' },
      { name: 'connect_matcher does not match GET', request: get('/nothing-else'), route: null },
    ],
  },
  {
    table: 'virtual host domains: exact > *suffix (longest) > prefix* (longest) > *',
    config: DOMAINS,
    cases: [
      { name: 'exact', request: get('/', {}, 'www.foo.com'), route: 'exact', vhost: 'exact' },
      { name: 'exact, upper-case authority', request: get('/', {}, 'WWW.FOO.COM'), route: 'exact', vhost: 'exact' },
      { name: 'exact host:port domain', request: get('/', {}, 'www.foo.com:8080'), route: 'exact-port', vhost: 'exact-port' },
      { name: 'host with another port falls to "*" (port is part of the authority)', request: get('/', {}, 'www.foo.com:9090'), route: 'any', vhost: 'any' },
      { name: 'suffix wildcard', request: get('/', {}, 'a.foo.com'), route: 'suffix', vhost: 'suffix' },
      { name: 'longest suffix wins', request: get('/', {}, 'baz-bar.foo.com'), route: 'suffix-long', vhost: 'suffix-long' },
      { name: 'a wildcard never matches the empty string', request: get('/', {}, '-bar.foo.com'), route: 'suffix', vhost: 'suffix' },
      { name: 'suffix needs a non-empty wildcard part', request: get('/', {}, '.foo.com'), route: 'any', vhost: 'any' },
      { name: 'foo.com is not matched by *.foo.com (foo.* takes it)', request: get('/', {}, 'foo.com'), route: 'prefix', vhost: 'prefix' },
      { name: 'prefix wildcard', request: get('/', {}, 'foo.x'), route: 'prefix', vhost: 'prefix' },
      { name: 'longest prefix wins', request: get('/', {}, 'foo.bar.baz'), route: 'prefix-long', vhost: 'prefix-long' },
      { name: 'prefix needs a non-empty wildcard part', request: get('/', {}, 'foo.'), route: 'any', vhost: 'any' },
      { name: 'suffix beats prefix', request: get('/', {}, 'foo.foo.com'), route: 'suffix', vhost: 'suffix' },
      { name: 'configured domains are lower-cased', request: get('/', {}, 'api.example.com'), route: 'upper', vhost: 'upper' },
      { name: 'anything else goes to "*"', request: get('/', {}, 'other.org'), route: 'any', vhost: 'any' },
    ],
  },
  {
    table: 'no "*" virtual host',
    config: NO_WILDCARD,
    cases: [
      { name: 'listed short name', request: get('/x', {}, 'reviews'), route: 'r', vhost: 'reviews' },
      { name: 'unlisted host:port → no virtual host', request: get('/x', {}, 'reviews:9080'), route: null, vhost: null },
      { name: 'unknown host → no virtual host', request: get('/x', {}, 'details'), route: null, vhost: null },
    ],
  },
  {
    table: 'ignore_port_in_host_matching',
    config: IGNORE_PORT,
    cases: [
      { name: 'port ignored', request: get('/x', {}, 'reviews:9080'), route: 'r' },
      { name: 'FQDN with port', request: get('/x', {}, 'reviews.default.svc.cluster.local:9080'), route: 'r' },
      { name: 'IPv6 literal with port', request: get('/x', {}, '[::1]:80'), route: 'r' },
      { name: 'unknown host still unknown', request: get('/x', {}, 'ratings:9080'), route: null, vhost: null },
    ],
  },
  {
    table: 'ignore_path_parameters_in_path_matching',
    config: PATH_PARAMS,
    cases: [
      { name: 'path parameters are cut before an exact match', request: get('/users;jsessionid=1'), route: 'exact' },
      { name: 'prefix after cutting parameters', request: get('/files/a;v=1'), route: 'prefix' },
      { name: 'exact without parameters', request: get('/users?x=1'), route: 'exact' },
    ],
  },
  {
    table: 'catch-all first (fault-injection-details-v1.yaml: the second rule is dead)',
    config: FIRST_MATCH,
    cases: [
      { name: 'catch-all takes /details/0', request: get('/details/0'), route: 'catch-all' },
      { name: 'catch-all takes /', request: get('/'), route: 'catch-all' },
    ],
  },
  {
    table: 'runtime_fraction',
    config: RUNTIME,
    cases: [
      { name: '0/100 never matches', request: get('/x'), route: 'rest' },
      { name: '1000000/MILLION always matches', request: get('/all/x'), route: 'always' },
    ],
  },
];
