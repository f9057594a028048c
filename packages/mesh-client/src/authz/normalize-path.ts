// The ONE request-path normalisation: authorization matches the path it returns and the application
// receives exactly that path (req.url := url). Modes are Istio's meshConfig.pathNormalization; BASE, the
// default, is Envoy's normalize_path, a faithful port of the Chromium path canonicalizer Envoy ships.

/** Istio's meshConfig.pathNormalization modes. */
export type PathNormalization = 'NONE' | 'BASE' | 'MERGE_SLASHES' | 'DECODE_AND_MERGE_SLASHES';

/** Istio's default mode. */
export const DEFAULT_PATH_NORMALIZATION: PathNormalization = 'BASE';

/** Every mode, for validation of configured values. */
export const PATH_NORMALIZATIONS: readonly PathNormalization[] = ['NONE', 'BASE', 'MERGE_SLASHES', 'DECODE_AND_MERGE_SLASHES'];

/** A normalised request target. */
export interface NormalizedTarget {
  readonly ok: true;
  /** The path without query: what authorization matches (`url_path`) and the app's pathname. */
  readonly path: string;
  /** The query exactly as received, with its leading "?" ("" when there is none). */
  readonly query: string;
  /** `path + query`: the request target the application must receive (set req.url to it). */
  readonly url: string;
}

/** A request target that must be answered with 400 and never reach authorization or the app. */
export interface RejectedTarget {
  readonly ok: false;
  readonly status: 400;
  /** Envoy-style response code details, e.g. "path_normalization_failed". */
  readonly details: string;
  readonly reason: string;
}

/** Result of normalizePath. */
export type PathNormalizationResult = NormalizedTarget | RejectedTarget;

// Chromium's kPathCharLookup flags (Envoy source/common/chromium_url/url_canon_path.cc).
const SPECIAL = 1;
const ESCAPE = 2 | SPECIAL;
const UNESCAPE = 4;
const INVALID = 8 | SPECIAL;

/** What the canonicalizer does with each byte, raw or percent-decoded. */
const PATH_CHAR = ((): Uint8Array => {
  const t = new Uint8Array(256).fill(ESCAPE); // controls, DEL and every high-bit byte are escaped
  t[0] = INVALID;
  const set = (chars: string, flag: number) => { for (const c of chars) t[c.charCodeAt(0)] = flag; };
  set("!$&'()*+,/:;=@[]", 0); // pass through unchanged
  set(' "#%<>?\\^`{|}', ESCAPE);
  set('-_~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', UNESCAPE);
  set('.', SPECIAL);
  return t;
})();

const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const PERCENT = 0x25;
const DOT = 0x2e;
const HEX = '0123456789ABCDEF';

const isSlash = (b: number | undefined): boolean => b === SLASH || b === BACKSLASH;
const hexValue = (b: number | undefined): number => {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
};

