// When to renew a workload certificate: Istio's rule (renew once the remaining lifetime falls to
// `graceRatio` of the whole, SECRET_GRACE_PERIOD_RATIO) with a random spread around that point.
// Pure: the issue time, expiry, policy and random draw go in, a wall-clock instant comes out.

/** Renewal parameters. */
export interface RenewalPolicy {
  /** Fraction of the lifetime still left at renewal (Istio default 0.5: renew at half-life). */
  readonly graceRatio: number;
  /**
   * Spread of the renewal delay: ±`jitter` of it, uniform (0.1 with ratio 0.5 → between 45 % and
   * 55 % of the lifetime), so workloads started together do not renew together.
   */
  readonly jitter: number;
}

/** Renew at 50 % of the lifetime, ±10 % of that delay. */
export const DEFAULT_RENEWAL: RenewalPolicy = { graceRatio: 0.5, jitter: 0.1 };

/** The lifetime a renewal is computed from. */
export interface CertificateLifetime {
  /** When the certificate was obtained (or its notBefore), epoch ms. */
  readonly issuedAt: number;
  /** The certificate's notAfter, epoch ms. */
  readonly notAfter: number;
}

/**
 * The instant to renew: `issuedAt + (1 − graceRatio) × lifetime × (1 + jitter × (2u − 1))`,
 * rounded to a whole millisecond, never after notAfter. A result in the past means "now". With jitter 0 it reproduces Istio's
 * `TestRotateTimeNoJitter`: 1 h certificate, ratio 0.5 → 30 min; 0.25 → 45 min; 1 → now.
 * @throws RangeError for a ratio outside [0, 1] or a jitter outside [0, 1).
 */
export function renewalTime(lifetime: CertificateLifetime, policy: RenewalPolicy, random: () => number): number {
  if (!(policy.graceRatio >= 0 && policy.graceRatio <= 1)) throw new RangeError(`graceRatio must be within [0, 1], got ${policy.graceRatio}`);
  if (!(policy.jitter >= 0 && policy.jitter < 1)) throw new RangeError(`jitter must be within [0, 1), got ${policy.jitter}`);
  const life = Math.max(0, lifetime.notAfter - lifetime.issuedAt);
  const spread = 1 + policy.jitter * (2 * random() - 1);
  const delay = life * (1 - policy.graceRatio) * spread;
  return Math.min(Math.round(lifetime.issuedAt + delay), lifetime.notAfter);
}
