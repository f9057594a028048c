// One service's golden signals over the last five minutes: request rate, error ratio and p99 per
// 5 s bin as sparklines, and the totals.
import { usePolled } from './api';
import { formatMs, HEALTH_COLOURS } from './edge-class';
import { Sparkline } from './sparkline';
import type { ServiceSignals } from './types';

/** Detail of `service` (short name, `name.namespace` or FQDN). */
export function ServiceView(props: { service: string }) {
  const { data, error } = usePolled<ServiceSignals>(`/apis/inboard.io/v1/telemetry/services/${encodeURIComponent(props.service)}?window=5m`);
  if (error && !data) return <p class="error">{error.message}</p>;
  if (!data) return <p>Loading…</p>;
  const t = data.total;
  return (
    <section class="service" data-testid="service-detail" data-service={props.service}>
      <h2>{props.service}</h2>
      <p>
        last {data.windowMs / 60000} min: {t.requests} requests · {t.rate.toFixed(2)} rps · {(t.errorRatio * 100).toFixed(1)} % errors · p99{' '}
        {t.p99Ms === null ? '–' : formatMs(t.p99Ms)} · p50 {t.p50Ms === null ? '–' : formatMs(t.p50Ms)}
      </p>
      <div class="sparks">
        <Sparkline testid="spark-rate" label={`rate (rps), per ${data.binMs / 1000} s`} values={data.series.map((p) => p.rate)} />
        <Sparkline testid="spark-errors" label="error ratio" colour={HEALTH_COLOURS.failing} values={data.series.map((p) => (p.requests ? p.errorRatio : null))} />
        <Sparkline testid="spark-p99" label="p99 (ms)" colour="#6b4aa5" values={data.series.map((p) => p.p99Ms)} />
      </div>
    </section>
  );
}
