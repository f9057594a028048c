// The gateway's TLS chain plan: DownstreamTlsContext → files (Istio file fields, credential directory,
// operator certificate), client-certificate mode, TLS parameters, and SNI chain selection.
import assert from 'node:assert/strict';
import { chainForServerName, planTlsChain, serverNameMatches, type TlsChainPlan } from './tls-plan';

const DOWNSTREAM = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const ADS = { ads: {}, resource_api_version: 'V3' };
const socket = (context: Record<string, unknown>) => ({ name: 'envoy.transport_sockets.tls', typed_config: { '@type': DOWNSTREAM, ...context } });
const files = { tls_certificates: [{ certificate_chain: { filename: '/c.pem' }, private_key: { filename: '/k.pem' } }] };
const credential = (name: string) => ({ tls_certificate_sds_secret_configs: [{ name: `kubernetes://${name}`, sds_config: ADS }] });

describe('gateway TLS chain plan', () => {
  it('resolves each certificate source and client-certificate mode', () => {
    const cases: [string, Record<string, unknown>, Partial<TlsChainPlan> | RegExp][] = [
      ['files', { common_tls_context: files }, { certFile: '/c.pem', keyFile: '/k.pem', clientCertificate: 'none' }],
      ['credential dir', { common_tls_context: credential('bookinfo') }, { certFile: '/creds/bookinfo/tls.crt', keyFile: '/creds/bookinfo/tls.key' }],
      ['MUTUAL credential: ca.crt of the same credential', {
        common_tls_context: { ...credential('m'), combined_validation_context: { default_validation_context: {}, validation_context_sds_secret_config: { name: 'kubernetes://m-cacert' } } },
        require_client_certificate: { value: true },
      }, { certFile: '/creds/m/tls.crt', caFile: '/creds/m/ca.crt', clientCertificate: 'required' }],
      ['MUTUAL files', { common_tls_context: { ...files, validation_context: { trusted_ca: { filename: '/ca.pem' } } }, require_client_certificate: { value: true } }, { caFile: '/ca.pem', clientCertificate: 'required' }],
      ['OPTIONAL_MUTUAL', { common_tls_context: { ...files, validation_context: { trusted_ca: { filename: '/ca.pem' } } } }, { caFile: '/ca.pem', clientCertificate: 'optional' }],
      ['TLS parameters', { common_tls_context: { ...files, tls_params: { tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3', cipher_suites: ['A', 'B'], ecdh_curves: ['X25519', 'P-256'] } } },
        { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', ciphers: 'A:B', ecdhCurve: 'X25519:P-256' }],
      ['ISTIO_MUTUAL is refused with the reason', { common_tls_context: { tls_certificate_provider_instance: { instance_name: 'default' } } }, /ISTIO_MUTUAL needs the gateway's own mesh certificate/],
      ['client SAN checks are refused, not ignored', { common_tls_context: { ...files, validation_context: { trusted_ca: { filename: '/ca.pem' }, match_subject_alt_names: [{ exact: 'x' }] } } }, /subjectAltNames checks of client certificates are not supported/],
      ['MUTUAL without a CA', { common_tls_context: files, require_client_certificate: { value: true } }, /requires client certificates \(MUTUAL\) but names no client CA/],
    ];
    for (const [name, context, expected] of cases) {
      const plan = planTlsChain('gw servers[0]', ['A.example.com'], socket(context), { credentialDir: '/creds/' });
      if (expected instanceof RegExp) {
        assert.equal(typeof plan, 'string', name);
        assert.match(plan as string, expected, name);
      } else {
        assert.notEqual(typeof plan, 'string', `${name}: ${String(plan)}`);
        for (const [key, value] of Object.entries(expected)) assert.deepEqual((plan as unknown as Record<string, unknown>)[key], value, `${name}: ${key}`);
        assert.deepEqual((plan as TlsChainPlan).serverNames, ['a.example.com']);
      }
    }
  });

  it('without a credential directory: the operator certificate, else a message naming the credential and the flag', () => {
    const operator = { certFile: '/op/c.pem', keyFile: '/op/k.pem' };
    const withOperator = planTlsChain('s', [], socket({ common_tls_context: credential('bookinfo-credential') }), { operator });
    assert.deepEqual([(withOperator as TlsChainPlan).certFile, (withOperator as TlsChainPlan).keyFile], [operator.certFile, operator.keyFile]);
    assert.match(planTlsChain('s', [], socket({ common_tls_context: credential('bookinfo-credential') }), {}) as string,
      /credentialName "bookinfo-credential" needs a credential directory: start the gateway with --credential-dir DIR holding DIR\/bookinfo-credential\/tls\.crt and tls\.key/);
    assert.match(planTlsChain('s', [], { name: 'x', typed_config: { '@type': 'type.googleapis.com/other.Thing' } }, {}) as string, /is not a DownstreamTlsContext/);
  });

  it('matches SNI as Envoy: exact, then the longest wildcard, then the chain without names; none → undefined', () => {
    const chains = [
      { name: 'exact', serverNames: ['shop.example.com'] },
      { name: 'wild', serverNames: ['*.example.com'] },
      { name: 'deeper', serverNames: ['*.eu.example.com'] },
    ];
    const pick = (sni: string | undefined, list = chains) => chainForServerName(list, sni)?.name;
    assert.equal(pick('shop.example.com'), 'exact');
    assert.equal(pick('SHOP.example.com'), 'exact');
    assert.equal(pick('a.example.com'), 'wild');
    assert.equal(pick('a.eu.example.com'), 'deeper');
    assert.equal(pick('example.com'), undefined);
    assert.equal(pick(undefined), undefined);
    assert.equal(pick('other.org', [...chains, { name: 'any', serverNames: [] }]), 'any');
    assert.equal(pick(undefined, [...chains, { name: 'any', serverNames: [] }]), 'any');
    assert.equal(serverNameMatches([], 'anything'), true);
    assert.equal(serverNameMatches(['*.example.com'], 'example.com'), false);
    assert.equal(serverNameMatches(['*.example.com'], 'x.example.com'), true);
  });
});
