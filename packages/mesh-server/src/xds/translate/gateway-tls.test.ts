// HTTPS Gateway servers → SNI-matched filter chains with a DownstreamTlsContext, one row per tls mode
// (SIMPLE / MUTUAL / OPTIONAL_MUTUAL / ISTIO_MUTUAL with files or a credentialName), the rejected
// modes, httpsRedirect, and the whole result through the strict encoder.

import assert from 'node:assert/strict';
import { translate } from './index';
import { bookinfoRegistry, get, ingressGateway, parseConfig, warningLines } from './test-support';
import { encodeErrors } from './wire-check';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DOWNSTREAM = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const ADS = { ads: {}, resource_api_version: 'V3' };

function gateway(servers: string) {
  const config = parseConfig(`
kind: Gateway
metadata: { name: gw }
spec:
  selector: { istio: ingressgateway }
  servers:
${servers}
---
kind: VirtualService
metadata: { name: bookinfo }
spec:
  hosts: ['*']
  gateways: [gw]
  http: [{ route: [{ destination: { host: productpage, port: { number: 9080 } } }] }]`);
  const result = translate({ config, registry: bookinfoRegistry() }, ingressGateway());
  assert.deepEqual(encodeErrors(result).errors, []);
  return { result, warnings: warningLines(result) };
}

const server = (port: number, hosts: string, tls: string, protocol = 'HTTPS') =>
  `  - port: { number: ${port}, name: p${port}, protocol: ${protocol} }\n    hosts: ${hosts}\n    tls: ${tls}`;

const contextOf = (chain: Loose) => {
  assert.equal(chain.transport_socket.name, 'envoy.transport_sockets.tls');
  assert.equal(chain.transport_socket.typed_config['@type'], DOWNSTREAM);
  const { '@type': _type, ...rest } = chain.transport_socket.typed_config;
  return rest;
};

