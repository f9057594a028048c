// CLI entry: runs ONE BookInfo (or support) service as its own process, e.g.
//   main.ts --service reviews --version v2 --port 9082 --upstream ratings=http://127.0.0.1:9083
// Outbound calls use global fetch for now; prints `listening on URL`; SIGTERM/SIGINT close gracefully.
import { runService } from '../service-host';
import { BookinfoError } from './errors';
import { launchService } from './launch';

async function main(): Promise<void> {
  let launched;
  try {
    launched = await launchService(process.argv.slice(2), {
      fetch: globalThis.fetch,
      serve: (handler, options) => runService(handler, options),
      pid: process.pid,
      out: (line) => process.stdout.write(line),
    });
  } catch (error) {
    const message = error instanceof BookinfoError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    process.stderr.write(`${message}\n`);
    process.exit(2);
  }
  if (!launched) return;
  const service = launched;
  process.stdout.write(`listening on ${service.url}\n`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: closing\n`);
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
