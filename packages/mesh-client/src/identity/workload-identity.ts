// A workload's certificate, obtained from the mesh CA and kept fresh: a new key and CSR per
// renewal, renewal at half-life with jitter, retries with jittered backoff, and a hard rule that an
// expired certificate is never handed out. Time and randomness are injected; see renewal.ts.

import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '@inboard/xds';
import type { Clock, TimerHandle } from '../policy/clock';
import { grpcCertificateSigner, type CertificateSigner } from './ca-client';
import { buildCsr, generateWorkloadKey, WORKLOAD_KEY_BITS, type WorkloadKey } from './csr';
import { IdentityError, isIdentityError } from './errors';
import { checkIssuedChain, type IdentityMaterial } from './issued-chain';
import { DEFAULT_RENEWAL, renewalTime, type RenewalPolicy } from './renewal';

export type { IdentityMaterial } from './issued-chain';

/** Options of WorkloadIdentity. */
export interface WorkloadIdentityOptions {
  /** host:port of the CA's signing endpoint (control plane port 15012). */
  readonly caAddress: string;
  /** Workload token bound to this workload's namespace and service account. */
  readonly token: string;
  /** PEM root(s) pinned for the TLS channel to the CA. */
  readonly trustRootPem: string;
  /** Name checked in the CA's serving certificate (default istiod.inboard.svc). */
  readonly serverName?: string;
  /** Requested certificate lifetime; default: the CA's (24 h). */
  readonly ttlMs?: number;
  /** When to renew (default: 50 % of the lifetime, ±10 %). */
  readonly renewal?: Partial<RenewalPolicy>;
  /** Retry backoff after a failed issuance (default 1 s × 1.6ⁿ, ±20 %, at most 30 s). */
  readonly backoff?: Partial<BackoffOptions>;
  /** Wall clock: `now()` in epoch milliseconds (certificate times are wall time). Default Date.now. */
  readonly clock?: Clock;
  /** Random source in [0, 1) for jitter. Default Math.random. */
  readonly random?: () => number;
  /** Replaces the gRPC client (tests, or another CA transport). */
  readonly signer?: CertificateSigner;
  /** RSA key size (default 2048). */
  readonly keyBits?: number;
}

/** Where a WorkloadIdentity stands. */
export interface IdentityStatus {
  readonly state: 'starting' | 'ready' | 'expired' | 'closed';
  /** Epoch ms of the next renewal or retry, when one is scheduled. */
  readonly nextAttemptAt?: number;
  readonly notAfter?: number;
  /** Consecutive failed attempts. */
  readonly failures: number;
  readonly lastError?: IdentityError;
  /** Certificates obtained so far. */
  readonly issued: number;
}

/** The wall clock: Date.now and unref'd timers. */
export const wallClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
});

/** Longest single timer; longer waits are re-armed, so a suspended host or a clock jump is noticed. */
const MAX_TIMER_MS = 10 * 60_000;

/** Obtains and rotates this workload's certificate. Starts at construction; call `close()` when done. */
export class WorkloadIdentity {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly signer: CertificateSigner;
  private readonly policy: RenewalPolicy;
  private readonly backoff: BackoffOptions;
  private readonly rotateListeners = new Set<(material: IdentityMaterial) => void>();
  private readonly errorListeners = new Set<(error: IdentityError) => void>();
  private readonly readyWaiters = new Set<{ resolve: (m: IdentityMaterial) => void; reject: (e: Error) => void }>();
  private material: IdentityMaterial | undefined;
  private timer: TimerHandle | undefined;
  private nextAttemptAt: number | undefined;
  private failures = 0;
  private issued = 0;
  private lastError: IdentityError | undefined;
  private closed = false;
  private readonly inFlight = new AbortController();

  constructor(private readonly options: WorkloadIdentityOptions) {
    this.clock = options.clock ?? wallClock;
    this.random = options.random ?? Math.random;
    this.policy = { ...DEFAULT_RENEWAL, ...options.renewal };
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.signer = options.signer ?? grpcCertificateSigner({
      caAddress: options.caAddress,
      token: options.token,
      trustRootPem: options.trustRootPem,
      ...(options.serverName !== undefined ? { serverName: options.serverName } : {}),
    });
    void this.attempt();
  }

  /**
   * The current identity. Never an expired one.
   * @throws IdentityError IDENTITY_NOT_READY before the first certificate, IDENTITY_EXPIRED when
   *   the last one expired and no renewal has succeeded since, IDENTITY_CLOSED after close().
   */
  current(): IdentityMaterial {
    if (this.closed) throw new IdentityError('IDENTITY_CLOSED', 'the workload identity was closed');
    const material = this.material;
    if (!material) throw new IdentityError('IDENTITY_NOT_READY', `no certificate yet from the CA at ${this.options.caAddress}${this.lastError ? `: ${this.lastError.message}` : ''}`, { caAddress: this.options.caAddress });
    if (this.clock.now() >= material.notAfter) {
      throw new IdentityError('IDENTITY_EXPIRED', `the certificate of ${material.identity.uri} expired at ${new Date(material.notAfter).toISOString()} and renewal has not succeeded${this.lastError ? `: ${this.lastError.message}` : ''}`, { identity: material.identity.uri, notAfter: material.notAfter });
    }
    return material;
  }

