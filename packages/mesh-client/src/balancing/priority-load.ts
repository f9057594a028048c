// Envoy's priority load and panic computation (LoadBalancerBase::recalculatePerPriorityState):
// how much traffic each priority level gets given its health, and which levels are in panic.

/** Host counts of one priority level. */
export interface PriorityHealth {
  readonly total: number;
  /** HEALTHY/UNKNOWN and not ejected. */
  readonly healthy: number;
  /** DEGRADED and not ejected. */
  readonly degraded: number;
}

/** Load (percent, summing to 100) per priority for healthy and degraded hosts, and panic flags. */
export interface PriorityLoad {
  readonly healthy: readonly number[];
  readonly degraded: readonly number[];
  readonly panic: readonly boolean[];
  /** Every level is in panic: load follows host counts instead (recalculateLoadInTotalPanic). */
  readonly totalPanic: boolean;
}

/**
 * - health_P = min(100, overprovisioning × healthy_P / total_P) (integer percent; factor 140 by default),
 *   degraded likewise; normalized total availability = min(100, Σ health + Σ degraded);
 * - load goes to healthy hosts of P0, P1, … in proportion to health / normalized total, then to
 *   degraded hosts; rounding leftovers to the first available level; no availability at all → P0;
 * - a level is in panic when the normalized total is below 100 and its available share
 *   (healthy + degraded) / total is below the panic threshold; when all are, load follows host counts.
 */
export function computePriorityLoad(levels: readonly PriorityHealth[], overprovisioningFactor: number, panicThresholdPercent: number): PriorityLoad {
  const n = levels.length;
  const health = levels.map((l) => (l.total === 0 ? 0 : Math.min(100, Math.floor((overprovisioningFactor * l.healthy) / l.total))));
  const degradedHealth = levels.map((l) => (l.total === 0 ? 0 : Math.min(100, Math.floor((overprovisioningFactor * l.degraded) / l.total))));
  const normalized = Math.min(100, health.reduce((a, b) => a + b, 0) + degradedHealth.reduce((a, b) => a + b, 0));
  const healthy = new Array<number>(n).fill(0);
  const degraded = new Array<number>(n).fill(0);
  const panic = levels.map((l) => normalized !== 100 && inPanic(l, panicThresholdPercent));
  const totalPanic = n > 0 && panic.every(Boolean);
  if (n === 0) return { healthy, degraded, panic, totalPanic: false };
  if (totalPanic) {
    const hosts = levels.reduce((a, l) => a + l.total, 0);
    if (hosts === 0) {
      healthy[0] = 100;
    } else {
      let left = 100;
      levels.forEach((l, i) => { healthy[i] = Math.floor((100 * l.total) / hosts); left -= healthy[i]!; });
      const first = levels.findIndex((l) => l.total > 0);
      healthy[first] = healthy[first]! + left;
    }
    return { healthy, degraded, panic, totalPanic };
  }
  if (normalized === 0) {
    healthy[0] = 100;
    return { healthy, degraded, panic, totalPanic };
  }
  const [firstHealthy, leftAfterHealthy] = distribute(healthy, health, 100, normalized);
  const [firstDegraded, left] = distribute(degraded, degradedHealth, leftAfterHealthy, normalized);
  if (left > 0) {
    if (firstHealthy >= 0) healthy[firstHealthy] = healthy[firstHealthy]! + left;
    else if (firstDegraded >= 0) degraded[firstDegraded] = degraded[firstDegraded]! + left;
  }
  return { healthy, degraded, panic, totalPanic };
}

function distribute(load: number[], availability: readonly number[], total: number, normalized: number): [number, number] {
  let first = -1;
  for (let i = 0; i < availability.length; i++) {
    if (first < 0 && availability[i]! > 0) first = i;
    load[i] = Math.min(total, Math.floor((availability[i]! * 100) / normalized));
    total -= load[i]!;
  }
  return [first, total];
}

/** Envoy's isHostSetInPanic: available percent below the threshold (an empty level is in panic unless the threshold is 0). */
export function inPanic(level: PriorityHealth, panicThresholdPercent: number): boolean {
  const available = level.total === 0 ? 0 : (100 * (level.healthy + level.degraded)) / level.total;
  return available < panicThresholdPercent;
}
