// The control plane's own metrics in istiod's names (pilot_xds, pilot_xds_pushes, pilot_xds_push_time,
// pilot_total_xds_rejects, pilot_services, pilot_virt_services) plus inboard_* gauges, on a private
// OpenTelemetry MeterProvider: gauges read the xDS server, registry and config cache snapshots at
// scrape time; counters are fed by hooks the xDS server calls. render() is the admin API's /metrics.

import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { ConfigSnapshot } from '../store/config-cache';
import type { RegistrySnapshot } from '../registry/types';
import type { ClientSyncStatus, FamilySyncStatus, XdsFamily } from '../xds/contracts';
import { PrometheusReader } from '@inboard/mesh-client/telemetry-sdk';

/** istiod's `type` label value of each resource family. */
export const FAMILY_TYPE: Readonly<Record<XdsFamily, string>> = Object.freeze({ clusters: 'cds', endpoints: 'eds', listeners: 'lds', routes: 'rds' });

/** Metric names, exactly as exported. */
export const CONTROL_PLANE_METRICS = Object.freeze({
  connectedClients: 'pilot_xds',
  pushes: 'pilot_xds_pushes',
  pushTime: 'pilot_xds_push_time',
  rejects: 'pilot_total_xds_rejects',
  internalErrors: 'pilot_total_xds_internal_errors',
  services: 'pilot_services',
  virtualServices: 'pilot_virt_services',
  clientsByState: 'inboard_xds_clients',
  configResources: 'inboard_config_resources',
  registryEndpoints: 'inboard_registry_endpoints',
});

/** istiod's pilot_xds_push_time buckets (seconds). */
export const PUSH_TIME_BUCKETS: readonly number[] = Object.freeze([0.01, 0.1, 1, 3, 5, 10, 20, 30]);

/** What the metrics read at scrape time; each source is optional (its gauges are then absent). */
export interface ControlPlaneMetricsSources {
  readonly xds?: { clients(): readonly ClientSyncStatus[] };
  readonly registry?: { snapshot(): RegistrySnapshot };
  readonly cache?: { snapshot(): ConfigSnapshot };
}

/** Counters the xDS server increments (see docs/observability.md for where it calls them). */
export interface XdsMetricsHooks {
  /** A response of `family` was written to a client, `ms` after the push that produced it began. */
  pushSent(family: XdsFamily, ms: number): void;
  /** A client NACKed a response of `family`. */
  nackReceived(family: XdsFamily): void;
  /** Writing a response of `family` failed (istiod counts these as pilot_xds_pushes{type="<t>_senderr"}). */
  sendFailed(family: XdsFamily): void;
  /** Translating a client's view failed. */
  internalError(): void;
}

/** The control plane's metrics. */
export interface ControlPlaneMetrics extends XdsMetricsHooks {
  /** The Prometheus text exposition of every metric, read now. */
  render(): Promise<string>;
  close(): Promise<void>;
}

/** Creates the control plane's metrics over its components. */
export function createControlPlaneMetrics(sources: ControlPlaneMetricsSources): ControlPlaneMetrics {
  const reader = new PrometheusReader({ counterSuffix: false, targetInfo: false });
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('@inboard/mesh-server');

  const pushes = meter.createCounter(CONTROL_PLANE_METRICS.pushes, { description: 'Pilot build and send errors for lds, rds, cds and eds.' });
  const pushTime = meter.createHistogram(CONTROL_PLANE_METRICS.pushTime, {
    description: 'Total time in seconds Pilot takes to push lds, rds, cds and eds.', unit: 's',
    advice: { explicitBucketBoundaries: [...PUSH_TIME_BUCKETS] },
  });
  const rejects = meter.createCounter(CONTROL_PLANE_METRICS.rejects, { description: 'Total number of XDS responses from pilot rejected by proxy.' });
  const internalErrors = meter.createCounter(CONTROL_PLANE_METRICS.internalErrors, { description: 'Total number of internal XDS errors in pilot.' });

  const gauges = {
    connected: meter.createObservableGauge(CONTROL_PLANE_METRICS.connectedClients, { description: 'Number of endpoints connected to this pilot using XDS.' }),
    byState: meter.createObservableGauge(CONTROL_PLANE_METRICS.clientsByState, { description: 'Connected clients per resource type and sync state (SYNCED, STALE, NACKED, NOT_SENT), as proxy-status shows them.' }),
    services: meter.createObservableGauge(CONTROL_PLANE_METRICS.services, { description: 'Total services known to pilot.' }),
    endpoints: meter.createObservableGauge(CONTROL_PLANE_METRICS.registryEndpoints, { description: 'Workload endpoints in the registry, per health.' }),
    virtualServices: meter.createObservableGauge(CONTROL_PLANE_METRICS.virtualServices, { description: 'Total virtual services known to pilot.' }),
    resources: meter.createObservableGauge(CONTROL_PLANE_METRICS.configResources, { description: 'Config resources in the store, per kind.' }),
  };
  const { xds, registry, cache } = sources;
  meter.addBatchObservableCallback((result) => {
    if (xds) {
      const clients = xds.clients();
      result.observe(gauges.connected, clients.length);
      for (const [family, type] of Object.entries(FAMILY_TYPE) as [XdsFamily, string][]) {
        const counts: Record<FamilySyncStatus['state'], number> = { SYNCED: 0, STALE: 0, NACKED: 0, NOT_SENT: 0 };
        for (const client of clients) counts[client.families[family].state]++;
        for (const [state, n] of Object.entries(counts)) result.observe(gauges.byState, n, { type, state });
      }
    }
    if (registry) {
      const snapshot = registry.snapshot();
      result.observe(gauges.services, snapshot.services.size);
      const byHealth = new Map<string, number>();
      for (const endpoint of snapshot.endpoints) byHealth.set(endpoint.health, (byHealth.get(endpoint.health) ?? 0) + 1);
      for (const [health, n] of byHealth) result.observe(gauges.endpoints, n, { health });
    }
    if (cache) {
      const byKind = new Map<string, number>();
      for (const resource of cache.snapshot().resources) byKind.set(resource.kind, (byKind.get(resource.kind) ?? 0) + 1);
      result.observe(gauges.virtualServices, byKind.get('VirtualService') ?? 0);
      for (const [kind, n] of byKind) result.observe(gauges.resources, n, { kind });
    }
  }, Object.values(gauges));

  let closing: Promise<void> | undefined;
  return {
    pushSent(family, ms) {
      const type = FAMILY_TYPE[family];
      pushes.add(1, { type });
      pushTime.record(Math.max(0, ms) / 1000, { type });
    },
    nackReceived: (family) => rejects.add(1, { type: FAMILY_TYPE[family] }),
    sendFailed: (family) => pushes.add(1, { type: `${FAMILY_TYPE[family]}_senderr` }),
    internalError: () => internalErrors.add(1),
    render: () => reader.render(),
    close: () => (closing ??= provider.shutdown()),
  };
}
