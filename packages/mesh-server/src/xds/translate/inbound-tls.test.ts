// Inbound mTLS filter chains per PeerAuthentication mode (STRICT / PERMISSIVE / DISABLE), for Inboard
// servers and for gRPC xDS servers, through the strict encoder and grpc-js-xds's Listener validator.

import assert from 'node:assert/strict';
import { translate } from './index';
import { readInboardMetadata } from './struct';
import { bookinfoRegistry, get, grpcClient, parseConfig, sidecar, warningLines } from './test-support';
import { encodeErrors, grpcNacks } from './wire-check';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const LISTENER = 'xds.istio.io/grpc/lds/inbound/10.0.0.4:9080';
const REVIEWS_V1 = { labels: { app: 'reviews', version: 'v1' } };
const DOWNSTREAM_MTLS = {
  name: 'envoy.transport_sockets.tls',
  typed_config: {
    '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
    common_tls_context: {
      tls_certificate_provider_instance: { instance_name: 'default', certificate_name: 'default' },
      combined_validation_context: { default_validation_context: { ca_certificate_provider_instance: { instance_name: 'default', certificate_name: 'ROOTCA' } } },
    },
    require_client_certificate: { value: true },
  },
};

const peerAuthentication = (mode: string) => (mode === 'default' ? [] : parseConfig(`
kind: PeerAuthentication
metadata: { name: reviews }
spec: { selector: { matchLabels: { app: reviews } }, mtls: { mode: ${mode} } }`));

/** [name, transport_protocol match, has TLS] of each chain. */
function chains(listener: Loose): [string, string | null, boolean][] {
  return listener.filter_chains.map((c: Loose) => [c.name, c.filter_chain_match?.transport_protocol ?? null, c.transport_socket !== undefined]);
}

describe('translate/inbound mTLS filter chains (PeerAuthentication → DownstreamTlsContext)', () => {
  const table: [string, [string, string | null, boolean][], [string, string | null, boolean][]][] = [
    // mode, Inboard server chains, gRPC server chains
    ['STRICT', [['inbound-mtls', null, true]], [['inbound-mtls', null, true]]],
    ['PERMISSIVE', [['inbound-mtls', 'tls', true], ['inbound-plaintext', 'raw_buffer', false]], [['inbound-plaintext', null, false]]],
    ['default', [['inbound-mtls', 'tls', true], ['inbound-plaintext', 'raw_buffer', false]], [['inbound-plaintext', null, false]]],
    ['DISABLE', [['inbound-plaintext', null, false]], [['inbound-plaintext', null, false]]],
  ];
  for (const [mode, inboard, grpc] of table) {
    it(`${mode}: chains, metadata kept, strict encoding and grpc-js-xds acceptance`, () => {
      const config = peerAuthentication(mode);
      const ours = translate({ config, registry: bookinfoRegistry() }, sidecar(REVIEWS_V1));
      const listener = get(ours.listeners, LISTENER);
      assert.deepEqual(chains(listener), inboard);
      for (const chain of listener.filter_chains as Loose[]) {
        if (chain.transport_socket) assert.deepEqual(chain.transport_socket, DOWNSTREAM_MTLS);
      }
      assert.equal(readInboardMetadata(listener).mtls_mode, mode === 'default' ? 'PERMISSIVE' : mode);
      assert.deepEqual(encodeErrors(ours).errors, []);
      const theirs = translate({ config, registry: bookinfoRegistry() }, grpcClient(REVIEWS_V1));
      assert.deepEqual(chains(get(theirs.listeners, LISTENER)), grpc);
      assert.deepEqual(grpcNacks(theirs, ['listeners']), []);
    });
  }

  it('an explicit PERMISSIVE policy served to a gRPC server is flagged (plaintext only)', () => {
    const result = translate({ config: peerAuthentication('PERMISSIVE'), registry: bookinfoRegistry() }, grpcClient(REVIEWS_V1));
    assert.ok(warningLines(result).some((w) => w.startsWith('PeerAuthentication/default/reviews: port 9080: PERMISSIVE is served to a proxyless gRPC server as plaintext only')));
  });

  it('a gRPC server bootstrapped without certificate providers rejects a STRICT listener (the checks can fail)', () => {
    const result = translate({ config: peerAuthentication('STRICT'), registry: bookinfoRegistry() }, grpcClient(REVIEWS_V1));
    const nacks = grpcNacks(result, ['listeners'], { certificateProviders: false }).filter((n) => n.includes('10.0.0.4'));
    assert.equal(nacks.length, 1);
    assert.match(nacks[0]!, /Unmatched .*instance_name: default/);
  });
});
