// Group `security` (issue 8's benchmark): certificate issuance rate of the mesh CA (CreateCertificate
// over its TLS signing port, workload tokens, in parallel), the cost of a full mutual-TLS handshake
// with mesh-issued SPIFFE leaves, and keep-alive throughput over mTLS relative to plaintext against
// the same server in the same run (goal ≥ 0.85). Method: bench/security/.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openTokenStore } from '@inboard/mesh-server';
import { compiledPackagesNodeArgs, waitForLine } from '../../testing/spawn';
import type { GroupContext, GroupOutcome, ScenarioGroup } from '../harness/group';
import { placedCommand } from '../harness/placement';
import { CpuProbe } from '../harness/proc-cpu';
import { captureOutput } from '../harness/processes';
import { median } from '../harness/aggregate';
import { formatCount, formatRatio } from '../harness/table';
import { applyDocuments, startPlane, type BenchPlane } from '../control-plane/plane';
import { cpuImpliedRatio, pairedRatio, tokensNeeded, type HandshakeResult, type IssueResult, type SecurityJob, type ThroughputResult } from '../security/security-jobs';

const JOB_FILE = path.join(__dirname, '..', 'security', 'security-process.ts');
const SERVER_FILE = path.join(__dirname, '..', 'security', 'tls-server-process.ts');
/** Calls per workload token: the CA allows bursts of 10 per token. */
const PER_TOKEN = 10;
const THROUGHPUT_GOAL = 0.85;
const SERVER_ID = 'spiffe://cluster.local/ns/default/sa/bench-server';

async function runJob<T>(context: GroupContext, job: SecurityJob, name: string): Promise<T> {
  const file = path.join(context.tmpDir, `security-${name}.json`);
  fs.writeFileSync(file, JSON.stringify(job));
  const { command, args } = placedCommand(context.placement, 'client', process.execPath, [...compiledPackagesNodeArgs(), JOB_FILE, '--job', file]);
  const child = context.processes.add(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  captureOutput(child);
  try {
    const [, json] = await waitForLine(child, /^result (\{.*\})$/, 180_000);
    return JSON.parse(json!) as T;
  } finally {
    await context.processes.stop(child);
  }
}

/** Runs `work` and returns its result with the CPU `pid` spent meanwhile, µs. */
async function withCpu<T>(context: GroupContext, pid: number, work: () => Promise<T>): Promise<{ result: T; cpuUs: number }> {
  const probe = new CpuProbe([pid], context.ticksPerSecond);
  const before = probe.sampleUs();
  const result = await work();
  return { result, cpuUs: probe.sampleUs() - before };
}

/** Mesh services for the mesh.fetch rows: the same server's plaintext and mTLS ports (tlsMode=istio → auto mTLS). */
function meshServiceDocuments(httpPort: number, httpsPort: number): object[] {
  const service = (name: string, port: number, labels: Record<string, string>) => [
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] } },
    { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name: `${name}-0`, namespace: 'default' }, spec: { address: '127.0.0.1', labels: { app: name, ...labels }, ports: { http: port }, serviceAccount: 'bench-server' } },
  ];
  return [...service('bench-plain', httpPort, {}), ...service('bench-mtls', httpsPort, { 'security.istio.io/tlsMode': 'istio' })];
}

/** mesh.fetch plaintext vs mesh.fetch over the mesh's own mTLS, paired by round; a reason when it cannot run. */
async function meshRows(context: GroupContext, plane: BenchPlane, rootFile: string, token: string, ports: { http: number; https: number }): Promise<{ plain: ThroughputResult[]; secure: ThroughputResult[] } | { reason: string }> {
  const { settings } = context;
  try {
    await applyDocuments(plane, meshServiceDocuments(ports.http, ports.https));
    const plain: ThroughputResult[] = [];
    const secure: ThroughputResult[] = [];
    for (let round = 0; round < settings.rounds; round++) {
      for (const isSecure of round % 2 === 0 ? [false, true] : [true, false]) {
        const url = `http://${isSecure ? 'bench-mtls' : 'bench-plain'}.default.svc.cluster.local:9080/bench`;
        const job: SecurityJob = { kind: 'mesh-throughput', secure: isSecure, controlPlane: plane.xdsAddress, caAddress: plane.caAddress, rootFile, token, serviceAccount: 'bench-client', url, concurrency: settings.concurrency, warmupMs: settings.warmupMs, durationMs: settings.durationMs };
        (isSecure ? secure : plain).push(await runJob<ThroughputResult>(context, job, `mesh-${round}-${isSecure}`));
      }
    }
    return { plain, secure };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { reason: message.match(/security job failed: .*/)?.[0] ?? message.split('\n')[0]! };
  }
}

