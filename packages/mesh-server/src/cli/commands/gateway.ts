// `inboard gateway`: runs the ingress gateway in the foreground. The gateway is a mesh client (role
// router), so it lives in @inboard/mesh-client; it is loaded on first use, which keeps the control
// plane's CLI free of a hard dependency on the client library.

import fs from 'node:fs';
import path from 'node:path';
import type { Command } from '../command';
import { CliError, EXIT_REJECTED } from '../exit-codes';
import type { CliIo } from '../io';

/** What gateway/main.ts of @inboard/mesh-client exports. */
interface GatewayCliModule {
  readonly GATEWAY_USAGE: string;
  runGatewayCli(argv: readonly string[], io: Pick<CliIo, 'stdout' | 'stderr' | 'env'>): Promise<number>;
}

/** Where the gateway's entry is: compiled (dist, as published) when present, else the TypeScript source. */
export function gatewayModulePath(packageDir: string): string {
  const compiled = path.join(packageDir, 'dist', 'src', 'gateway', 'main.js');
  return fs.existsSync(compiled) ? compiled : path.join(packageDir, 'src', 'gateway', 'main.ts');
}

function loadGatewayCli(): GatewayCliModule {
  let packageJson: string;
  try {
    packageJson = require.resolve('@inboard/mesh-client/package.json');
  } catch {
    throw new CliError(EXIT_REJECTED, 'error: `inboard gateway` needs @inboard/mesh-client; install it next to @inboard/mesh-server (npm install @inboard/mesh-client)');
  }
  // A path computed at run time: the CLI does not import the client library at build time.
  const modulePath: string = gatewayModulePath(path.dirname(packageJson));
  return require(modulePath) as GatewayCliModule;
}

/** `inboard gateway`. */
export const gatewayCommand: Command = {
  name: 'gateway',
  summary: 'run an ingress gateway (serves Gateway ports, routes into the mesh)',
  get usage() {
    return loadGatewayCli().GATEWAY_USAGE;
  },
  run(argv, io) {
    return loadGatewayCli().runGatewayCli(argv, io);
  },
};
