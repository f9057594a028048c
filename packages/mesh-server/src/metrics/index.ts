// The control plane's metrics (istiod's pilot_* names) and the Prometheus text exposition they render to.

export { createControlPlaneMetrics, CONTROL_PLANE_METRICS, FAMILY_TYPE, PUSH_TIME_BUCKETS } from './control-plane-metrics';
export type { ControlPlaneMetrics, ControlPlaneMetricsSources, XdsMetricsHooks } from './control-plane-metrics';
export { PrometheusReader, toPrometheusText, PROMETHEUS_CONTENT_TYPE } from '@inboard/mesh-client/telemetry-sdk';
export type { PrometheusTextOptions } from '@inboard/mesh-client/telemetry-sdk';
