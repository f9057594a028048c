// Gateway validation table: servers, ports, hosts and TLS modes.

import { type Case, runTable } from './table.test-util';

const http = (extra: Record<string, unknown> = {}) => ({ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['*'], ...extra });
const https = (tls: unknown, extra: Record<string, unknown> = {}) => ({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['bookinfo.example.com'], tls, ...extra });
const gw = (...servers: unknown[]) => ({ selector: { istio: 'ingressgateway' }, servers });

const valid: Case[] = [
  { name: 'the BookInfo gateway', spec: gw(http()), errors: [], warnings: [] },
  { name: 'HTTPS with certificate files', spec: gw(https({ mode: 'SIMPLE', serverCertificate: '/etc/certs/cert.pem', privateKey: '/etc/certs/key.pem' })), errors: [], warnings: [] },
  { name: 'an HTTP server redirecting to HTTPS', spec: gw(http({ tls: { httpsRedirect: true } }), https({ mode: 'SIMPLE', serverCertificate: '/c', privateKey: '/k' })), errors: [] },
  { name: 'namespaced and wildcard hosts', spec: gw(http({ hosts: ['./bookinfo.example.com', 'istio-system/*.example.com', '*/www.example.com'] })), errors: [] },
  { name: 'TLS passthrough', spec: gw({ port: { number: 443, name: 'tls', protocol: 'TLS' }, hosts: ['db.example.com'], tls: { mode: 'PASSTHROUGH' } }), errors: [] },
  { name: 'mutual TLS with a client CA', spec: gw(https({ mode: 'MUTUAL', serverCertificate: '/c', privateKey: '/k', caCertificates: '/ca' })), errors: [] },
  { name: 'a lower-case protocol', spec: gw(http({ port: { number: 80, name: 'http2', protocol: 'http2' } })), errors: [] },
];

const invalid: Case[] = [
  { name: 'no servers', spec: { selector: { istio: 'ingressgateway' } }, errors: [['spec.servers', 'at least one server']] },
  { name: 'a server without port', spec: gw({ hosts: ['*'] }), errors: [['spec.servers[0].port', 'is required']] },
  { name: 'port number 0', spec: gw(http({ port: { number: 0, name: 'http', protocol: 'HTTP' } })), errors: [['spec.servers[0].port.number', 'port 0 must be in 1..65535']] },
  { name: 'an unknown protocol', spec: gw(http({ port: { number: 80, name: 'http', protocol: 'HTTPX' } })), errors: [['spec.servers[0].port.protocol', 'unsupported protocol "HTTPX"']] },
  { name: 'a port without name', spec: gw(http({ port: { number: 80, protocol: 'HTTP' } })), errors: [['spec.servers[0].port.name', 'is required']] },
  { name: 'a targetPort', spec: gw(http({ port: { number: 80, name: 'http', protocol: 'HTTP', targetPort: 8080 } })), errors: [['spec.servers[0].port.targetPort', 'targetPort has no effect on Gateways']] },
  { name: 'no hosts', spec: gw(http({ hosts: [] })), errors: [['spec.servers[0].hosts', 'must not be empty']] },
  { name: 'a short host name', spec: gw(http({ hosts: ['productpage'] })), errors: [['spec.servers[0].hosts[0]', 'short host names are not allowed']] },
  { name: 'a partial wildcard', spec: gw(http({ hosts: ['foo*.example.com'] })), errors: [['spec.servers[0].hosts[0]', 'partial wildcards are not allowed']] },
  { name: 'a bad namespace in a host', spec: gw(http({ hosts: ['Bad_NS/www.example.com'] })), errors: [['spec.servers[0].hosts[0]', 'namespace "Bad_NS" must be']] },
  { name: 'HTTPS without TLS settings', spec: gw({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['a.example.com'] }), errors: [['spec.servers[0].tls', 'is required for HTTPS servers']] },
  { name: 'TLS termination on a plain HTTP server', spec: gw(http({ tls: { mode: 'SIMPLE', serverCertificate: '/c', privateKey: '/k' } })), errors: [['spec.servers[0].tls', 'may only set tls.httpsRedirect']] },
  { name: 'TLS settings on a TCP server', spec: gw({ port: { number: 27017, name: 'mongo', protocol: 'TCP' }, hosts: ['*'], tls: { mode: 'PASSTHROUGH' } }), errors: [['spec.servers[0].tls', 'only allowed on HTTPS and TLS servers']] },
  { name: 'SIMPLE TLS without certificate', spec: gw(https({ mode: 'SIMPLE' })), errors: [['spec.servers[0].tls.serverCertificate', 'is required for SIMPLE TLS'], ['spec.servers[0].tls.privateKey', 'is required for SIMPLE TLS']] },
  { name: 'MUTUAL TLS without client CA', spec: gw(https({ mode: 'MUTUAL', serverCertificate: '/c', privateKey: '/k' })), errors: [['spec.servers[0].tls.caCertificates', 'is required for MUTUAL']] },
  { name: 'ISTIO_MUTUAL with a certificate', spec: gw(https({ mode: 'ISTIO_MUTUAL', serverCertificate: '/c' })), errors: [['spec.servers[0].tls.serverCertificate', 'ISTIO_MUTUAL uses mesh certificates']] },
  { name: 'two certificate sources', spec: gw(https({ mode: 'SIMPLE', serverCertificate: '/c', privateKey: '/k', tlsCertificates: [{ serverCertificate: '/c2', privateKey: '/k2' }] })), errors: [['spec.servers[0].tls', 'set only one certificate source']] },
  { name: 'an unknown TLS version', spec: gw(https({ mode: 'SIMPLE', serverCertificate: '/c', privateKey: '/k', minProtocolVersion: 'TLSV1_4' })), errors: [['spec.servers[0].tls.minProtocolVersion', 'is not one of TLS_AUTO']] },
  { name: 'duplicate port names', spec: gw(http(), http({ port: { number: 8081, name: 'http', protocol: 'HTTP' } })), errors: [['spec.servers[1].port.name', 'duplicate port name "http" (also servers[0])']] },
  { name: 'duplicate server names', spec: gw(http({ name: 'a' }), https({ mode: 'SIMPLE', serverCertificate: '/c', privateKey: '/k' }, { name: 'a' })), errors: [['spec.servers[1].name', 'duplicate server name "a"']] },
  { name: 'a selector label value with "*"', spec: { selector: { istio: 'ingress*' }, servers: [http()] }, errors: [['spec.selector[istio]', 'label value "ingress*" is invalid']] },
];

const envelope: Case[] = [
  { name: 'a gateway name with dots (Istio requires a DNS label)', doc: { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'my.gateway' }, spec: gw(http()) }, errors: [['metadata.name', 'not a valid DNS-1123 label']] },
];

describe('Gateway validation', () => {
  describe('valid specs', () => runTable('Gateway', 'networking.istio.io/v1', valid));
  describe('invalid specs', () => runTable('Gateway', 'networking.istio.io/v1', invalid));
  describe('name', () => runTable('Gateway', 'networking.istio.io/v1', envelope));
});
