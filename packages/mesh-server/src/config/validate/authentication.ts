// PeerAuthentication and RequestAuthentication spec validation (Istio's
// ValidatePeerAuthentication, ValidateRequestAuthentication and validateJwtRule), plus the
// targetRef rule both security policies share with AuthorizationPolicy.

import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { report, workloadSelector } from './common';
import { strictHeaderNameError } from './http-rules';
import {
  at, boolean, type Ctx, duration, enumOf, has, listOf, mapOf, object, rec, rejected, type Schema, string,
} from './schema';

/** Inboard applies security policies by workload selector only. */
export const targetRefRejected = (): Schema => rejected(
  'targetRef/targetRefs (policies attached to waypoints or Gateway API gateways) are not supported by Inboard; use selector',
);

const MTLS_MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];

/** The PeerAuthentication spec schema. */
export const peerAuthenticationSpec: Schema = object(
  {
    selector: workloadSelector(),
    mtls: object({ mode: enumOf(MTLS_MODES) }),
    portLevelMtls: mapOf(object({ mode: enumOf(MTLS_MODES) }), {
      key(k, p, ctx) {
        const port = /^[0-9]+$/.test(k) ? Number(k) : NaN;
        if (!(port >= 1 && port <= 65535)) ctx.error(p, `${JSON.stringify(k)} is not a port number in 1..65535`);
      },
    }),
  },
  {
    check(spec, path, ctx) {
      if (!has(spec, 'portLevelMtls')) return;
      if (Object.keys(rec(spec.portLevelMtls) ?? {}).length === 0) ctx.error(at(path, 'portLevelMtls'), 'must have at least one port when set');
      const labels = rec(rec(spec.selector)?.matchLabels);
      if (!labels || Object.keys(labels).length === 0) {
        ctx.error(at(path, 'portLevelMtls'), 'requires a selector with matchLabels (mesh- and namespace-wide policies cannot set port-level mTLS)');
      }
    },
  },
);

const nonEmptyStrings = (): Schema => listOf(string({ nonEmpty: true }));

const jwtRule = object(
  {
    issuer: string({ nonEmpty: true }),
    audiences: nonEmptyStrings(),
    jwksUri: string({ nonEmpty: true, maxLength: 2048, check: checkJwksUri }),
    jwks_uri: rejected('jwks_uri is a deprecated alias; write jwksUri'),
    jwks: string({ nonEmpty: true, check: checkJwks }),
    fromHeaders: listOf(object({ name: string({ nonEmpty: true }), prefix: string() }, { required: ['name'] })),
    fromParams: nonEmptyStrings(),
    fromCookies: nonEmptyStrings(),
    outputPayloadToHeader: string({ check: (v, p, ctx) => report(ctx, p, strictHeaderNameError(v)) }),
    forwardOriginalToken: boolean(),
    outputClaimToHeaders: listOf(object(
      { header: string({ check: (v, p, ctx) => report(ctx, p, strictHeaderNameError(v)) }), claim: string({ nonEmpty: true }) },
      { required: ['header', 'claim'] },
    )),
    timeout: duration(),
    presence: enumOf(['OPTIONAL', 'REQUIRED'], {
      rejected: { REQUIRED: 'presence: REQUIRED is not supported by Inboard; require a token with an AuthorizationPolicy rule on requestPrincipals: ["*"]' },
    }),
    spaceDelimitedClaims: rejected('spaceDelimitedClaims is not supported by Inboard'),
  },
  {
    required: ['issuer'],
    exclusive: [['jwks', 'jwksUri']],
    check(rule, path, ctx) {
      if (!has(rule, 'jwks') && !has(rule, 'jwksUri')) {
        ctx.warn(path, 'sets neither jwksUri nor jwks: Inboard does not discover keys from the issuer (OpenID discovery), so every token of this issuer fails verification (401)');
      }
    },
  },
);

/** The signature algorithms mesh-client accepts (never `none` or HS*). */
const ASYMMETRIC_JWT_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

function checkJwksUri(uri: string, path: string, ctx: Ctx): void {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return ctx.error(path, `${JSON.stringify(uri)} is not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ctx.error(path, `${JSON.stringify(uri)} must use http:// or https://`);
}

/** An inline JWKS: JSON `{ "keys": [ { "kty": …, … } ] }`; private key material gets a warning. */
function checkJwks(text: string, path: string, ctx: Ctx): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return ctx.error(path, `is not valid JSON: ${(e as Error).message}`);
  }
  const keys = rec(parsed)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) return ctx.error(path, 'must be a JSON Web Key Set: an object with a non-empty "keys" list');
  keys.forEach((key, i) => {
    const k = rec(key);
    if (!k || typeof k.kty !== 'string') return ctx.error(path, `keys[${i}] must be a JSON Web Key with a "kty"`);
    if (k.d !== undefined || k.kty === 'oct') return ctx.warn(path, `keys[${i}] contains private or symmetric key material; only public keys are needed to verify tokens`);
    try {
      createPublicKey({ key: k as JsonWebKey, format: 'jwk' });
    } catch (e) {
      return ctx.error(path, `keys[${i}] is not a usable public key: ${(e as Error).message}`);
    }
    if (typeof k.alg === 'string' && !ASYMMETRIC_JWT_ALGORITHMS.includes(k.alg)) {
      ctx.warn(path, `keys[${i}] has alg ${JSON.stringify(k.alg)}; Inboard verifies tokens with asymmetric algorithms only (${ASYMMETRIC_JWT_ALGORITHMS.join(', ')}), so this key verifies nothing`);
    }
  });
}

/** The RequestAuthentication spec schema. */
export const requestAuthenticationSpec: Schema = object({
  selector: workloadSelector(),
  targetRef: targetRefRejected(),
  targetRefs: targetRefRejected(),
  jwtRules: listOf(jwtRule, { maxItems: 4096 }),
});
