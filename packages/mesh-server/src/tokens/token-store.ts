// Bearer tokens of the control plane: workload tokens bound to a namespace + service account (they
// authorize certificate signing for that identity alone) and admin/read tokens for the admin API.
// Only SHA-256 digests are stored, one file per token in <dataDir>/tokens/ (0600, atomic writes).

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MeshServerError } from '../errors';
import { ensurePrivateDirectory, readFileIfExists, writeFileAtomic } from '../ca/atomic-file';
import { checkIdentityNames } from '../ca/spiffe';

/** What a token may do: everything, read the admin API, or get certificates for its identity. */
export type TokenScope = 'admin' | 'read' | 'workload';

/** The scopes, for validation and help texts. */
export const TOKEN_SCOPES: readonly TokenScope[] = ['admin', 'read', 'workload'];

/** What verifying a token yields. */
export interface VerifiedToken {
  /** Public identifier of the token (safe to log; part of the token text). */
  readonly id: string;
  readonly scope: TokenScope;
  /** For workload tokens: the namespace the identity is bound to. */
  readonly namespace?: string;
  /** For workload tokens: the service account the identity is bound to. */
  readonly serviceAccount?: string;
}

/** A stored token, without its digest. */
export interface TokenInfo extends VerifiedToken {
  readonly createdAt: string;
  readonly expiresAt?: string;
  readonly revokedAt?: string;
  readonly description?: string;
}

/** What to issue. */
export interface IssueTokenRequest {
  readonly scope: TokenScope;
  readonly namespace?: string;
  readonly serviceAccount?: string;
  /** Lifetime; omitted = the token never expires (revoke it when done). */
  readonly ttlMs?: number;
  readonly description?: string;
}

/** A new token: the secret text (shown once) and its record. */
export interface IssuedToken {
  readonly token: string;
  readonly info: TokenInfo;
}

/** The token store of a data directory. */
export interface TokenStore {
  /** Makes, stores and returns a new token. @throws MeshServerError BAD_REQUEST for an invalid request. */
  issue(request: IssueTokenRequest): IssuedToken;
  /** The token's grant, or undefined for an unknown, malformed, revoked or expired token. */
  verifyToken(token: string): VerifiedToken | undefined;
  /** `verifyToken` for an `Authorization: Bearer <token>` header value. */
  verifyAuthorization(header: string | undefined): VerifiedToken | undefined;
  /** Revokes a token by id; false when no active token has that id. Effective at once, in every process. */
  revoke(id: string): boolean;
  /** Every stored token (active, expired and revoked), oldest first. */
  list(): TokenInfo[];
}

interface StoredToken extends TokenInfo {
  /** SHA-256 of the full token text, hex. */
  readonly sha256: string;
}

/** Token text: `inbt_<16 hex id>_<32 random bytes, base64url>`. The prefix lets secret scanners find leaks. */
export const TOKEN_PREFIX = 'inbt_';
const TOKEN_FORMAT = /^inbt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const ID_FORMAT = /^[0-9a-f]{16}$/;
/** Directory of token records inside the data directory. */
export const TOKENS_DIR = 'tokens';

