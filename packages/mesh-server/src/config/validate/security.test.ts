// PeerAuthentication, AuthorizationPolicy and RequestAuthentication validation tables.

import { type Case, runTable } from './table.test-util';

const selector = { matchLabels: { app: 'reviews' } };

const peerAuthentication: Case[] = [
  { name: 'STRICT namespace-wide', spec: { mtls: { mode: 'STRICT' } }, errors: [], warnings: [] },
  { name: 'port-level mTLS with a selector', spec: { selector, mtls: { mode: 'STRICT' }, portLevelMtls: { '9080': { mode: 'PERMISSIVE' }, '15000': { mode: 'DISABLE' } } }, errors: [] },
  { name: 'an empty spec (inherit)', spec: {}, errors: [] },
  { name: 'an unknown mode', spec: { mtls: { mode: 'MUTUAL' } }, errors: [['spec.mtls.mode', '"MUTUAL" is not one of UNSET, DISABLE, PERMISSIVE, STRICT']] },
  { name: 'port-level mTLS without selector', spec: { portLevelMtls: { '9080': { mode: 'DISABLE' } } }, errors: [['spec.portLevelMtls', 'requires a selector with matchLabels']] },
  { name: 'a non-numeric port key', spec: { selector, portLevelMtls: { http: { mode: 'DISABLE' } } }, errors: [['spec.portLevelMtls[http]', '"http" is not a port number']] },
  { name: 'a port key out of range', spec: { selector, portLevelMtls: { '70000': { mode: 'DISABLE' } } }, errors: [['spec.portLevelMtls[70000]', 'is not a port number in 1..65535']] },
  { name: 'an empty portLevelMtls', spec: { selector, portLevelMtls: {} }, errors: [['spec.portLevelMtls', 'must have at least one port when set']] },
  { name: 'a wildcard selector value', spec: { selector: { matchLabels: { app: 'rev*' } } }, errors: [['spec.selector.matchLabels[app]', 'wildcard "rev*" is not supported in a selector']] },
  { name: 'a selector without labels (warning)', spec: { selector: { matchLabels: {} }, mtls: { mode: 'STRICT' } }, errors: [], warnings: [['spec.selector.matchLabels', 'selects every workload']] },
];

const from = (source: Record<string, unknown>) => ({ from: [{ source }] });
const toOp = (operation: Record<string, unknown>) => ({ to: [{ operation }] });