async function run(context: GroupContext): Promise<GroupOutcome> {
  const { settings } = context;
  const requests = settings.quick ? 100 : 400;
  const concurrency = 16;
  const plane = await startPlane(context, fs.mkdtempSync(path.join(context.tmpDir, 'security-')));
  const tokens = openTokenStore({ dataDir: plane.dataDir });
  const workload = (serviceAccount: string) => tokens.issue({ scope: 'workload', namespace: 'default', serviceAccount, description: 'bench' }).token;
  const rootFile = path.join(plane.dataDir, 'ca', 'ca-cert.pem');

  context.log(`certificate issuance: ${requests} CreateCertificate calls, ${concurrency} in parallel`);
  const issueTokens = Array.from({ length: tokensNeeded(requests, PER_TOKEN) }, (_, index) => workload(`bench-ca-${index}`));
  const issuing = await withCpu(context, plane.child.pid!, () =>
    runJob<IssueResult>(context, { kind: 'issue', caAddress: plane.caAddress, rootFile, tokens: issueTokens, perToken: PER_TOKEN, requests, concurrency, serverToken: workload('bench-server'), clientToken: workload('bench-client') }, 'issue'),
  );
  const issued = issuing.result;
  const caCpuUsPerCert = issuing.cpuUs / Math.max(1, issued.issued + 5);

  const leafFile = (name: string, pem: string) => {
    const file = path.join(context.tmpDir, `security-${name}.pem`);
    fs.writeFileSync(file, pem, { mode: 0o600 });
    return file;
  };
  const files = {
    serverCert: leafFile('server-cert', issued.server.chainPem),
    serverKey: leafFile('server-key', issued.server.keyPem),
    clientCert: leafFile('client-cert', issued.client.chainPem),
    clientKey: leafFile('client-key', issued.client.keyPem),
  };
  const { command, args } = placedCommand(context.placement, 'server', process.execPath, [...compiledPackagesNodeArgs(), SERVER_FILE, '--cert', files.serverCert, '--key', files.serverKey, '--ca', rootFile, '--body-bytes', String(settings.bodyBytes)]);
  const server = context.processes.add(spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
  captureOutput(server);
  const [, httpPort, httpsPort] = await waitForLine(server, /^listening http=(\d+) https=(\d+) ready$/, 30_000);
  const connectionsOpened = async () => {
    const answer = waitForLine(server, /^stats http=(\d+) https=(\d+)$/, 10_000);
    server.stdin!.write('stats\n');
    const [, http, https] = await answer;
    return { http: Number(http), https: Number(https) };
  };

  context.log('mTLS handshakes');
  const handshaking = await withCpu(context, server.pid!, () =>
    runJob<HandshakeResult>(context, { kind: 'handshake', port: Number(httpsPort), rootFile, certFile: files.clientCert, keyFile: files.clientKey, expectedServerId: SERVER_ID, durationMs: settings.durationMs, concurrency }, 'handshake'),
  );
  const hs = handshaking.result;
  const handshakesDone = hs.sequentialCount + (hs.parallelPerSecond * settings.durationMs) / 1000 + 21;
  const serverCpuUsPerHandshake = handshaking.cpuUs / handshakesDone;
  const afterHandshakes = await connectionsOpened();

  context.log(`keep-alive throughput, plaintext vs mTLS, ${settings.rounds} round(s)`);
  const plain: ThroughputResult[] = [];
  const secure: ThroughputResult[] = [];
  const serverCpu = { plain: [] as number[], secure: [] as number[] };
  // The server's CPU over the whole job (warm-up included) over the requests it served (≈ rate × time).
  const serverUsPerRequest = (cpuUs: number, result: ThroughputResult) => cpuUs / Math.max(1, (result.throughput * (settings.warmupMs + settings.durationMs)) / 1000);
  for (let round = 0; round < settings.rounds; round++) {
    for (const isSecure of round % 2 === 0 ? [false, true] : [true, false]) {
      const { result, cpuUs } = await withCpu(context, server.pid!, () => runJob<ThroughputResult>(context, { kind: 'throughput', secure: isSecure, httpPort: Number(httpPort), httpsPort: Number(httpsPort), rootFile, certFile: files.clientCert, keyFile: files.clientKey, concurrency: settings.concurrency, warmupMs: settings.warmupMs, durationMs: settings.durationMs }, `throughput-${round}-${isSecure}`));
      (isSecure ? secure : plain).push(result);
      (isSecure ? serverCpu.secure : serverCpu.plain).push(serverUsPerRequest(cpuUs, result));
    }
  }
  const ratio = pairedRatio(secure.map((r) => r.throughput), plain.map((r) => r.throughput));
  const beforeMesh = await connectionsOpened();
  context.log('keep-alive throughput through the mesh (mesh.fetch), plaintext vs mesh mTLS');
  const mesh = await meshRows(context, plane, rootFile, workload('bench-client'), { http: Number(httpPort), https: Number(httpsPort) });
  const afterMesh = await connectionsOpened();
  const perRun = (count: number) => (count / settings.rounds).toFixed(0);
  const connectionNote = `Connections the server accepted per run (${settings.concurrency} expected with keep-alive): undici plaintext ${perRun(beforeMesh.http - afterHandshakes.http)}, undici mTLS ${perRun(beforeMesh.https - afterHandshakes.https)}; mesh.fetch plaintext ${perRun(afterMesh.http - beforeMesh.http)}, mesh.fetch mTLS ${perRun(afterMesh.https - beforeMesh.https)} (mTLS counts are completed handshakes).`;
  const meshRatio = 'reason' in mesh ? undefined : pairedRatio(mesh.secure.map((r) => r.throughput), mesh.plain.map((r) => r.throughput));
  const mid = (list: ThroughputResult[], pick: (r: ThroughputResult) => number) => [...list.map(pick)].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
  const failures = Object.entries(issued.failures).map(([code, count]) => `${code} ×${count}`).join(', ') || '0';

  return {
    status: 'ran',
    report: {
      kind: 'table',
      columns: ['measurement', 'rate', 'latency', 'CPU', 'goal'],
      rows: [
        ['certificate issuance (CreateCertificate + GetTrustBundle, 16 parallel)', `${issued.perSecond.toFixed(1)} certs/s`, `p50 ${issued.latencyP50Ms.toFixed(1)} ms, p99 ${issued.latencyP99Ms.toFixed(1)} ms`, `CA ${(caCpuUsPerCert / 1000).toFixed(1)} ms/cert`, `– (${issued.issued} issued, failures ${failures})`],
        [`full mTLS handshake (${hs.tlsVersion}, ${hs.cipher}, RSA-2048 SPIFFE leaves)`, `${formatCount(hs.parallelPerSecond)} /s (16 parallel)`, `p50 ${formatCount(hs.sequentialP50Us)} µs, p99 ${formatCount(hs.sequentialP99Us)} µs (one at a time)`, `client ${formatCount(hs.clientCpuUsPerHandshake)} µs, server ${formatCount(serverCpuUsPerHandshake)} µs`, '–'],
        ['keep-alive plaintext (undici Pool.request)', `${formatCount(mid(plain, (r) => r.throughput))} req/s`, `p50 ${formatCount(mid(plain, (r) => r.p50Us))} µs, p99 ${formatCount(mid(plain, (r) => r.p99Us))} µs`, `client ${mid(plain, (r) => r.clientCpuUsPerRequest).toFixed(1)} µs/req, server ≈ ${median(serverCpu.plain).toFixed(1)}`, 'baseline'],
        ['keep-alive mTLS: undici with mesh certs', `${formatCount(mid(secure, (r) => r.throughput))} req/s, ${formatRatio(ratio.median, ratio.min, ratio.max)}`, `p50 ${formatCount(mid(secure, (r) => r.p50Us))} µs, p99 ${formatCount(mid(secure, (r) => r.p99Us))} µs`, `client ${mid(secure, (r) => r.clientCpuUsPerRequest).toFixed(1)} µs/req, server ≈ ${median(serverCpu.secure).toFixed(1)}`, `${ratio.median >= THROUGHPUT_GOAL ? 'met' : 'MISSED'} (≥ ${THROUGHPUT_GOAL}×); CPU-implied ${cpuImpliedRatio(secure, plain).toFixed(2)}×`],
        ...('reason' in mesh
          ? [['keep-alive mTLS: mesh.fetch with mesh mTLS', 'NOT RUN', mesh.reason, '', '–']]
          : [
              ['keep-alive plaintext: mesh.fetch', `${formatCount(mid(mesh.plain, (r) => r.throughput))} req/s`, `p50 ${formatCount(mid(mesh.plain, (r) => r.p50Us))} µs, p99 ${formatCount(mid(mesh.plain, (r) => r.p99Us))} µs`, `client ${mid(mesh.plain, (r) => r.clientCpuUsPerRequest).toFixed(1)} µs/req`, 'baseline'],
              ['keep-alive mTLS: mesh.fetch with mesh mTLS', `${formatCount(mid(mesh.secure, (r) => r.throughput))} req/s, ${formatRatio(meshRatio!.median, meshRatio!.min, meshRatio!.max)}`, `p50 ${formatCount(mid(mesh.secure, (r) => r.p50Us))} µs, p99 ${formatCount(mid(mesh.secure, (r) => r.p99Us))} µs`, `client ${mid(mesh.secure, (r) => r.clientCpuUsPerRequest).toFixed(1)} µs/req`, `${meshRatio!.median >= THROUGHPUT_GOAL ? 'met' : 'MISSED'} (≥ ${THROUGHPUT_GOAL}×); CPU-implied ${cpuImpliedRatio(mesh.secure, mesh.plain).toFixed(2)}×`],
            ]),
      ],
      notes: [
        `Issuance: ${requests} calls through mesh-client's grpcCertificateSigner (TLS to the CA's signing port with the root pinned, a workload token per ${PER_TOKEN} calls: the CA rate-limits bursts per token), CSRs prepared beforehand; CA CPU is the control plane's /proc CPU over the job.`,
        'Handshakes: node:tls to a node:https server on loopback, client certificate required on both sides, no session resumption; the server identity is checked from the certificate DER (readSubjectAltNames).',
        `Throughput: closed loop, ${settings.concurrency} connections, ${settings.warmupMs / 1000} s warm-up + ${settings.durationMs / 1000} s, plaintext and mTLS interleaved over ${settings.rounds} round(s) against one server process; ratio = mTLS / plaintext paired by round.`,
        'CPU-implied: plaintext client CPU per request over mTLS client CPU per request (medians): the ratio a client-bound closed loop reaches on a quiet machine; steadier than req/s when other work shares the cores.',
        'undici rows: Pool.request with the mesh-issued leaf and root (the transport cost alone). mesh.fetch rows: connect() with a workload token (mtls option), to two mesh services on the same server — bench-plain (plaintext port) and bench-mtls (https port, WorkloadEntry labelled security.istio.io/tlsMode=istio, so auto mTLS with secure naming applies).',
        connectionNote,
        ...(plain.concat(secure).some((r) => r.errors > 0) ? [`WARNING: request errors: plaintext ${plain.map((r) => r.errors).join('/')}, mTLS ${secure.map((r) => r.errors).join('/')}`] : []),
      ],
      data: { issuance: { ...issued, server: undefined, client: undefined, caCpuUsPerCert }, handshake: { ...hs, serverCpuUsPerHandshake }, throughput: { plain, secure, ratio, serverCpu }, mesh: 'reason' in mesh ? mesh : { ...mesh, ratio: meshRatio } },
    },
  };
}

/** The security group. */
export const group: ScenarioGroup = {
  name: 'security',
  order: 70,
  title: 'mesh CA issuance rate, mTLS handshake cost, mTLS keep-alive throughput vs plaintext',
  run,
};
