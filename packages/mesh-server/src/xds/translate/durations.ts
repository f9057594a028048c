// Units translation needs: Istio duration strings ("1.5s", "100ms", "1h2m") to protobuf Durations,
// and Istio's double percentages to Envoy fractions, converted exactly as istiod converts them.

import type { EnvoyDuration, FractionalPercent } from './envoy-names';

const UNIT_NANOS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const PART = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/;

/**
 * Parses a Go-style duration as Istio accepts it ("7s", "0.5s", "100ms", "1h30m", "3m").
 * Returns undefined for anything else (including negative values), so callers can warn.
 */
export function parseDuration(text: string | undefined): EnvoyDuration | undefined {
  if (typeof text !== 'string') return undefined;
  let rest = text.trim();
  if (rest === '0') return { seconds: 0, nanos: 0 };
  if (rest === '') return undefined;
  let total = 0n;
  while (rest !== '') {
    const m = PART.exec(rest);
    if (!m) return undefined;
    const [whole, number, unit] = m as unknown as [string, string, string];
    total += scaled(number, UNIT_NANOS[unit]!);
    rest = rest.slice(whole.length);
  }
  return fromNanos(total);
}

function scaled(decimal: string, unitNanos: bigint): bigint {
  const [intPart = '0', fracPart = ''] = decimal.split('.');
  const whole = BigInt(intPart === '' ? '0' : intPart) * unitNanos;
  if (fracPart === '') return whole;
  const denominator = 10n ** BigInt(fracPart.length);
  return whole + (BigInt(fracPart) * unitNanos) / denominator;
}

function fromNanos(total: bigint): EnvoyDuration {
  return { seconds: Number(total / 1_000_000_000n), nanos: Number(total % 1_000_000_000n) };
}

/** A Duration of whole milliseconds. */
export function durationFromMillis(ms: number): EnvoyDuration {
  return fromNanos(BigInt(Math.round(ms)) * 1_000_000n);
}

/** Total milliseconds of a Duration (for comparisons and messages). */
export function durationToMillis(d: EnvoyDuration): number {
  return d.seconds * 1000 + d.nanos / 1e6;
}

/** The zero Duration, Envoy's "disabled" for route timeouts. */
export const ZERO_DURATION: EnvoyDuration = Object.freeze({ seconds: 0, nanos: 0 });

/**
 * Istio `Percent.value` (a double in [0, 100]) → Envoy fraction per million, truncating like istiod
 * (`uint32(value * 10000)`).
 */
export function percentToFraction(value: number): FractionalPercent {
  const numerator = Math.max(0, Math.min(1_000_000, Math.trunc(value * 10000)));
  return { numerator, denominator: 'MILLION' };
}

/** The deprecated integer percentages (`delay.percent`, `mirrorPercent`) → a fraction of a hundred. */
export function integerPercentToFraction(value: number): FractionalPercent {
  return { numerator: Math.max(0, Math.min(100, Math.trunc(value))), denominator: 'HUNDRED' };
}
