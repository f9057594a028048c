// The client side of the security group, one job per process (client core): `issue` — parallel
// CreateCertificate calls to the mesh CA with workload tokens (rate, latency) and the two leaves the
// later jobs use; `handshake` — full mutual-TLS handshakes with those leaves (µs each, per second);
// `throughput` — undici Pool keep-alive closed loop, plaintext vs mTLS on the same server, via the
// load generator's closed loop; `mesh-throughput` — the same with mesh.fetch and the mesh's own mTLS. Reads its job from --job <file>; prints "result <json>".
import fs from 'node:fs';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { grpcCertificateSigner, readSubjectAltNames } from '@inboard/mesh-client';
import { runClosedLoop } from '../load/closed-loop';
import { expectOk, type Driver } from '../load/driver';
import { percentile } from '../control-plane/fanout-stats';
import { workloadCsr } from './workload-csr';
import type { HandshakeJob, HandshakeResult, IssueJob, IssueResult, LeafMaterial, MeshThroughputJob, SecurityJob, ThroughputJob, ThroughputResult } from './security-jobs';

const WARMUP_PER_TOKEN = 10;

async function issue(job: IssueJob): Promise<IssueResult> {
  const rootPem = fs.readFileSync(job.rootFile, 'utf8');
  const signers = job.tokens.map((token) => grpcCertificateSigner({ caAddress: job.caAddress, token, trustRootPem: rootPem }));
  const csrs = Array.from({ length: 4 }, () => workloadCsr());
  const failures: Record<string, number> = {};
  try {
    // Warm-up: the first token's burst, sequential (channel set-up and JIT not measured).
    for (let i = 0; i < Math.min(3, WARMUP_PER_TOKEN); i++) await signers[0]!.sign({ csrPem: csrs[0]!.csrPem });
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const worker = async () => {
      for (;;) {
        const index = next++;
        if (index >= job.requests) return;
        // Tokens 1… carry the measured calls, at most `perToken` each (the CA limits bursts per token).
        const signer = signers[1 + Math.floor(index / job.perToken)]!;
        const begun = performance.now();
        try {
          await signer.sign({ csrPem: csrs[index % csrs.length]!.csrPem });
          latencies.push(performance.now() - begun);
        } catch (error) {
          const code = String((error as { code?: unknown }).code ?? 'ERROR');
          failures[code] = (failures[code] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: job.concurrency }, worker));
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    const leaf = async (token: string): Promise<LeafMaterial> => {
      const material = workloadCsr();
      const signer = grpcCertificateSigner({ caAddress: job.caAddress, token, trustRootPem: rootPem });
      try {
        const signed = await signer.sign({ csrPem: material.csrPem });
        return { chainPem: signed.certChain.join('\n'), keyPem: material.keyPem };
      } finally {
        signer.close();
      }
    };
    return {
      issued: latencies.length,
      failures,
      elapsedMs,
      perSecond: (latencies.length / elapsedMs) * 1000,
      latencyP50Ms: percentile(latencies, 50),
      latencyP99Ms: percentile(latencies, 99),
      clientCpuUsPerCertificate: latencies.length > 0 ? (cpu.user + cpu.system) / latencies.length : 0,
      server: await leaf(job.serverToken),
      client: await leaf(job.clientToken),
    };
  } finally {
    for (const signer of signers) signer.close();
  }
}

function handshakeOnce(job: HandshakeJob, options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ ...options, host: '127.0.0.1', port: job.port });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function handshakes(job: HandshakeJob): Promise<HandshakeResult> {
  const options: tls.ConnectionOptions = {
    // One secure context for every handshake, as a client keeps it between connections.
    secureContext: tls.createSecureContext({ ca: fs.readFileSync(job.rootFile), cert: fs.readFileSync(job.certFile), key: fs.readFileSync(job.keyFile) }),
    // SPIFFE leaves carry a URI SAN, not a host name: the mesh checks the identity itself (below).
    checkServerIdentity: () => undefined,
  };
  const first = await handshakeOnce(job, options);
  const der = first.getPeerX509Certificate()?.raw;
  const uris = der ? readSubjectAltNames(der)?.uris ?? [] : [];
  const tlsVersion = first.getProtocol() ?? 'unknown';
  const cipher = first.getCipher()?.name ?? 'unknown';
  first.destroy();
  if (!uris.includes(job.expectedServerId)) throw new Error(`the server presented ${JSON.stringify(uris)}, expected ${job.expectedServerId}`);
  for (let i = 0; i < 20; i++) (await handshakeOnce(job, options)).destroy(); // warm-up

  const sequential: number[] = [];
  const cpuStart = process.cpuUsage();
  let until = performance.now() + job.durationMs;
  while (performance.now() < until) {
    const begun = performance.now();
    const socket = await handshakeOnce(job, options);
    sequential.push((performance.now() - begun) * 1000);
    socket.destroy();
  }
  const cpu = process.cpuUsage(cpuStart);

  let parallelCount = 0;
  until = performance.now() + job.durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (performance.now() < until) {
        (await handshakeOnce(job, options)).destroy();
        parallelCount++;
      }
    }),
  );
  const parallelMs = performance.now() - started;
  return {
    sequentialCount: sequential.length,
    sequentialP50Us: percentile(sequential, 50),
    sequentialP99Us: percentile(sequential, 99),
    clientCpuUsPerHandshake: (cpu.user + cpu.system) / sequential.length,
    parallelPerSecond: (parallelCount / parallelMs) * 1000,
    tlsVersion,
    cipher,
  };
}

