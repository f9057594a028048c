// RequestAuthentication validation beyond the shared security table: JWKS keys must be usable public
// keys (the field is named), keys with symmetric algorithms and rules without keys warn.

import { generateKeyPairSync } from 'node:crypto';
import { type Case, runTable } from './table.test-util';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
const jwks = (...keys: object[]) => JSON.stringify({ keys });
const rule = (fields: Record<string, unknown>) => ({ jwtRules: [{ issuer: 'https://issuer.example.com', ...fields }] });

const cases: Case[] = [
  { name: 'an EC public key with its algorithm', spec: rule({ jwks: jwks({ ...ec, kid: 'k1', alg: 'ES256' }) }), errors: [], warnings: [] },
  { name: 'an RSA key without its modulus', spec: rule({ jwks: jwks({ kty: 'RSA', e: 'AQAB' }) }), errors: [['spec.jwtRules[0].jwks', 'keys[0] is not a usable public key']] },
  { name: 'an EC key missing y', spec: rule({ jwks: jwks(ec, { kty: 'EC', crv: 'P-256', x: ec.x }) }), errors: [['spec.jwtRules[0].jwks', 'keys[1] is not a usable public key']] },
  { name: 'an unknown key type', spec: rule({ jwks: jwks({ kty: 'XYZ' }) }), errors: [['spec.jwtRules[0].jwks', 'keys[0] is not a usable public key']] },
  { name: 'a public key marked for HS256 (warning)', spec: rule({ jwks: jwks({ ...ec, alg: 'HS256' }) }), errors: [], warnings: [['spec.jwtRules[0].jwks', 'asymmetric algorithms only']] },
  { name: 'a key marked alg none (warning)', spec: rule({ jwks: jwks({ ...ec, alg: 'none' }) }), errors: [], warnings: [['spec.jwtRules[0].jwks', 'has alg "none"']] },
  { name: 'a rule with neither jwks nor jwksUri (warning)', spec: rule({ audiences: ['a'] }), errors: [], warnings: [['spec.jwtRules[0]', 'neither jwksUri nor jwks']] },
  { name: 'a plain-http jwksUri (accepted, as Istio does)', spec: rule({ jwksUri: 'http://127.0.0.1:8080/jwks.json' }), errors: [], warnings: [] },
  { name: 'a jwksUri that is not a URL', spec: rule({ jwksUri: 'not a url' }), errors: [['spec.jwtRules[0].jwksUri', 'is not a valid URL']] },
];

describe('RequestAuthentication validation: JWKS keys (authentication)', () => runTable('RequestAuthentication', 'security.istio.io/v1', cases));
