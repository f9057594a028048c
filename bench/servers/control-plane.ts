// The mesh control plane for the bench's mesh rows, run in its own process: @inboard/mesh-server's
// startControlPlane on free loopback ports with a throw-away data directory. Prints
// "control plane xds=<host:port> api=<url> ready" once it serves; stops on SIGTERM.
import { parseArgs } from 'node:util';
import { startControlPlane } from '@inboard/mesh-server';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir is required (a scratch directory for the embedded store)');
  const plane = await startControlPlane({ dataDir, apiPort: 0, xdsPort: 0, caPort: 0 });
  process.stdout.write(`control plane xds=${plane.xdsAddress} api=${plane.apiAddress} ready\n`);
  process.once('SIGTERM', () => {
    void plane.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`control plane failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