/** undici Pool.request against one origin, optionally over mutual TLS with the mesh leaf. */
function poolDriver(name: string, origin: string, connections: number, connect?: tls.ConnectionOptions): Driver {
  const pool = new Pool(origin, { connections, pipelining: 1, ...(connect ? { connect: connect as Pool.Options['connect'] } : {}) });
  return {
    name,
    setup: async () => undefined,
    async request() {
      const { statusCode, body } = await pool.request({ path: '/bench', method: 'GET' });
      await body.dump();
      expectOk(statusCode, name);
    },
    close: () => pool.close(),
  };
}

async function throughput(job: ThroughputJob): Promise<ThroughputResult> {
  const mtls: tls.ConnectionOptions = {
    ca: fs.readFileSync(job.rootFile),
    cert: fs.readFileSync(job.certFile),
    key: fs.readFileSync(job.keyFile),
    checkServerIdentity: () => undefined,
  };
  const driver = job.secure
    ? poolDriver('undici mTLS', `https://127.0.0.1:${job.httpsPort}`, job.concurrency, mtls)
    : poolDriver('undici plaintext', `http://127.0.0.1:${job.httpPort}`, job.concurrency);
  try {
    return await closedLoop(driver, job);
  } finally {
    await driver.close();
  }
}

/** The slice of mesh-client's Mesh used here (loaded at run time: its mTLS is still being built). */
interface MeshSurface {
  readonly ready: Promise<void>;
  fetch(url: string): Promise<{ status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
  explain(request: { url: string }): { decision?: string; endpoints?: { available?: boolean }[] };
  close(): unknown;
}

async function closedLoop(driver: Driver, job: { concurrency: number; warmupMs: number; durationMs: number }): Promise<ThroughputResult> {
  let cpuStart = process.cpuUsage();
  let cpu = { user: 0, system: 0 };
  const phase = await runClosedLoop(driver, { mode: 'closed', concurrency: job.concurrency, warmupMs: job.warmupMs, durationMs: job.durationMs }, (edge) => {
    if (edge === 'start') cpuStart = process.cpuUsage();
    else cpu = process.cpuUsage(cpuStart);
  });
  const errors = Object.values(phase.errors).reduce((sum, count) => sum + count, 0);
  return { throughput: phase.throughput, p50Us: phase.latency.p50, p99Us: phase.latency.p99, errors, clientCpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, phase.ok) };
}

async function meshThroughput(job: MeshThroughputJob): Promise<ThroughputResult> {
  const { connect } = require('@inboard/mesh-client') as { connect: (options: Record<string, unknown>) => MeshSurface };
  const mesh = connect({
    controlPlane: job.controlPlane,
    service: 'bench-client',
    namespace: 'default',
    serviceAccount: job.serviceAccount,
    mtls: { token: job.token, caAddress: job.caAddress, caRootPem: fs.readFileSync(job.rootFile, 'utf8') },
  });
  const guard = setTimeout(() => {
    process.stderr.write('security job failed: the mesh was not ready within 30 s\n');
    process.exit(1);
  }, 30_000);
  try {
    await mesh.ready;
    for (;;) {
      const decision = mesh.explain({ url: job.url });
      if (decision.decision === 'forward' && decision.endpoints?.some((endpoint) => endpoint.available)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The first request proves the path works (an mTLS failure must not hide in the error count).
    const first = await mesh.fetch(job.url);
    await first.arrayBuffer();
    expectOk(first.status, 'mesh.fetch');
    clearTimeout(guard);
    const driver: Driver = {
      name: 'mesh.fetch',
      setup: async () => undefined,
      async request() {
        const response = await mesh.fetch(job.url);
        await response.arrayBuffer();
        expectOk(response.status, 'mesh.fetch');
      },
      close: async () => undefined,
    };
    return await closedLoop(driver, job);
  } finally {
    clearTimeout(guard);
    mesh.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { job: { type: 'string' } } });
  if (!values.job) throw new Error('--job <file> is required');
  const job = JSON.parse(fs.readFileSync(values.job, 'utf8')) as SecurityJob;
  const result = job.kind === 'issue' ? await issue(job) : job.kind === 'handshake' ? await handshakes(job) : job.kind === 'throughput' ? await throughput(job) : await meshThroughput(job);
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
  setTimeout(() => process.exit(0), 50).unref();
}

main().catch((error: unknown) => {
  process.stderr.write(`security job failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