describe('translate/gateway-tls (HTTPS Gateway servers)', () => {
  const table: [string, string, Loose][] = [
    ['SIMPLE with credentialName → SDS secret kubernetes://NAME', '{ mode: SIMPLE, credentialName: bookinfo-credential }', {
      common_tls_context: { tls_certificate_sds_secret_configs: [{ name: 'kubernetes://bookinfo-credential', sds_config: ADS }] },
    }],
    ['SIMPLE with Istio file fields and TLS parameters', '{ mode: SIMPLE, serverCertificate: /etc/c.pem, privateKey: /etc/k.pem, minProtocolVersion: TLSV1_2, cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256] }', {
      common_tls_context: {
        tls_certificates: [{ certificate_chain: { filename: '/etc/c.pem' }, private_key: { filename: '/etc/k.pem' } }],
        tls_params: { tls_minimum_protocol_version: 'TLSv1_2', cipher_suites: ['ECDHE-RSA-AES128-GCM-SHA256'] },
      },
    }],
    ['MUTUAL with credentialName → the client CA from NAME-cacert, client certificate required', '{ mode: MUTUAL, credentialName: bookinfo-credential }', {
      common_tls_context: {
        tls_certificate_sds_secret_configs: [{ name: 'kubernetes://bookinfo-credential', sds_config: ADS }],
        combined_validation_context: { default_validation_context: {}, validation_context_sds_secret_config: { name: 'kubernetes://bookinfo-credential-cacert', sds_config: ADS } },
      },
      require_client_certificate: { value: true },
    }],
    ['MUTUAL with files', '{ mode: MUTUAL, serverCertificate: /c.pem, privateKey: /k.pem, caCertificates: /ca.pem }', {
      common_tls_context: {
        tls_certificates: [{ certificate_chain: { filename: '/c.pem' }, private_key: { filename: '/k.pem' } }],
        validation_context: { trusted_ca: { filename: '/ca.pem' } },
      },
      require_client_certificate: { value: true },
    }],
    ['OPTIONAL_MUTUAL: the CA, no requirement', '{ mode: OPTIONAL_MUTUAL, serverCertificate: /c.pem, privateKey: /k.pem, caCertificates: /ca.pem }', {
      common_tls_context: {
        tls_certificates: [{ certificate_chain: { filename: '/c.pem' }, private_key: { filename: '/k.pem' } }],
        validation_context: { trusted_ca: { filename: '/ca.pem' } },
      },
    }],
    ['ISTIO_MUTUAL: mesh certificate and root from the provider instance', '{ mode: ISTIO_MUTUAL }', {
      common_tls_context: {
        tls_certificate_provider_instance: { instance_name: 'default', certificate_name: 'default' },
        combined_validation_context: { default_validation_context: { ca_certificate_provider_instance: { instance_name: 'default', certificate_name: 'ROOTCA' } } },
      },
      require_client_certificate: { value: true },
    }],
  ];
  for (const [name, tls, expected] of table) {
    it(name, () => {
      const { result, warnings } = gateway(server(443, '[bookinfo.example.com]', tls));
      const listener = get(result.listeners, '0.0.0.0_443');
      assert.equal(listener.filter_chains.length, 1);
      const [chain] = listener.filter_chains;
      assert.deepEqual(chain.filter_chain_match, { server_names: ['bookinfo.example.com'] });
      assert.equal(chain.filters[0].typed_config.rds.route_config_name, 'http.443');
      assert.deepEqual(contextOf(chain), expected);
      assert.deepEqual(get(result.routes, 'http.443').virtual_hosts.map((v: Loose) => v.name), ['bookinfo.example.com:443']);
      assert.deepEqual(warnings, []);
    });
  }

  it('one SNI chain per server on a port; "*" matches any name; repeated names are flagged', () => {
    const { result, warnings } = gateway([
      server(443, '[bookinfo.example.com]', '{ mode: SIMPLE, credentialName: a }'),
      server(443, '["default/*.shop.example.com", "Admin.example.com"]', '{ mode: SIMPLE, credentialName: b }'),
      server(443, "['*']", '{ mode: SIMPLE, credentialName: c }'),
      server(443, '[bookinfo.example.com]', '{ mode: SIMPLE, credentialName: d }'),
    ].join('\n'));
    const chains = get(result.listeners, '0.0.0.0_443').filter_chains as Loose[];
    assert.deepEqual(chains.map((c) => [c.name, c.filter_chain_match?.server_names ?? null]), [
      ['Gateway/default/gw servers[0]', ['bookinfo.example.com']],
      ['Gateway/default/gw servers[1]', ['*.shop.example.com', 'admin.example.com']],
      ['Gateway/default/gw servers[2]', null],
    ]);
    assert.ok(warnings.some((w) => w.includes('servers[3]: hosts bookinfo.example.com are already served over TLS on port 443')), warnings.join('\n'));
  });

  it('rejects what it cannot terminate, naming the server: PASSTHROUGH, no certificate, MUTUAL without a CA, plaintext beside TLS', () => {
    const { result, warnings } = gateway([
      server(443, "['*']", '{ mode: PASSTHROUGH }'),
      server(8443, "['*']", '{ mode: SIMPLE }'),
      server(9443, "['*']", '{ mode: MUTUAL, serverCertificate: /c.pem, privateKey: /k.pem }'),
      server(10443, "['*']", '{ mode: SIMPLE, credentialName: ok }'),
      `  - port: { number: 10443, name: plain, protocol: HTTP }\n    hosts: ['*']`,
    ].join('\n'));
    assert.deepEqual([...result.listeners.keys()], ['0.0.0.0_10443']);
    const expected = [
      'servers[0]: tls.mode PASSTHROUGH (TLS passthrough, routed by SNI without terminating) is not supported by the Inboard gateway',
      'servers[1]: tls.mode SIMPLE needs a certificate: set credentialName',
      'servers[2]: tls.mode MUTUAL needs the client CA',
      'servers[4]: port 10443 also has TLS servers',
    ];
    for (const text of expected) assert.ok(warnings.some((w) => w.startsWith(`Gateway/default/gw: ${text}`)), `${text}\n${warnings.join('\n')}`);
  });

  it('httpsRedirect on an HTTP server: require_tls ALL on its virtual hosts (the gateway answers 301)', () => {
    const { result } = gateway(`  - port: { number: 80, name: http, protocol: HTTP }\n    hosts: [bookinfo.example.com]\n    tls: { httpsRedirect: true }`);
    const listener = get(result.listeners, '0.0.0.0_80');
    assert.equal(listener.filter_chains[0].transport_socket, undefined);
    assert.deepEqual(get(result.routes, 'http.80').virtual_hosts.map((v: Loose) => [v.name, v.require_tls]), [['bookinfo.example.com:80', 'ALL']]);
  });
});
