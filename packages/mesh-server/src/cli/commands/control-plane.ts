// `inboard control-plane`: runs the control plane in the foreground, prints one line per listener,
// and shuts down cleanly (exit 0) on SIGINT or SIGTERM.

import path from 'node:path';
import { adminTokenPath } from '../../api/admin-token';
import { startControlPlane, DEFAULT_XDS_PORT } from '../../control-plane';
import { DEFAULT_SIGNING_PORT } from '../../ca/signing-service';
import { DEFAULT_API_HOST, DEFAULT_API_PORT } from '../../api/server';
import { DEFAULT_DATA_DIR } from '../client';
import { expectPositionals, HELP_OPTION, parseCommand, type Command } from '../command';
import { EXIT_OK, usageError } from '../exit-codes';
import { eprintln, println, type CliIo } from '../io';

const USAGE = `Usage: inboard control-plane [--data-dir DIR] [--api-port PORT] [--api-host HOST] [--allow-remote-api]
                             [--xds-port PORT] [--xds-host HOST] [--ca-port PORT] [--ca-host HOST]
                             [--ca-cert FILE --ca-key FILE] [--trust-domain DOMAIN]

Runs the Inboard control plane: the config store (persisted in DIR), the workload registry, the
admin API, the xDS server and the certificate authority. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.

Options:
  --data-dir DIR        data directory (default ./.inboard); holds the store and admin-token
  --api-port PORT       admin API port (default ${DEFAULT_API_PORT}; 0 picks a free port)
  --api-host HOST       admin API address (default ${DEFAULT_API_HOST})
  --allow-remote-api    allow a non-loopback --api-host (every request then needs the token)
  --xds-port PORT       xDS port (default ${DEFAULT_XDS_PORT}; 0 picks a free port)
  --xds-host HOST       xDS address (default 127.0.0.1)
  --ca-port PORT        certificate signing over TLS (default ${DEFAULT_SIGNING_PORT}; 0 picks a free port)
  --ca-host HOST        certificate signing address (default 127.0.0.1)
  --ca-cert FILE        operator CA certificate (root or intermediate, PEM); needs --ca-key
  --ca-key FILE         the CA's private key (PEM); default: a root CA created in DIR/ca
  --trust-domain TD     trust domain of workload identities (default cluster.local)
  -h, --help            show this help

Exit codes: 0 stopped by a signal, 1 could not start (data dir in use, port taken, …), 2 usage.`;

const OPTIONS = {
  ...HELP_OPTION,
  'data-dir': { type: 'string' },
  'api-port': { type: 'string' },
  'api-host': { type: 'string' },
  'allow-remote-api': { type: 'boolean' },
  'xds-port': { type: 'string' },
  'xds-host': { type: 'string' },
  'ca-port': { type: 'string' },
  'ca-host': { type: 'string' },
  'ca-cert': { type: 'string' },
  'ca-key': { type: 'string' },
  'trust-domain': { type: 'string' },
} as const;

/** Parses a port flag (0–65535); a usage error otherwise. */
export function parsePort(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw usageError(`${flag} must be a port number 0-65535; got "${value}"`, USAGE);
  return port;
}

/** `inboard control-plane`. */
export const controlPlaneCommand: Command = {
  name: 'control-plane',
  summary: 'run the control plane (store, registry, admin API, xDS)',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, OPTIONS, USAGE);
    expectPositionals(positionals, 0, 0, USAGE);
    const dataDir = path.resolve(io.cwd, values['data-dir'] ?? DEFAULT_DATA_DIR);
    if ((values['ca-cert'] === undefined) !== (values['ca-key'] === undefined)) throw usageError('--ca-cert and --ca-key go together', USAGE);
    const plane = await startControlPlane({
      dataDir,
      apiHost: values['api-host'] ?? DEFAULT_API_HOST,
      apiPort: parsePort('--api-port', values['api-port'], DEFAULT_API_PORT),
      allowRemoteApi: values['allow-remote-api'] === true,
      xdsHost: values['xds-host'] ?? '127.0.0.1',
      xdsPort: parsePort('--xds-port', values['xds-port'], DEFAULT_XDS_PORT),
      caHost: values['ca-host'] ?? '127.0.0.1',
      caPort: parsePort('--ca-port', values['ca-port'], DEFAULT_SIGNING_PORT),
      ...(values['ca-cert'] !== undefined ? { caCertFile: path.resolve(io.cwd, values['ca-cert']) } : {}),
      ...(values['ca-key'] !== undefined ? { caKeyFile: path.resolve(io.cwd, values['ca-key']) } : {}),
      ...(values['trust-domain'] !== undefined ? { trustDomain: values['trust-domain'] } : {}),
      logger: { info: (m) => eprintln(io, m), warn: (m) => eprintln(io, `warning: ${m}`), error: (m) => eprintln(io, `error: ${m}`) },
    });
    println(io, `data directory ${plane.dataDir} (admin token in ${adminTokenPath(plane.dataDir)})`);
    println(io, `admin API listening on ${plane.apiAddress}`);
    println(io, `xDS server listening on ${plane.xdsAddress}`);
    println(io, `certificate signing (TLS) listening on ${plane.caAddress}; workloads pin ${values['ca-cert'] ? 'your CA\'s root' : path.join(plane.dataDir, 'ca', 'ca-cert.pem')}`);
    await untilSignal(io);
    await plane.close();
    println(io, 'control plane stopped');
    return EXIT_OK;
  },
};

function untilSignal(io: CliIo): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      eprintln(io, `received ${signal}, shutting down`);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
