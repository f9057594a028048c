// How an edge looks: its health class from the error ratio (Kiali's thresholds: above 0 amber, at
// or above 10 % red), colours, and the edge label text. Pure.
import type { GraphEdge } from './types';

/** Health of an edge. */
export type EdgeHealth = 'healthy' | 'degraded' | 'failing';

/** Error ratio above this is degraded (amber). */
export const DEGRADED_ABOVE = 0;
/** Error ratio at or above this is failing (red). */
export const FAILING_FROM = 0.1;

/** The health class of an error ratio. */
export function edgeHealth(errorRatio: number): EdgeHealth {
  if (errorRatio >= FAILING_FROM) return 'failing';
  if (errorRatio > DEGRADED_ABOVE) return 'degraded';
  return 'healthy';
}

/** Colour per health class. */
export const HEALTH_COLOURS: Readonly<Record<EdgeHealth, string>> = { healthy: '#2e9e44', degraded: '#e0a000', failing: '#d62d20' };

/** `1.2 rps · 5.0 % · p99 12 ms`, prefixed `mTLS ·` when the calls used mutual TLS (text, not an emoji: headless fonts lack it). */
export function edgeLabel(edge: GraphEdge): string {
  const p99 = edge.p99Ms === null ? '–' : `${formatMs(edge.p99Ms)}`;
  return `${edge.mtls === 'mutual_tls' ? 'mTLS · ' : ''}${edge.rate.toFixed(2)} rps · ${(edge.errorRatio * 100).toFixed(1)} % · p99 ${p99}`;
}

/** `12 ms`, `1.5 s`. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms >= 10 ? Math.round(ms) : ms.toFixed(1)} ms`;
}