  /** Resolves with the first (or current) certificate; rejects on close() or when `signal` aborts. */
  whenReady(signal?: AbortSignal): Promise<IdentityMaterial> {
    try {
      return Promise.resolve(this.current());
    } catch (error) {
      if (isIdentityError(error, 'IDENTITY_CLOSED')) return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      const waiter = {
        resolve: (m: IdentityMaterial) => { signal?.removeEventListener('abort', onAbort); resolve(m); },
        reject: (e: Error) => { signal?.removeEventListener('abort', onAbort); reject(e); },
      };
      const onAbort = () => { this.readyWaiters.delete(waiter); reject(signal!.reason ?? new Error('aborted')); };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.readyWaiters.add(waiter);
    });
  }

  /** Calls `listener` with every new certificate (the first one included). Returns an unsubscribe. */
  onRotate(listener: (material: IdentityMaterial) => void): () => void {
    this.rotateListeners.add(listener);
    return () => this.rotateListeners.delete(listener);
  }

  /** Calls `listener` with every failed attempt. Returns an unsubscribe. */
  onError(listener: (error: IdentityError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** A snapshot of the renewal state, for health checks and tests. */
  status(): IdentityStatus {
    const expired = this.material !== undefined && this.clock.now() >= this.material.notAfter;
    return {
      state: this.closed ? 'closed' : !this.material ? 'starting' : expired ? 'expired' : 'ready',
      ...(this.nextAttemptAt !== undefined ? { nextAttemptAt: this.nextAttemptAt } : {}),
      ...(this.material ? { notAfter: this.material.notAfter } : {}),
      failures: this.failures,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      issued: this.issued,
    };
  }

  /** Stops renewing, cancels a call in flight and releases the CA channel. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.nextAttemptAt = undefined;
    this.inFlight.abort();
    this.signer.close();
    const error = new IdentityError('IDENTITY_CLOSED', 'the workload identity was closed');
    for (const waiter of this.readyWaiters) waiter.reject(error);
    this.readyWaiters.clear();
  }

  private async attempt(): Promise<void> {
    this.nextAttemptAt = undefined;
    let material: IdentityMaterial;
    try {
      const key: WorkloadKey = await generateWorkloadKey(this.options.keyBits ?? WORKLOAD_KEY_BITS);
      const ttlSeconds = this.options.ttlMs !== undefined ? Math.ceil(this.options.ttlMs / 1000) : undefined;
      const signed = await this.signer.sign({ csrPem: buildCsr(key), ...(ttlSeconds !== undefined ? { ttlSeconds } : {}) }, this.inFlight.signal);
      if (this.closed) return;
      material = checkIssuedChain(key, signed.certChain, signed.trustBundle, this.clock.now());
    } catch (error) {
      if (this.closed) return;
      const failure = isIdentityError(error) ? error : new IdentityError('CA_REQUEST_FAILED', (error as Error).message, {}, { cause: error });
      this.failures++;
      this.lastError = failure;
      for (const listener of this.errorListeners) notify(listener, failure, 'onError');
      this.schedule(this.clock.now() + backoffDelay(this.failures - 1, this.random, this.backoff));
      return;
    }
    this.material = material;
    this.failures = 0;
    this.lastError = undefined;
    this.issued++;
    this.schedule(renewalTime(material, this.policy, this.random));
    for (const waiter of this.readyWaiters) waiter.resolve(material);
    this.readyWaiters.clear();
    for (const listener of this.rotateListeners) notify(listener, material, 'onRotate');
  }

  /** Arms the timer for `at` (epoch ms), in steps of at most MAX_TIMER_MS. */
  private schedule(at: number): void {
    this.timer?.cancel();
    this.nextAttemptAt = at;
    const wait = at - this.clock.now();
    if (wait <= 0) {
      this.timer = undefined;
      void this.attempt();
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) this.schedule(at);
    }, Math.min(wait, MAX_TIMER_MS));
  }
}

/** Calls a listener; one that throws is reported as a process warning and never stops renewal. */
function notify<T>(listener: (value: T) => void, value: T, kind: string): void {
  try {
    listener(value);
  } catch (error) {
    process.emitWarning(`a WorkloadIdentity ${kind} listener threw: ${(error as Error)?.stack ?? String(error)}`, { code: 'INBOARD_IDENTITY_LISTENER' });
  }
}
