// The request as route matching sees it: header lookup with Envoy's pseudo headers and multi-value
// joining, the path without query, and lazily parsed query parameters. One view per routed request.

/** Header map as adapters produce it: lower-case names, repeated headers as arrays. */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What routing needs from a request (structurally compatible with MeshRequest). */
export interface RouteRequest {
  /** `host[:port]` as addressed (the `:authority` pseudo header). */
  readonly authority: string;
  readonly method: string;
  /** Path including the query string, e.g. `/reviews/0?u=normal`. */
  readonly path: string;
  /** Lower-case header names. */
  readonly headers: RequestHeaders;
  /** `:scheme`; 'http' when absent. */
  readonly scheme?: string;
  /** The caller's address, for `source_ip` hashing and generated cookies. */
  readonly sourceAddress?: string;
  /** Downstream TLS state for `tls_context` route matches (an in-process caller has none). */
  readonly tls?: { readonly presented: boolean; readonly validated: boolean };
}

/**
 * Lazily-derived request facts shared by all matchers of one routing decision.
 * Header semantics follow Envoy: `:authority`, `:method`, `:path`, `:scheme` are pseudo headers;
 * repeated headers are joined with ',' (HeaderUtility::getAllOfHeaderAsString); `host` is folded
 * into `:authority` by Envoy's codecs, so a `host` lookup finds nothing (match `:authority` instead).
 */
export class RequestView {
  private pathOnly?: string;
  private queryParams?: Map<string, string>;

  constructor(readonly request: RouteRequest, private readonly stripPathParameters = false) {}

  /** `:path` without query string and fragment (and without `;params` when the table asks so). */
  get pathWithoutQuery(): string {
    if (this.pathOnly === undefined) {
      const path = this.request.path;
      let end = path.length;
      const q = path.indexOf('?');
      if (q >= 0) end = q;
      const h = path.indexOf('#');
      if (h >= 0 && h < end) end = h;
      let only = end === path.length ? path : path.slice(0, end);
      if (this.stripPathParameters) only = stripParameters(only);
      this.pathOnly = only;
    }
    return this.pathOnly;
  }

  /** The full `:path` used by prefix matching (path parameters removed when the table asks so). */
  get fullPath(): string {
    return this.stripPathParameters ? stripParameters(this.request.path) : this.request.path;
  }

  /** A header's value, repeated values joined with ','; undefined when absent. */
  header(name: string): string | undefined {
    switch (name) {
      case ':authority': return this.request.authority;
      case ':method': return this.request.method;
      case ':path': return this.request.path;
      case ':scheme': return this.request.scheme ?? 'http';
      case 'host': return undefined;
      default: {
        const v = this.request.headers[name];
        if (v === undefined) return undefined;
        if (typeof v === 'string') return v;
        return v.length === 0 ? undefined : v.join(',');
      }
    }
  }

  /** A header's separate values (pseudo headers as one value); undefined when absent. */
  headerValues(name: string): readonly string[] | undefined {
    if (name.startsWith(':') || name === 'host') {
      const v = this.header(name);
      return v === undefined ? undefined : [v];
    }
    const v = this.request.headers[name];
    if (v === undefined) return undefined;
    if (typeof v === 'string') return [v];
    return v.length === 0 ? undefined : v;
  }

  /**
   * The first value of a query parameter, or undefined. Parsed as Envoy's
   * QueryParamsMulti::parseQueryString: `&`-separated, `key` alone has value "", no decoding.
   */
  queryParam(name: string): string | undefined {
    if (this.queryParams === undefined) this.queryParams = parseQuery(this.request.path);
    return this.queryParams.get(name);
  }
}

function parseQuery(path: string): Map<string, string> {
  const params = new Map<string, string>();
  const q = path.indexOf('?');
  if (q < 0) return params;
  let end = path.indexOf('#', q);
  if (end < 0) end = path.length;
  let start = q + 1;
  while (start <= end) {
    let amp = path.indexOf('&', start);
    if (amp < 0 || amp > end) amp = end;
    if (amp > start) {
      const pair = path.slice(start, amp);
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      if (!params.has(key)) params.set(key, eq < 0 ? '' : pair.slice(eq + 1));
    }
    start = amp + 1;
  }
  return params;
}

/**
 * RouteConfiguration.ignore_path_parameters_in_path_matching: like Envoy's
 * sanitizePathBeforePathMatching, the path is cut at its first ';' (RFC 1808 `<path>;<params>`).
 */
function stripParameters(path: string): string {
  const semi = path.indexOf(';');
  return semi < 0 ? path : path.slice(0, semi);
}