const authorizationPolicy: Case[] = [
  { name: 'allow-nothing (empty spec)', spec: {}, errors: [], warnings: [] },
  { name: 'allow-all (one empty rule)', spec: { rules: [{}] }, errors: [] },
  { name: 'the BookInfo viewer policy', spec: { selector, action: 'ALLOW', rules: [{ ...from({ principals: ['cluster.local/ns/default/sa/bookinfo-productpage'] }), ...toOp({ methods: ['GET'] }) }] }, errors: [], warnings: [] },
  {
    name: 'every source, operation and condition form',
    spec: {
      action: 'DENY',
      rules: [{
        from: [{ source: { requestPrincipals: ['https://issuer.example.com/*'], notNamespaces: ['prod'], ipBlocks: ['10.0.0.0/8', '192.168.1.1'], notRemoteIpBlocks: ['1.2.3.4/32'], trustDomains: ['*.local'] } }],
        to: [{ operation: { hosts: ['*.example.com'], notPorts: ['8080'], ports: ['9080'], methods: ['POST'], paths: ['/admin*', '*/secret', '/api/{*}/items/{**}'], notPaths: ['/health'] } }],
        when: [{ key: 'request.headers[x-token]', values: ['*'] }, { key: 'source.ip', notValues: ['10.1.0.0/16'] }, { key: 'request.auth.claims[groups]', values: ['admin'] }, { key: 'destination.port', values: ['9080'] }, { key: 'connection.sni', values: ['*.example.com'] }],
      }],
    },
    errors: [],
    warnings: [],
  },
  { name: 'service accounts in a source', spec: { rules: [from({ serviceAccounts: ['default/bookinfo-reviews', 'bookinfo-ratings'] })] }, errors: [] },
  { name: 'action CUSTOM', spec: { action: 'CUSTOM', provider: { name: 'ext-authz' }, rules: [{}] }, errors: [['spec.action', 'action CUSTOM is not supported until an external authorizer is configured']] },
  { name: 'CUSTOM without provider', spec: { action: 'CUSTOM', rules: [{}] }, errors: [['spec.action', 'not supported until an external authorizer'], ['spec.provider', 'provider.name is required with action CUSTOM']] },
  { name: 'a provider with ALLOW', spec: { provider: { name: 'x' }, rules: [{}] }, errors: [['spec.provider', 'provider is only allowed with action CUSTOM, not ALLOW']] },
  { name: 'DENY without rules', spec: { action: 'DENY' }, errors: [['spec.rules', 'a DENY policy without rules never matches']] },
  { name: 'an unknown action', spec: { action: 'REJECT', rules: [{}] }, errors: [['spec.action', '"REJECT" is not one of ALLOW, DENY, AUDIT, CUSTOM']] },
  { name: 'an empty from list', spec: { rules: [{ from: [] }] }, errors: [['spec.rules[0].from', 'must not be empty']] },
  { name: 'an empty to list', spec: { rules: [{ to: [] }] }, errors: [['spec.rules[0].to', 'must not be empty']] },
  { name: 'a from entry without source', spec: { rules: [{ from: [{}] }] }, errors: [['spec.rules[0].from[0].source', 'is required']] },
  { name: 'an empty source', spec: { rules: [from({})] }, errors: [['spec.rules[0].from[0].source', 'must set at least one of principals']] },
  { name: 'an empty operation', spec: { rules: [toOp({})] }, errors: [['spec.rules[0].to[0].operation', 'must set at least one of hosts']] },
  { name: 'a "*" in the middle of a path', spec: { rules: [toOp({ paths: ['/api/*/admin'] })] }, errors: [['spec.rules[0].to[0].operation.paths[0]', '"*" is only allowed at the start or the end']] },
  { name: 'two "*" in a path', spec: { rules: [toOp({ notPaths: ['*/admin*'] })] }, errors: [['spec.rules[0].to[0].operation.notPaths[0]', 'at most one "*"']] },
  { name: '{**} before the last segment', spec: { rules: [toOp({ paths: ['/api/{**}/items'] })] }, errors: [['spec.rules[0].to[0].operation.paths[0]', '{**} must be the last segment']] },
  { name: 'a partial template segment', spec: { rules: [toOp({ paths: ['/api/v{*}'] })] }, errors: [['spec.rules[0].to[0].operation.paths[0]', 'only whole-segment {*} and {**}']] },
  { name: 'an empty principal', spec: { rules: [from({ principals: [''] })] }, errors: [['spec.rules[0].from[0].source.principals[0]', 'empty values are not allowed']] },
  { name: 'a "*" inside a principal', spec: { rules: [from({ principals: ['cluster.local/ns/*/sa/admin'] })] }, errors: [['spec.rules[0].from[0].source.principals[0]', 'only allowed at the start or the end']] },
  { name: 'service accounts with principals', spec: { rules: [from({ serviceAccounts: ['default/a'], principals: ['x'] })] }, errors: [['spec.rules[0].from[0].source', 'serviceAccounts cannot be combined with principals']] },
  { name: 'a malformed service account', spec: { rules: [from({ serviceAccounts: ['a/b/c'] })] }, errors: [['spec.rules[0].from[0].source.serviceAccounts[0]', 'expected "serviceAccount" or "namespace/serviceAccount"']] },
  { name: 'too many service accounts', spec: { rules: [from({ serviceAccounts: Array.from({ length: 17 }, (_, i) => `sa${i}`) })] }, errors: [['spec.rules[0].from[0].source.serviceAccounts', 'the limit is 16']] },
  { name: 'a CIDR with a bad prefix length', spec: { rules: [from({ ipBlocks: ['10.0.0.0/33'] })] }, errors: [['spec.rules[0].from[0].source.ipBlocks[0]', 'not a valid CIDR block']] },
  { name: 'a port out of range', spec: { rules: [toOp({ ports: ['70000'] })] }, errors: [['spec.rules[0].to[0].operation.ports[0]', 'is not a port number in 0..65535']] },
  { name: 'a trust domain with "/"', spec: { rules: [from({ trustDomains: ['cluster.local/ns'] })] }, errors: [['spec.rules[0].from[0].source.trustDomains[0]', 'must not contain "/"']] },
  { name: 'an unknown condition key', spec: { rules: [{ when: [{ key: 'request.time', values: ['x'] }] }] }, errors: [['spec.rules[0].when[0].key', 'unknown attribute "request.time"']] },
  { name: 'destination.labels as a condition', spec: { rules: [{ when: [{ key: 'destination.labels[app]', values: ['x'] }] }] }, errors: [['spec.rules[0].when[0].key', 'replaced by the policy\'s selector']] },
  { name: 'a header condition without brackets', spec: { rules: [{ when: [{ key: 'request.headers', values: ['x'] }] }] }, errors: [['spec.rules[0].when[0].key', 'must look like request.headers[<name>]']] },
  { name: 'a condition without values', spec: { rules: [{ when: [{ key: 'source.namespace' }] }] }, errors: [['spec.rules[0].when[0]', 'at least one of values or notValues']] },
  { name: 'a condition without key', spec: { rules: [{ when: [{ values: ['x'] }] }] }, errors: [['spec.rules[0].when[0].key', 'is required']] },
  { name: 'a bad IP in a source.ip condition', spec: { rules: [{ when: [{ key: 'source.ip', values: ['10.0.0.256'] }] }] }, errors: [['spec.rules[0].when[0].values[0]', 'not a valid IP address']] },
  { name: 'targetRef', spec: { targetRef: { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'gw' }, rules: [{}] }, errors: [['spec.targetRef', 'targetRef/targetRefs']] },
  { name: 'an unknown source field', spec: { rules: [from({ principal: ['x'] })] }, errors: [['spec.rules[0].from[0].source.principal', 'unknown field "principal"'], ['spec.rules[0].from[0].source', 'must set at least one of']] },
  { name: 'a DENY rule on HTTP attributes only (warning)', spec: { action: 'DENY', rules: [toOp({ methods: ['POST'] })] }, errors: [], warnings: [['spec.rules[0]', 'denies ALL traffic on TCP ports']] },
];

