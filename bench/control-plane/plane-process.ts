// A control plane for the control-plane, memory and security groups, in its own process: mesh-server's
// startControlPlane on loopback with a given data dir and xDS port (0 = free; a fixed port lets the
// bench restart it in place). Prints "plane xds=… api=… ca=… ready"; on the stdin line "mem" it
// forces GC (run it with --expose-gc) and prints "mem rss=<bytes> heap=<bytes>". Stops on SIGTERM.
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { startControlPlane } from '@inboard/mesh-server';

function memoryLine(): string {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const usage = process.memoryUsage();
  return `mem rss=${usage.rss} heap=${usage.heapUsed} gc=${gc ? 'yes' : 'no'}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, 'xds-port': { type: 'string' } } });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir is required (the embedded store lives there)');
  const xdsPort = Number(values['xds-port'] ?? '0');
  if (!Number.isInteger(xdsPort) || xdsPort < 0) throw new Error(`--xds-port must be a port number (got "${values['xds-port']}")`);
  const plane = await startControlPlane({ dataDir, apiPort: 0, xdsPort, caPort: 0 });
  process.stdout.write(`plane xds=${plane.xdsAddress} api=${plane.apiAddress} ca=${plane.caAddress} ready\n`);
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'mem') process.stdout.write(`${memoryLine()}\n`);
  });
  process.once('SIGTERM', () => {
    void plane.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`control plane failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
