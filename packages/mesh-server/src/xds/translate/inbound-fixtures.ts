// Test fixture: AuthorizationPolicies and PeerAuthentications using every field and condition key
// Inboard translates, over BookInfo's registry — for the wire tests of inbound listeners (strict
// encoding, grpc-js-xds acceptance with its RBAC filter enabled). Used only by tests.

import type { Resource } from '../../config/resource';
import { parseConfig } from './test-support';

/** Every source field, operation field and `when` key, in ALLOW, DENY, AUDIT and dry-run policies. */
export function inboundKitchenSinkConfig(): Resource[] {
  return parseConfig(`
kind: AuthorizationPolicy
metadata: { name: everything, namespace: default }
spec:
  selector: { matchLabels: { app: reviews } }
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/default/sa/a", "cluster.local/ns/default/sa/b*", "*-suffix", "*"]
        notPrincipals: ["cluster.local/ns/evil/sa/x"]
        requestPrincipals: ["https://issuer.example/alice", "https://issuer.example/*", "*"]
        notRequestPrincipals: ["*/mallory"]
        namespaces: ["default", "team-*", "*-prod"]
        notNamespaces: ["kube-system"]
        ipBlocks: ["10.0.0.0/8", "192.168.1.1", "2001:db8::/32"]
        notIpBlocks: ["10.9.0.0/16"]
        remoteIpBlocks: ["203.0.113.0/24"]
        notRemoteIpBlocks: ["203.0.113.9"]
    - source:
        serviceAccounts: ["default/bookinfo-productpage", "cert-manager.io"]
        notServiceAccounts: ["default/evil"]
        trustDomains: ["cluster.local", "*.corp"]
    to:
    - operation:
        hosts: ["reviews", "reviews:*", "*.svc.cluster.local"]
        notHosts: ["evil.example"]
        methods: ["GET", "HEAD"]
        notMethods: ["DELETE"]
        paths: ["/reviews/*", "*/ratings", "/api/{*}/items", "/files/{**}", "*"]
        notPaths: ["/admin*"]
        ports: ["9080"]
        notPorts: ["15000"]
    when:
    - { key: "request.headers[X-Tenant]", values: ["acme", "acme-*"], notValues: ["evil"] }
    - { key: source.ip, values: ["10.0.0.0/8"] }
    - { key: remote.ip, notValues: ["203.0.113.7"] }
    - { key: source.namespace, values: ["default"] }
    - { key: source.principal, values: ["cluster.local/ns/default/sa/*"] }
    - { key: source.serviceAccount, values: ["bookinfo-productpage"] }
    - { key: source.trustDomain, values: ["cluster.local"] }
    - { key: request.auth.principal, values: ["https://issuer.example/alice"] }
    - { key: request.auth.audiences, values: ["reviews", "bookinfo-*"] }
    - { key: request.auth.presenter, values: ["web-app"] }
    - { key: "request.auth.claims[groups]", values: ["admins"] }
    - { key: "request.auth.claims[nested][role]", notValues: ["guest"] }
    - { key: destination.ip, values: ["10.0.0.0/8", "::1"] }
    - { key: destination.port, values: ["9080"] }
    - { key: connection.sni, values: ["*.svc.cluster.local"] }
---
kind: AuthorizationPolicy
metadata: { name: deny-admin, namespace: istio-system }
spec: { action: DENY, rules: [{ to: [{ operation: { paths: ["/admin*"], methods: ["POST"] } }] }] }
---
kind: AuthorizationPolicy
metadata: { name: audit-all, namespace: default }
spec: { action: AUDIT, rules: [{}] }
---
kind: AuthorizationPolicy
metadata: { name: trial, namespace: default, annotations: { istio.io/dry-run: "true" } }
spec: { action: DENY, rules: [{ from: [{ source: { notNamespaces: ["default"] } }] }] }
---
kind: AuthorizationPolicy
metadata: { name: allow-nothing, namespace: default }
spec: {}
---
kind: PeerAuthentication
metadata: { name: default, namespace: istio-system }
spec: { mtls: { mode: STRICT } }
---
kind: PeerAuthentication
metadata: { name: reviews, namespace: default }
spec: { selector: { matchLabels: { app: reviews } }, portLevelMtls: { "9080": { mode: PERMISSIVE } } }
`);
}
