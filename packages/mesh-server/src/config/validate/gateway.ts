// Gateway spec validation: servers (port, hosts, TLS) and the selector, with Istio's webhook
// rules (ValidateGateway, validateServer, validateTLSOptions, ValidateNamespaceSlashWildcardHostname).

import { labelMap, report, setFields } from './common';
import { dns1123LabelError, ipOrCidrError, isIpAddress, portError, wildcardDomainError } from './names';
import {
  at, boolean, type Ctx, enumOf, has, item, list, listOf, notEnforced, object, rec, rejected, type Schema, str, string, uint32,
} from './schema';

/** Port protocols Istio knows (case-insensitive), and the HTTP and TLS families among them. */
const PROTOCOLS = ['HTTP', 'HTTPS', 'GRPC', 'GRPC-WEB', 'HTTP2', 'MONGO', 'MYSQL', 'REDIS', 'TCP', 'TLS', 'UDP', 'HTTP_PROXY'];
const HTTP_PROTOCOLS = ['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB', 'HTTP_PROXY'];
const TLS_PROTOCOLS = ['HTTPS', 'TLS'];

/** A port protocol name as Istio parses it (case-insensitive). */
export const protocolName = (): Schema => string({
  check(v, p, ctx) {
    if (!PROTOCOLS.includes(v.toUpperCase())) ctx.error(p, `unsupported protocol ${JSON.stringify(v)}; use one of ${PROTOCOLS.join(', ')}`);
  },
});

const secretReason = 'only the first credential is served (one certificate per server); use credentialName';
const TLS_VERSIONS = ['TLS_AUTO', 'TLSV1_0', 'TLSV1_1', 'TLSV1_2', 'TLSV1_3'];

