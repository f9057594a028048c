import assert from 'node:assert/strict';
import { encodeResource, TYPE_URL } from '@inboard/xds';
import { translate } from './index';
import { bookinfoRegistry, get, grpcClient, parseConfig, sidecar, warningLines } from './test-support';
import { readInboardMetadata } from './struct';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const REVIEWS_V2 = { labels: { app: 'reviews', version: 'v2' } };
const LISTENER = 'xds.istio.io/grpc/lds/inbound/10.0.0.5:9080';
const JWKS = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' }] });

const jwtOf = (result: ReturnType<typeof translate>, name = LISTENER): Loose | undefined => readInboardMetadata(get(result.listeners, name))['jwt_authn'] as Loose | undefined;

describe('translate/request-authn (RequestAuthentication → jwt_authn in the inbound listener metadata)', () => {
  it('translates a selected jwtRule into a provider with Envoy field names and a requires_any + allow_missing rule', () => {
    const config = parseConfig(`
kind: RequestAuthentication
metadata: { name: reviews-jwt }
spec:
  selector: { matchLabels: { app: reviews } }
  jwtRules:
  - issuer: https://issuer.example.com
    audiences: [bookinfo]
    jwksUri: https://issuer.example.com:8443/jwks.json
    fromHeaders: [{ name: x-jwt, prefix: "Token " }]
    fromParams: [jwt]
    fromCookies: [session]
    outputPayloadToHeader: x-jwt-payload
    outputClaimToHeaders: [{ header: x-sub, claim: sub }]
    forwardOriginalToken: true
    timeout: 2s`);
    const jwt = jwtOf(translate({ config, registry: bookinfoRegistry() }, sidecar(REVIEWS_V2)));
    assert.deepEqual(jwt, {
      providers: {
        'origins-0': {
          issuer: 'https://issuer.example.com',
          audiences: ['bookinfo'],
          remote_jwks: {
            http_uri: { uri: 'https://issuer.example.com:8443/jwks.json', cluster: 'outbound|8443||issuer.example.com', timeout: { seconds: 2, nanos: 0 } },
            cache_duration: { seconds: 300, nanos: 0 },
          },
          from_headers: [{ name: 'x-jwt', value_prefix: 'Token ' }],
          from_params: ['jwt'],
          from_cookies: ['session'],
          forward: true,
          forward_payload_header: 'x-jwt-payload',
          claim_to_headers: [{ header_name: 'x-sub', claim_name: 'sub' }],
          payload_in_metadata: 'payload',
        },
      },
      rules: [{ match: { prefix: '/' }, requires: { requires_any: { requirements: [{ provider_name: 'origins-0' }, { allow_missing: {} }] } } }],
      bypass_cors_preflight: true,
      policies: ['RequestAuthentication/default/reviews-jwt'],
    });
  });

  it('merges mesh-wide, namespace-wide and selected policies (config order), and skips other workloads and namespaces', () => {
    const config = [
      ...parseConfig(`
kind: RequestAuthentication
metadata: { name: mesh }
spec: { jwtRules: [{ issuer: mesh-issuer, jwks: '${JWKS}' }] }`, 'istio-system', 0),
      ...parseConfig(`
kind: RequestAuthentication
metadata: { name: ns }
spec: { jwtRules: [{ issuer: ns-issuer, jwks: '${JWKS}' }] }
---
kind: RequestAuthentication
metadata: { name: ratings-only }
spec: { selector: { matchLabels: { app: ratings } }, jwtRules: [{ issuer: ratings-issuer, jwks: '${JWKS}' }] }`, 'default', 1),
      ...parseConfig(`
kind: RequestAuthentication
metadata: { name: elsewhere }
spec: { jwtRules: [{ issuer: other-ns-issuer, jwks: '${JWKS}' }] }`, 'other', 3),
    ];
    const jwt = jwtOf(translate({ config, registry: bookinfoRegistry() }, sidecar(REVIEWS_V2)))!;
    assert.deepEqual(Object.values(jwt['providers'] as Record<string, Loose>).map((p) => p.issuer).sort(), ['mesh-issuer', 'ns-issuer']);
    assert.equal(jwt['providers']['origins-0'].local_jwks.inline_string, JWKS);
    assert.deepEqual([...jwt['policies']].sort(), ['RequestAuthentication/default/ns', 'RequestAuthentication/istio-system/mesh']);
    assert.equal(jwt['providers']['origins-0'].forward, false, 'forwardOriginalToken defaults to false');
  });

  it('adds nothing without RequestAuthentication or with empty jwtRules', () => {
    const none = translate({ config: [], registry: bookinfoRegistry() }, sidecar(REVIEWS_V2));
    assert.equal(jwtOf(none), undefined);
    const empty = translate({ config: parseConfig('kind: RequestAuthentication\nmetadata: { name: e }\nspec: { jwtRules: [] }'), registry: bookinfoRegistry() }, sidecar(REVIEWS_V2));
    assert.equal(jwtOf(empty), undefined);
  });

  it('turns a rule without keys into a provider that rejects its tokens (never dropped), with a warning', () => {
    const config = parseConfig('kind: RequestAuthentication\nmetadata: { name: nokeys }\nspec: { jwtRules: [{ issuer: https://a.example.com }] }');
    const result = translate({ config, registry: bookinfoRegistry() }, sidecar(REVIEWS_V2));
    assert.deepEqual(jwtOf(result)!['providers']['origins-0'].local_jwks, { inline_string: '{"keys":[]}' });
    assert.ok(warningLines(result).some((l) => l.includes('RequestAuthentication/default/nokeys') && l.includes('neither jwks nor jwksUri')));
  });

  it('warns that proxyless gRPC servers do not enforce it, and their listeners still encode', () => {
    const config = parseConfig(`kind: RequestAuthentication\nmetadata: { name: r }\nspec: { jwtRules: [{ issuer: i, jwks: '${JWKS}' }] }`);
    const result = translate({ config, registry: bookinfoRegistry() }, grpcClient(REVIEWS_V2));
    assert.ok(warningLines(result).some((l) => l.includes('not enforced by proxyless gRPC servers')));
    const listener = get(result.listeners, LISTENER);
    assert.ok(encodeResource(TYPE_URL.LISTENER, listener).value.length > 0);
  });
});
