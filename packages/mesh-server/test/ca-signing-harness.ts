// A real signing endpoint in its own process, for tests of other packages (mesh-client's
// WorkloadIdentity rotation test spawns it): CA + token store + TLS gRPC service on a free loopback
// port, with the CA's clock driven over stdin so the client's fake clock and the CA agree.
//
// Usage: ca-signing-harness.ts [DATA_DIR] (default: a temporary directory it removes on exit).
// Prints `READY {"port":…,"token":"…","root":"…"}` once serving. Reads lines on stdin:
//   `time <epoch-ms>` → sets the CA clock, answers `time-ok <epoch-ms>`;  `quit` or EOF → exits.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { openCertificateAuthority } from '../src/ca/authority';
import { startSigningService } from '../src/ca/signing-service';
import { openTokenStore } from '../src/tokens/token-store';

async function main(): Promise<void> {
  let time = Date.now();
  const clock = { now: () => time };
  const ownDir = process.argv[2] === undefined;
  const dataDir = process.argv[2] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-ca-harness-'));
  const ca = await openCertificateAuthority({ dataDir, clock });
  const tokens = openTokenStore({ dataDir, clock });
  const { token } = tokens.issue({ scope: 'workload', namespace: 'default', serviceAccount: 'bookinfo-reviews' });
  const service = await startSigningService({ ca, tokens, port: 0, clock, rateLimit: { capacity: 1_000, refillPerSecond: 100 } });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await service.close();
    if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const match = /^time (\d+)$/.exec(line.trim());
    if (match) {
      time = Number(match[1]);
      process.stdout.write(`time-ok ${time}\n`);
    } else if (line.trim() === 'quit') {
      void stop();
    } else {
      process.stderr.write(`unknown command: ${line}\n`);
    }
  });
  lines.on('close', () => void stop());
  process.stdout.write(`READY ${JSON.stringify({ port: service.port, token, root: ca.trustBundle()[0] })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
