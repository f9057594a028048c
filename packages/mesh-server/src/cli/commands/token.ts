// `inboard token create|list|revoke`: workload, read and admin tokens kept (hashed) in the data dir.
// Works on the data directory directly, so it runs beside a live control plane or without one.

import path from 'node:path';
import { parseDuration } from '../../config/duration';
import { isServerError } from '../../errors';
import { openTokenStore, TOKEN_SCOPES, type TokenScope } from '../../tokens/token-store';
import { DEFAULT_DATA_DIR } from '../client';
import { expectOneOf, expectPositionals, HELP_OPTION, parseCommand, type Command } from '../command';
import { CliError, EXIT_OK, EXIT_REJECTED, usageError } from '../exit-codes';
import { eprintln, println } from '../io';
import { renderTable } from '../table';

const USAGE = `Usage: inboard token create [-n NS] [--service-account SA] [--scope workload|read|admin] [--ttl 24h] [--description TEXT]
       inboard token list
       inboard token revoke ID

Manages bearer tokens. A workload token binds a namespace and service account: a workload that
presents it to certificate signing gets the identity spiffe://<trust-domain>/ns/NS/sa/SA and no
other. Read tokens may read the admin API from a non-loopback address; admin tokens may write.
The token text is printed once, alone on stdout; only its SHA-256 is stored.

Options:
  -n, --namespace NS        namespace of a workload token (default "default")
  --service-account SA      service account of a workload token (required for workload tokens)
  --scope SCOPE             workload (default), read or admin
  --ttl DURATION            lifetime, e.g. 24h or 30m (default: until revoked)
  --description TEXT        a note shown by \`inboard token list\`
  --data-dir DIR            the control plane's data directory (default ./.inboard)
  -h, --help                show this help`;

const OPTIONS = {
  ...HELP_OPTION,
  namespace: { type: 'string', short: 'n' },
  'service-account': { type: 'string' },
  scope: { type: 'string' },
  ttl: { type: 'string' },
  description: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

/** `inboard token`. */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'create, list or revoke workload and API tokens',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, OPTIONS, USAGE);
    const [action] = positionals;
    const store = openTokenStore({ dataDir: path.resolve(io.cwd, values['data-dir'] ?? DEFAULT_DATA_DIR) });
    switch (action) {
      case 'create': {
        expectPositionals(positionals, 1, 1, USAGE);
        const scope = expectOneOf('--scope', values.scope, TOKEN_SCOPES, USAGE) ?? ('workload' as TokenScope);
        if (scope === 'workload' && !values['service-account']) throw usageError('a workload token needs --service-account', USAGE);
        let ttlMs: number | undefined;
        if (values.ttl !== undefined) {
          try {
            ttlMs = parseDuration(values.ttl);
          } catch (error) {
            throw usageError(`--ttl: ${(error as Error).message}`, USAGE);
          }
        }
        try {
          const { token, info } = store.issue({
            scope,
            ...(scope === 'workload' ? { namespace: values.namespace ?? 'default', serviceAccount: values['service-account']! } : {}),
            ...(ttlMs !== undefined ? { ttlMs } : {}),
            ...(values.description !== undefined ? { description: values.description } : {}),
          });
          println(io, token);
          eprintln(io, `token ${info.id} (${info.scope}${info.serviceAccount ? `, ns/${info.namespace}/sa/${info.serviceAccount}` : ''}) ${info.expiresAt ? `expires ${info.expiresAt}` : 'does not expire'}`);
          return EXIT_OK;
        } catch (error) {
          if (isServerError(error, 'BAD_REQUEST')) throw new CliError(EXIT_REJECTED, error.message);
          throw error;
        }
      }
      case 'list': {
        expectPositionals(positionals, 1, 1, USAGE);
        const rows = store.list().map((t) => [
          t.id,
          t.scope,
          t.serviceAccount ? `${t.namespace}/${t.serviceAccount}` : '-',
          t.revokedAt ? 'revoked' : t.expiresAt && Date.parse(t.expiresAt) <= Date.now() ? 'expired' : 'active',
          t.expiresAt ?? '-',
          t.description ?? '',
        ]);
        println(io, renderTable(['ID', 'SCOPE', 'IDENTITY', 'STATE', 'EXPIRES', 'DESCRIPTION'], rows));
        return EXIT_OK;
      }
      case 'revoke': {
        expectPositionals(positionals, 2, 2, USAGE);
        if (!store.revoke(positionals[1]!)) throw new CliError(EXIT_REJECTED, `no active token with id ${positionals[1]}`);
        println(io, `token ${positionals[1]} revoked`);
        return EXIT_OK;
      }
      default:
        throw usageError(action ? `unknown action "${action}"` : 'missing action', USAGE);
    }
  },
};