const serverTls = object(
  {
    httpsRedirect: boolean(),
    mode: enumOf(['PASSTHROUGH', 'SIMPLE', 'MUTUAL', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL', 'OPTIONAL_MUTUAL']),
    serverCertificate: string(),
    privateKey: string(),
    caCertificates: string(),
    caCrl: notEnforced(string(), 'certificate revocation lists are not checked'),
    // Resolved by `inboard gateway --credential-dir DIR` as DIR/<name>/tls.crt, tls.key, ca.crt.
    credentialName: string(),
    credentialNames: notEnforced(listOf(string(), { minItems: 1, maxItems: 2 }), secretReason),
    caCertCredentialName: string(),
    tlsCertificates: listOf(object({ serverCertificate: string(), privateKey: string(), caCertificates: string() }), { minItems: 1, maxItems: 2 }),
    subjectAltNames: notEnforced(listOf(string()), 'the Inboard gateway cannot check client-certificate SANs; a server that sets them is not served'),
    verifyCertificateSpki: notEnforced(listOf(string()), 'client certificate pinning is not implemented'),
    verifyCertificateHash: notEnforced(listOf(string()), 'client certificate pinning is not implemented'),
    minProtocolVersion: enumOf(TLS_VERSIONS),
    maxProtocolVersion: enumOf(TLS_VERSIONS),
    cipherSuites: listOf(string()),
    ecdhCurves: listOf(string()),
    insecureSkipVerify: boolean(),
  },
  { exclusive: [['credentialName', 'credentialNames'], ['credentialNames', 'tlsCertificates'], ['credentialName', 'tlsCertificates']], check: checkServerTls },
);

/** Istio's validateTLSOptions: which certificate fields each mode needs or forbids. */
function checkServerTls(tls: Record<string, unknown>, path: string, ctx: Ctx): void {
  const mode = str(tls.mode) ?? 'PASSTHROUGH';
  const certFields = ['serverCertificate', 'privateKey', 'caCertificates', 'caCrl', 'credentialName', 'credentialNames', 'tlsCertificates'];
  if ((tls.minProtocolVersion === 'TLSV1_0' || tls.minProtocolVersion === 'TLSV1_1') && list(tls.cipherSuites).length === 0) {
    ctx.warn(at(path, 'minProtocolVersion'), 'TLS versions below 1.2 need cipherSuites set to compatible ciphers');
  }
  if (mode === 'ISTIO_MUTUAL') {
    for (const f of setFields(tls, certFields)) ctx.error(at(path, f), 'ISTIO_MUTUAL uses mesh certificates; remove this field');
    ctx.warn(at(path, 'mode'), 'accepted but not served: ISTIO_MUTUAL needs the gateway\'s own mesh certificate, which `inboard gateway` does not obtain yet');
    return;
  }
  if (mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') {
    if (setFields(tls, certFields).length > 0) ctx.warn(path, `${mode} does not terminate TLS; the certificate fields are ignored`);
    ctx.warn(at(path, 'mode'), `accepted but not served: ${mode} (TLS routed by SNI without terminating) is not supported by the Inboard gateway`);
    return;
  }
  const sources = [
    has(tls, 'serverCertificate') && has(tls, 'privateKey'),
    has(tls, 'credentialName'),
    list(tls.credentialNames).length > 0,
    list(tls.tlsCertificates).length > 0,
  ].filter(Boolean).length;
  if (sources > 1) ctx.error(path, 'set only one certificate source: serverCertificate/privateKey, credentialName, credentialNames or tlsCertificates');
  const mutual = mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL';
  if (has(tls, 'credentialName') || list(tls.credentialNames).length > 0) return; // credentials come from the secret
  if (mutual && !has(tls, 'caCertificates')) ctx.error(at(path, 'caCertificates'), `is required for ${mode} (the client CA bundle)`);
  const certs = list(tls.tlsCertificates).length > 0 ? list(tls.tlsCertificates).map(rec) : [tls];
  certs.forEach((cert, i) => {
    const where = list(tls.tlsCertificates).length > 0 ? item(at(path, 'tlsCertificates'), i) : path;
    for (const f of ['serverCertificate', 'privateKey']) {
      if (!has(cert, f)) ctx.error(at(where, f), `is required for ${mode} TLS`);
    }
  });
}

/** A server host: "[namespace/]host", where namespace is "*", "." or a name, and host an FQDN, "*.domain", "*" or an IP. */
const serverHost = (): Schema => string({
  check(value, path, ctx) {
    const slash = value.indexOf('/');
    const ns = slash < 0 ? undefined : value.slice(0, slash);
    const host = slash < 0 ? value : value.slice(slash + 1);
    if (ns !== undefined) {
      if (ns === '' || host === '') return ctx.error(path, `${JSON.stringify(value)}: namespace and host must both be set in "<namespace>/<host>"`);
      if (ns !== '*' && ns !== '.' && dns1123LabelError(ns) !== undefined) ctx.error(path, `${JSON.stringify(value)}: namespace ${JSON.stringify(ns)} must be "*", "." or a namespace name`);
    }
    if (host === '*') return;
    if (!host.includes('.')) return ctx.error(path, `${JSON.stringify(value)}: short host names are not allowed on gateways; use a fully qualified name or "*"`);
    if (host.includes('*') && !host.startsWith('*.')) return ctx.error(path, `${JSON.stringify(value)}: partial wildcards are not allowed; use "*.domain"`);
    if (!isIpAddress(host)) report(ctx, path, wildcardDomainError(host));
  },
});

const server = object(
  {
    port: object(
      {
        number: uint32((n, p, ctx) => report(ctx, p, portError(n))),
        protocol: protocolName(),
        name: string({ nonEmpty: true }),
        targetPort: rejected('targetPort has no effect on Gateways; remove it'),
      },
      { required: ['number', 'protocol', 'name'] },
    ),
    bind: notEnforced(string({
      check(v, p, ctx) {
        if (v.startsWith('unix://')) return;
        if (!isIpAddress(v)) report(ctx, p, ipOrCidrError(v) && `bind ${JSON.stringify(v)} must be an IP address or unix:// path`);
      },
    }), 'the gateway binds to the address it was started with'),
    hosts: listOf(serverHost(), { minItems: 1 }),
    tls: serverTls,
    name: string(),
    defaultEndpoint: notEnforced(string(), 'gateways route only through VirtualServices'),
  },
  { required: ['port', 'hosts'], check: checkServerProtocolTls },
);

/** HTTPS/TLS servers need TLS settings; plain servers may carry only httpsRedirect. */
function checkServerProtocolTls(srv: Record<string, unknown>, path: string, ctx: Ctx): void {
  const protocol = str(rec(srv.port)?.protocol)?.toUpperCase();
  if (protocol === undefined || !PROTOCOLS.includes(protocol)) return;
  const tls = rec(srv.tls);
  if (TLS_PROTOCOLS.includes(protocol)) {
    if (!tls) ctx.error(at(path, 'tls'), `is required for ${protocol} servers`);
    return;
  }
  if (!tls) return;
  if (!HTTP_PROTOCOLS.includes(protocol)) return ctx.error(at(path, 'tls'), `TLS settings are only allowed on HTTPS and TLS servers, not ${protocol}`);
  const passthrough = tls.mode === undefined || tls.mode === 'PASSTHROUGH' || tls.mode === 'AUTO_PASSTHROUGH';
  if (!passthrough || ['caCertificates', 'privateKey', 'serverCertificate'].some((f) => has(tls, f))) {
    ctx.error(at(path, 'tls'), `a plain ${protocol} server may only set tls.httpsRedirect`);
  }
}

/** The Gateway spec schema. */
export const gatewaySpec: Schema = object(
  {
    servers: listOf(server),
    selector: labelMap(),
  },
  {
    check(spec, path, ctx) {
      const servers = list(spec.servers);
      if (servers.length === 0) ctx.error(at(path, 'servers'), 'a gateway needs at least one server');
      const portNames = new Map<string, number>();
      const serverNames = new Map<string, number>();
      servers.forEach((s, i) => {
        const srv = rec(s);
        const portName = str(rec(srv?.port)?.name);
        if (portName !== undefined && portName !== '') {
          const first = portNames.get(portName);
          if (first !== undefined) ctx.error(at(at(item(at(path, 'servers'), i), 'port'), 'name'), `duplicate port name ${JSON.stringify(portName)} (also servers[${first}])`);
          else portNames.set(portName, i);
        }
        const name = str(srv?.name);
        if (name !== undefined && name !== '') {
          const first = serverNames.get(name);
          if (first !== undefined) ctx.error(at(item(at(path, 'servers'), i), 'name'), `duplicate server name ${JSON.stringify(name)} (also servers[${first}])`);
          else serverNames.set(name, i);
        }
        const protocol = str(rec(srv?.port)?.protocol)?.toUpperCase();
        if (rec(srv?.tls)?.httpsRedirect === true && protocol !== undefined && !HTTP_PROTOCOLS.includes(protocol)) {
          ctx.warn(at(at(item(at(path, 'servers'), i), 'tls'), 'httpsRedirect'), 'httpsRedirect only has an effect on HTTP servers');
        }
      });
    },
  },
);