/** `%XX` at `i` decoded, or -1 (Chromium DecodeEscaped). */
function decodeEscape(bytes: ArrayLike<number>, i: number, end: number): number {
  if (i + 3 > end) return -1;
  const hi = hexValue(bytes[i + 1]);
  const lo = hexValue(bytes[i + 2]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

/** Length of a dot at `i`: "." is 1, "%2e"/"%2E" is 3, anything else 0 (Chromium IsDot). */
function dotLength(bytes: readonly number[], i: number, end: number): number {
  if (bytes[i] === DOT) return 1;
  if (bytes[i] === PERCENT && i + 3 <= end && bytes[i + 1] === 0x32 && (bytes[i + 2] === 0x65 || bytes[i + 2] === 0x45)) return 3;
  return 0;
}

function appendEscaped(out: number[], b: number): void {
  out.push(PERCENT, HEX.charCodeAt(b >> 4), HEX.charCodeAt(b & 15));
}

/** Rewinds `out` (which ends with "/") to just after the previous "/" (Chromium BackUpToPreviousSlash). */
function backUpToPreviousSlash(out: number[]): void {
  let i = out.length - 1;
  if (i === 0) return;
  i -= 1;
  while (out[i] !== SLASH && i > 0) i -= 1;
  out.length = i + 1;
}

/** Chromium CheckForNestedEscapes: keeps "%%30%30"-style input from turning into a new escape. */
function checkNestedEscapes(bytes: readonly number[], next: number, end: number, lastInvalidPercent: number, out: number[]): void {
  const length = out.length;
  const lastUnescaped = out[length - 1]!;
  const appendNext = lastInvalidPercent === length - 2;
  if (appendNext) {
    if (next === end || bytes[next]! >= 0x80) return;
    out.push(bytes[next]!);
  }
  if (decodeEscape(out, lastInvalidPercent, out.length) >= 0) {
    if (!appendNext) out.push(out[lastInvalidPercent + 1]!);
    out[lastInvalidPercent + 1] = 0x32;
    out[lastInvalidPercent + 2] = 0x35;
    out.push(lastUnescaped);
  } else if (appendNext) {
    out.length = length;
  }
}

/**
 * Envoy's canonicalPath (Chromium CanonicalizePath) over the bytes of a path: resolves "." and ".."
 * segments (also written %2e), turns "\" into "/", decodes escapes of unreserved characters,
 * escapes what may not appear raw, keeps other escapes byte-for-byte. `ok` false means reject (a
 * NUL, raw or escaped).
 */
function canonicalize(bytes: readonly number[]): { out: number[]; ok: boolean } {
  const out: number[] = [];
  const end = bytes.length;
  if (end === 0) return { out: [SLASH], ok: true };
  if (!isSlash(bytes[0])) out.push(SLASH);
  let ok = true;
  let lastInvalidPercent = Number.MIN_SAFE_INTEGER;
  for (let i = 0; i < end; i++) {
    const c = bytes[i]!;
    const flags = PATH_CHAR[c]!;
    if (!(flags & SPECIAL)) {
      out.push(c);
      continue;
    }
    const dot = dotLength(bytes, i, end);
    if (dot > 0) {
      if (out.length > 0 && out[out.length - 1] === SLASH) {
        const after = i + dot;
        let consumed = 0;
        let kind: 'file' | 'current' | 'up' = 'file';
        if (after === end) kind = 'current';
        else if (isSlash(bytes[after])) { kind = 'current'; consumed = 1; }
        else {
          const second = dotLength(bytes, after, end);
          if (second > 0 && (after + second === end || isSlash(bytes[after + second]))) {
            kind = 'up';
            consumed = after + second === end ? second : second + 1;
          }
        }
        if (kind === 'file') { out.push(DOT); i += dot - 1; }
        else {
          if (kind === 'up') backUpToPreviousSlash(out);
          i += dot + consumed - 1;
        }
      } else {
        out.push(DOT);
        i += dot - 1;
      }
    } else if (c === BACKSLASH) {
      out.push(SLASH);
    } else if (c === PERCENT) {
      const value = decodeEscape(bytes, i, end);
      if (value >= 0) {
        i += 2;
        const unescapedFlags = PATH_CHAR[value]!;
        if (unescapedFlags & UNESCAPE) {
          out.push(value);
          if (lastInvalidPercent >= out.length - 3) checkNestedEscapes(bytes, i + 1, end, lastInvalidPercent, out);
        } else {
          out.push(PERCENT, bytes[i - 1]!, bytes[i]!);
          if ((unescapedFlags & INVALID) === INVALID) ok = false;
        }
      } else {
        lastInvalidPercent = out.length;
        out.push(PERCENT);
      }
    } else if ((flags & INVALID) === INVALID) {
      appendEscaped(out, c);
      ok = false;
    } else {
      appendEscaped(out, c);
    }
  }
  return { out, ok };
}

/** Envoy's UNESCAPE_AND_FORWARD for escaped slashes: %2F/%2f → "/", %5C/%5c → "\". */
function unescapeSlashes(path: string): string {
  return path.replace(/%2f/gi, '/').replace(/%5c/gi, '\\');
}

function reject(reason: string, details = 'path_normalization_failed'): RejectedTarget {
  return { ok: false, status: 400, details, reason };
}

/** The path's bytes: characters up to U+00FF are bytes (as Node decodes headers), others UTF-8. */
function toBytes(path: string): number[] {
  return /[^\x00-\xff]/.test(path) ? [...Buffer.from(path, 'utf8')] : Array.from(path, (c) => c.charCodeAt(0));
}

/**
 * Normalises a raw request target (req.url / :path) with Istio's `mode`. The fragment is cut off
 * (Envoy strips it), the query is kept byte-for-byte and never normalised. Rejected (400): empty
 * or non-origin-form targets (absolute-form, "*"), control characters and NUL (raw or %00) in any
 * mode; what Envoy's canonicalizer rejects in BASE and stricter modes.
 */
export function normalizePath(target: string, mode: PathNormalization = DEFAULT_PATH_NORMALIZATION): PathNormalizationResult {
  if (!PATH_NORMALIZATIONS.includes(mode)) throw new TypeError(`unknown path normalization ${JSON.stringify(mode)}; use one of ${PATH_NORMALIZATIONS.join(', ')}`);
  if (target === '') return reject('the request target is empty', 'invalid_request_target');
  if (/[\x00-\x1f\x7f]/.test(target)) return reject('the request target contains a control character', 'invalid_request_target');
  if (!target.startsWith('/')) {
    return reject(`the request target must be origin-form (start with "/"): ${JSON.stringify(target.slice(0, 64))}`, 'invalid_request_target');
  }
  const hash = target.indexOf('#');
  const withoutFragment = hash < 0 ? target : target.slice(0, hash);
  const q = withoutFragment.indexOf('?');
  const rawPath = q < 0 ? withoutFragment : withoutFragment.slice(0, q);
  const query = q < 0 ? '' : withoutFragment.slice(q);
  if (/%00/.test(rawPath)) return reject('the path contains an escaped NUL (%00)');

  let path: string;
  if (mode === 'NONE') {
    path = rawPath;
  } else {
    const { out, ok } = canonicalize(toBytes(mode === 'DECODE_AND_MERGE_SLASHES' ? unescapeSlashes(rawPath) : rawPath));
    if (!ok) return reject('the path cannot be normalised (RFC 3986 canonicalization failed)');
    path = Buffer.from(out).toString('latin1');
    if (mode === 'MERGE_SLASHES' || mode === 'DECODE_AND_MERGE_SLASHES') path = path.replace(/\/{2,}/g, '/');
  }
  return { ok: true, path, query, url: path + query };
}
