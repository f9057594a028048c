// Duration strings as Istio users write them ("1s", "0.5s", "100ms", "1h30m"): Go's
// time.ParseDuration syntax, which Kubernetes' CEL duration() and Istio's CRDs accept.
// Parsing is exact (decimal arithmetic on nanoseconds), so "1.1s" is 1100 ms, not 1100.0000000000002.

import { MeshServerError } from '../errors';

const NANOS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Largest duration Go (and therefore Istio) can represent: 2^63-1 ns, about 292 years. */
const MAX_NANOS = 2n ** 63n - 1n;

const TERM = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Parses a duration string into nanoseconds, exactly. Accepts Go's syntax: an optional sign, then
 * one or more `<decimal><unit>` terms (units ns, us, µs, ms, s, m, h), or a bare "0".
 * @throws MeshServerError code INVALID naming the string and the expected form.
 */
export function parseDurationNanos(text: string): bigint {
  if (typeof text !== 'string') throw invalid(String(text), 'a duration must be a string');
  let rest = text;
  let sign = 1n;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1n;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw invalid(text, 'it is empty');
  let total = 0n;
  let at = 0;
  while (at < rest.length) {
    TERM.lastIndex = at;
    const m = TERM.exec(rest);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) {
      throw invalid(text, rest.slice(at).match(/^\d*(?:\.\d*)?$/) ? 'a unit is missing' : `"${rest.slice(at)}" is not a number followed by a unit`);
    }
    total += termNanos(m[1]!, m[2] ?? '', NANOS_PER_UNIT[m[3]!]!);
    if (total > MAX_NANOS) throw invalid(text, 'it is larger than 292 years');
    at = TERM.lastIndex;
  }
  return sign * total;
}

/**
 * Parses a duration string into milliseconds (fractional for sub-millisecond values).
 * @throws MeshServerError code INVALID on malformed input.
 */
export function parseDuration(text: string): number {
  return Number(parseDurationNanos(text)) / 1e6;
}

function termNanos(whole: string, fraction: string, unit: bigint): bigint {
  let nanos = BigInt(whole === '' ? '0' : whole) * unit;
  if (fraction !== '') {
    const scale = 10n ** BigInt(fraction.length);
    nanos += (BigInt(fraction) * unit) / scale; // truncates below 1 ns, as Go does
  }
  return nanos;
}

function invalid(text: string, why: string): MeshServerError {
  return new MeshServerError(
    'INVALID',
    `invalid duration "${text}": ${why}; write a number with a unit (ns, us, ms, s, m, h), e.g. "1s", "0.5s", "100ms", "1h30m"`,
    { value: text },
  );
}
