// The mesh's telemetry on @opentelemetry/api only: Istio's standard metrics with a label budget,
// spans with W3C + B3 propagation. Everything that needs the OpenTelemetry SDK is in ./sdk.

export {
  ISTIO_LABEL_NAMES, UNKNOWN, UNKNOWN_PEER, workloadPeer, endpointPeer, spiffePrincipal, parseClusterName,
  destinationService, outboundLabels, inboundLabels,
} from './istio-labels';
export type {
  IstioLabelName, IstioRequestLabels, WorkloadPeer, WorkloadDescription, DestinationService, ClusterNameParts,
  RequestOutcomeLabels,
} from './istio-labels';
export { PEER_METADATA_HEADER, encodePeerMetadata, decodePeerMetadata, inboundSourcePeer } from './peer-metadata';
export { CardinalityGuard, DEFAULT_LABEL_BUDGET, OTHER_LABEL_VALUE } from './cardinality-guard';
export type { LabelBudget, LabelLimit, CardinalityGuardOptions } from './cardinality-guard';
export { MeshMetrics, METRIC_NAMES, ISTIO_HISTOGRAM_BUCKETS, TELEMETRY_SCOPE } from './metrics';
export type { MeshMetricsOptions, RequestMeasures, RecordedLabels, ExtraLabelName } from './metrics';
export { MeshTracing } from './tracing';
export type {
  MeshTracingOptions, OutboundRequestInfo, InboundRequestInfo, ClientSpanOptions, ClientSpan, AttemptSpan, AttemptInfo,
  ServerSpan, SpanOutcome,
} from './tracing';
export { MeshPropagator, headerMapGetter, headerMapSetter } from './propagation';
export type { MeshPropagatorOptions } from './propagation';
export { B3Propagator, B3_HEADERS, B3_DEBUG_KEY } from './b3-propagator';
export type { B3InjectEncoding } from './b3-propagator';
export { W3CTraceContextPropagator, parseTraceparent, TRACEPARENT_HEADER, TRACESTATE_HEADER } from './w3c-propagator';
export { MeshTelemetry, observeBody } from './request-telemetry';
export type { MeshTelemetryOptions, OutboundStart, OutboundTelemetry, InboundTelemetry, RequestEnd, UpstreamTarget } from './request-telemetry';
