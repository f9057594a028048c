// `npm start`: BookInfo on the Inboard mesh with one command — the control plane, every BookInfo
// service as its own meshed process (two reviews v2 instances), httpbin v1/v2 and the ingress
// gateway; prints the product page URL; Ctrl-C / SIGTERM stops everything and exits 0.
import path from 'node:path';
import { StartError } from './start/errors';
import { startBookinfo, type RunningBookinfo } from './start/launcher';
import { parseStartArgs, START_USAGE } from './start/options';

function banner(running: RunningBookinfo): string {
  // The CLI finds the default admin API (and ./.inboard's token) by itself; say where otherwise.
  const server = running.apiUrl === 'http://127.0.0.1:15014' ? '' : ` --server ${running.apiUrl}`;
  const lines = [
    '',
    'BookInfo is running on the Inboard mesh.',
    running.productPageUrl ? `  product page: ${running.productPageUrl}` : '  product page: (no Gateway applied; apply examples/bookinfo/config/gateway.yaml)',
    `  admin API:    ${running.apiUrl}   (admin token in ${path.join(running.dataDir, 'admin-token')})`,
    `  dashboard:    ${running.apiUrl}/dashboard/`,
    `  xDS:          ${running.xdsAddress}`,
    `  services:     ${running.instances.map((i) => `${i.name} ${i.url}`).join(', ')}`,
    '',
    `Try:  npx inboard get virtualservices${server}`,
    `      npx inboard proxy-status${server}`,
    '      the tasks in docs/tasks/ (request routing, fault injection, traffic shifting, …)',
    'Ctrl-C stops everything.',
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseStartArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(START_USAGE);
    return;
  }
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const interrupted = new AbortController();
  let running: RunningBookinfo | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    print(`[start] ${signal}: stopping the gateway, the services, then the control plane`);
    if (!running) {
      interrupted.abort(); // start-up notices, cleans up, and main() exits
      return;
    }
    running.close().then(
      () => {
        print('[start] stopped');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`[start] stopping failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    running = await startBookinfo(options, print, interrupted.signal);
  } catch (error) {
    if (interrupted.signal.aborted) {
      print('[start] stopped');
      process.exit(0);
    }
    const code = error instanceof StartError ? `${error.code}: ` : '';
    process.stderr.write(`[start] ${code}${(error as Error).message}\n`);
    process.exit(1);
  }
  print(banner(running));
}

void main();