const jwt = (rule: Record<string, unknown>) => ({ jwtRules: [{ issuer: 'https://issuer.example.com', ...rule }] });
const JWKS = JSON.stringify({ keys: [{ kty: 'RSA', n: 'abc', e: 'AQAB' }] });

const requestAuthentication: Case[] = [
  { name: 'a rule with a JWKS URI', spec: { selector, ...jwt({ jwksUri: 'https://issuer.example.com/jwks.json', audiences: ['bookinfo'], fromHeaders: [{ name: 'authorization', prefix: 'Bearer ' }], forwardOriginalToken: true, outputClaimToHeaders: [{ header: 'x-user', claim: 'sub' }], timeout: '5s' }) }, errors: [], warnings: [] },
  { name: 'an inline JWKS', spec: jwt({ jwks: JWKS, fromParams: ['token'], fromCookies: ['session'] }), errors: [] },
  { name: 'presence OPTIONAL', spec: jwt({ presence: 'OPTIONAL' }), errors: [] },
  { name: 'a rule without issuer', spec: { jwtRules: [{ jwksUri: 'https://a.example.com/jwks' }] }, errors: [['spec.jwtRules[0].issuer', 'is required']] },
  { name: 'both jwks and jwksUri', spec: jwt({ jwks: JWKS, jwksUri: 'https://a.example.com/jwks' }), errors: [['spec.jwtRules[0]', 'only one of jwks, jwksUri']] },
  { name: 'a JWKS URI with another scheme', spec: jwt({ jwksUri: 'ftp://a.example.com/jwks' }), errors: [['spec.jwtRules[0].jwksUri', 'must use http:// or https://']] },
  { name: 'an inline JWKS that is not JSON', spec: jwt({ jwks: '{keys' }), errors: [['spec.jwtRules[0].jwks', 'is not valid JSON']] },
  { name: 'an inline JWKS without keys', spec: jwt({ jwks: '{"keys": []}' }), errors: [['spec.jwtRules[0].jwks', 'non-empty "keys" list']] },
  { name: 'private key material (warning)', spec: jwt({ jwks: JSON.stringify({ keys: [{ kty: 'RSA', n: 'a', e: 'AQAB', d: 'secret' }] }) }), errors: [], warnings: [['spec.jwtRules[0].jwks', 'contains private or symmetric key material']] },
  { name: 'an output header with a space', spec: jwt({ outputClaimToHeaders: [{ header: 'x user', claim: 'sub' }] }), errors: [['spec.jwtRules[0].outputClaimToHeaders[0].header', 'not a valid header name']] },
  { name: 'a header location without name', spec: jwt({ fromHeaders: [{ prefix: 'Bearer ' }] }), errors: [['spec.jwtRules[0].fromHeaders[0].name', 'is required']] },
  { name: 'an empty audience', spec: jwt({ audiences: [''] }), errors: [['spec.jwtRules[0].audiences[0]', 'must not be empty']] },
  { name: 'presence REQUIRED', spec: jwt({ presence: 'REQUIRED' }), errors: [['spec.jwtRules[0].presence', 'presence: REQUIRED is not supported by Inboard']] },
  { name: 'the jwks_uri alias', spec: jwt({ jwks_uri: 'https://a.example.com/jwks' }), errors: [['spec.jwtRules[0].jwks_uri', 'write jwksUri']] },
  { name: 'a zero timeout', spec: jwt({ timeout: '0s' }), errors: [['spec.jwtRules[0].timeout', 'must be at least 1ms']] },
  { name: 'targetRefs', spec: { targetRefs: [{ kind: 'Service', name: 'reviews' }], ...jwt({}) }, errors: [['spec.targetRefs', 'use selector']] },
];

const dryRun: Case[] = [
  { name: 'the istio.io/dry-run annotation', doc: { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', annotations: { 'istio.io/dry-run': 'true' } }, spec: { action: 'DENY', rules: [{}] } }, errors: [['metadata.annotations[istio.io/dry-run]', 'dry-run policies are not supported']] },
];

describe('PeerAuthentication validation', () => runTable('PeerAuthentication', 'security.istio.io/v1beta1', peerAuthentication));
describe('AuthorizationPolicy validation', () => {
  runTable('AuthorizationPolicy', 'security.istio.io/v1', authorizationPolicy);
  runTable('AuthorizationPolicy', 'security.istio.io/v1', dryRun);
});
describe('RequestAuthentication validation', () => runTable('RequestAuthentication', 'security.istio.io/v1', requestAuthentication));
