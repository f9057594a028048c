// Test support for the gateway: Envoy socket listeners shaped as mesh-server's gateway translation
// emits them (`0.0.0.0_<port>` over RDS `http.<port>`, optionally with a DownstreamTlsContext),
// compiled into a MeshSnapshot the way the config stream compiles what it receives.

import { compileSnapshot } from '../snapshot/compile';
import type { MeshSnapshot } from '../snapshot/types';

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const DOWNSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';

/** How a test listener terminates TLS: certificate files, an SDS secret name (credentialName), or none. */
export type TestTls = { readonly certFile: string; readonly keyFile: string } | { readonly credentialName: string };

/** A gateway socket listener on `0.0.0.0:port` whose HCM fetches `http.<port>` over ADS. */
export function gatewaySocketListener(port: number, tls?: TestTls): Record<string, unknown> {
  const name = `0.0.0.0_${port}`;
  const hcm = {
    '@type': HCM,
    stat_prefix: `outbound_${name}`,
    rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: `http.${port}` },
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
  };
  const common = tls === undefined
    ? undefined
    : 'certFile' in tls
      ? { tls_certificates: [{ certificate_chain: { filename: tls.certFile }, private_key: { filename: tls.keyFile } }] }
      : { tls_certificate_sds_secret_configs: [{ name: tls.credentialName }] };
  return {
    name,
    address: { socket_address: { address: '0.0.0.0', port_value: port } },
    filter_chains: [{
      filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }],
      ...(common ? { transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: { '@type': DOWNSTREAM_TLS, common_tls_context: common } } } : {}),
    }],
  };
}

/** A snapshot holding just these listeners (what the planner reads); throws if any fails to compile. */
export function snapshotWithListeners(listeners: readonly Record<string, unknown>[]): MeshSnapshot {
  const { snapshot, errors } = compileSnapshot({
    listeners: new Map(listeners.map((l) => [String(l['name']), l])),
    routes: new Map(),
    clusters: new Map(),
    endpoints: new Map(),
  });
  if (errors.length > 0) throw new Error(errors.map((e) => `${e.name}: ${e.message}`).join('; '));
  return snapshot;
}
