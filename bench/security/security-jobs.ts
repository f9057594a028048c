// The jobs the security group hands to ./security-process.ts and the results it gets back, and the
// pure arithmetic over them (the mTLS/plaintext ratio and its goal).
import { median } from '../harness/aggregate';

/** A PEM chain (leaf first) and its private key. */
export interface LeafMaterial {
  readonly chainPem: string;
  readonly keyPem: string;
}

/** Parallel CreateCertificate calls, then one leaf each for the server and the client identity. */
export interface IssueJob {
  readonly kind: 'issue';
  readonly caAddress: string;
  readonly rootFile: string;
  /** tokens[0] warms up; tokens[1…] carry `perToken` measured calls each. */
  readonly tokens: readonly string[];
  readonly perToken: number;
  readonly requests: number;
  readonly concurrency: number;
  readonly serverToken: string;
  readonly clientToken: string;
}

/** What an issue job measured. */
export interface IssueResult {
  readonly issued: number;
  readonly failures: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
  readonly perSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly clientCpuUsPerCertificate: number;
  readonly server: LeafMaterial;
  readonly client: LeafMaterial;
}

/** Full mutual-TLS handshakes against the https port. */
export interface HandshakeJob {
  readonly kind: 'handshake';
  readonly port: number;
  readonly rootFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly expectedServerId: string;
  readonly durationMs: number;
  readonly concurrency: number;
}

/** What a handshake job measured. */
export interface HandshakeResult {
  readonly sequentialCount: number;
  readonly sequentialP50Us: number;
  readonly sequentialP99Us: number;
  readonly clientCpuUsPerHandshake: number;
  readonly parallelPerSecond: number;
  readonly tlsVersion: string;
  readonly cipher: string;
}

/** One closed-loop window of keep-alive requests, plaintext or mTLS. */
export interface ThroughputJob {
  readonly kind: 'throughput';
  readonly secure: boolean;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly rootFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

/** What a throughput job measured. */
export interface ThroughputResult {
  readonly throughput: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly errors: number;
  readonly clientCpuUsPerRequest: number;
}

/** One closed-loop window of `mesh.fetch` with a mesh mTLS identity, to a plaintext or an mTLS service. */
export interface MeshThroughputJob {
  readonly kind: 'mesh-throughput';
  readonly secure: boolean;
  readonly controlPlane: string;
  readonly caAddress: string;
  readonly rootFile: string;
  readonly token: string;
  readonly serviceAccount: string;
  /** The mesh URL (plaintext or mTLS service). */
  readonly url: string;
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

/** Any job. */
export type SecurityJob = IssueJob | HandshakeJob | ThroughputJob | MeshThroughputJob;

/** Tokens needed for `requests` measured calls at `perToken` each, plus one for the warm-up. */
export function tokensNeeded(requests: number, perToken: number): number {
  if (!(perToken >= 1)) throw new RangeError(`tokensNeeded: perToken must be ≥ 1 (got ${perToken})`);
  return 1 + Math.ceil(requests / perToken);
}

/** mTLS throughput over plaintext, paired round by round: the median ratio and its range. */
export function pairedRatio(secure: readonly number[], plain: readonly number[]): { median: number; min: number; max: number } {
  if (secure.length === 0 || secure.length !== plain.length) throw new RangeError(`pairedRatio: need equal, non-empty rounds (got ${secure.length} and ${plain.length})`);
  const ratios = secure.map((value, index) => value / plain[index]!);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/**
 * The throughput ratio client CPU alone predicts for a client-bound closed loop: plaintext CPU per
 * request over mTLS CPU per request, from the per-round medians. Steadier than throughput on a busy machine.
 */
export function cpuImpliedRatio(secure: readonly { clientCpuUsPerRequest: number }[], plain: readonly { clientCpuUsPerRequest: number }[]): number {
  if (secure.length === 0 || plain.length === 0) throw new RangeError('cpuImpliedRatio: need at least one round of each');
  return median(plain.map((r) => r.clientCpuUsPerRequest)) / median(secure.map((r) => r.clientCpuUsPerRequest));
}