/** Opens the token store of `dataDir`. `clock.now()` is wall-clock milliseconds. */
export function openTokenStore(options: { dataDir: string; clock?: { now(): number } }): TokenStore {
  const dir = path.join(options.dataDir, TOKENS_DIR);
  ensurePrivateDirectory(dir);
  const now = () => (options.clock ? options.clock.now() : Date.now());
  const fileOf = (id: string) => path.join(dir, `${id}.json`);

  function read(id: string): StoredToken | undefined {
    const text = readFileIfExists(fileOf(id));
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as StoredToken;
    } catch {
      return undefined; // a damaged record grants nothing
    }
  }

  function verifyToken(token: string): VerifiedToken | undefined {
    if (typeof token !== 'string') return undefined;
    const match = TOKEN_FORMAT.exec(token);
    if (!match) return undefined;
    const stored = read(match[1]!);
    if (!stored || typeof stored.sha256 !== 'string' || stored.sha256.length !== 64) return undefined;
    if (!timingSafeEqual(digest(token), Buffer.from(stored.sha256, 'hex'))) return undefined;
    if (stored.revokedAt !== undefined) return undefined;
    if (stored.expiresAt !== undefined && Date.parse(stored.expiresAt) <= now()) return undefined;
    if (!TOKEN_SCOPES.includes(stored.scope)) return undefined;
    return grantOf(stored);
  }

  return {
    issue(request) {
      checkRequest(request);
      const id = randomBytes(8).toString('hex');
      const token = `${TOKEN_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
      const createdAt = now();
      const record: StoredToken = {
        id,
        scope: request.scope,
        ...(request.scope === 'workload' ? { namespace: request.namespace!, serviceAccount: request.serviceAccount! } : {}),
        createdAt: new Date(createdAt).toISOString(),
        ...(request.ttlMs !== undefined ? { expiresAt: new Date(createdAt + request.ttlMs).toISOString() } : {}),
        ...(request.description !== undefined ? { description: request.description } : {}),
        sha256: digest(token).toString('hex'),
      };
      writeFileAtomic(fileOf(id), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, exclusive: true });
      return { token, info: infoOf(record) };
    },
    verifyToken,
    verifyAuthorization(header) {
      if (typeof header !== 'string') return undefined;
      const match = /^Bearer +(\S+) *$/i.exec(header);
      return match ? verifyToken(match[1]!) : undefined;
    },
    revoke(id) {
      if (!ID_FORMAT.test(id)) throw new MeshServerError('BAD_REQUEST', `token id ${JSON.stringify(id)} is not 16 hex digits; see the ids in the token list`, { field: 'id' });
      const stored = read(id);
      if (!stored || stored.revokedAt !== undefined) return false;
      writeFileAtomic(fileOf(id), `${JSON.stringify({ ...stored, revokedAt: new Date(now()).toISOString() }, null, 2)}\n`, { mode: 0o600 });
      return true;
    },
    list() {
      return fs.readdirSync(dir)
        .filter((name) => /^[0-9a-f]{16}\.json$/.test(name))
        .map((name) => read(name.slice(0, 16)))
        .filter((t): t is StoredToken => t !== undefined)
        .map(infoOf)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    },
  };
}

function checkRequest(request: IssueTokenRequest): void {
  if (!TOKEN_SCOPES.includes(request.scope)) {
    throw new MeshServerError('BAD_REQUEST', `token scope ${JSON.stringify(request.scope)} is not one of ${TOKEN_SCOPES.join(', ')}`, { field: 'scope' });
  }
  if (request.scope === 'workload') {
    if (request.namespace === undefined || request.serviceAccount === undefined) {
      throw new MeshServerError('BAD_REQUEST', 'a workload token needs a namespace and a service account (-n NAMESPACE --service-account NAME)', { field: request.namespace === undefined ? 'namespace' : 'serviceAccount' });
    }
    checkIdentityNames({ namespace: request.namespace, serviceAccount: request.serviceAccount });
  } else if (request.namespace !== undefined || request.serviceAccount !== undefined) {
    throw new MeshServerError('BAD_REQUEST', `a ${request.scope} token is not bound to an identity; drop the namespace and service account`, { field: 'scope' });
  }
  if (request.ttlMs !== undefined && !(Number.isFinite(request.ttlMs) && request.ttlMs > 0)) {
    throw new MeshServerError('BAD_REQUEST', `token lifetime must be a positive duration, got ${request.ttlMs} ms`, { field: 'ttl' });
  }
}

function grantOf(stored: StoredToken): VerifiedToken {
  return {
    id: stored.id,
    scope: stored.scope,
    ...(stored.namespace !== undefined ? { namespace: stored.namespace } : {}),
    ...(stored.serviceAccount !== undefined ? { serviceAccount: stored.serviceAccount } : {}),
  };
}

function infoOf(stored: StoredToken): TokenInfo {
  const { sha256: _digest, ...info } = stored;
  return info;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
