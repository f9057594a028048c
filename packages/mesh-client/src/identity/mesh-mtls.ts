// The mesh's mutual-TLS state, owned by a Mesh: the WorkloadIdentity (certificate from the mesh CA,
// rotated) when connect() found a token and a pinned root, else "plaintext" with the reason, said
// once as a warning. The outbound connector and the inbound TLS front read the current material here.

import type { ResolvedMtls } from '../options';
import type { IdentityError } from './errors';
import type { IdentityMaterial } from './issued-chain';
import { WorkloadIdentity, type WorkloadIdentityOptions } from './workload-identity';

/** What the data path needs from the mesh's identity. */
export interface MtlsSource {
  /** True when the mesh has (or is obtaining) a workload certificate. */
  readonly enabled: boolean;
  /** The current certificate; throws IdentityError while none is valid. */
  current(): IdentityMaterial;
  /** Resolves with a valid certificate (waits for the first one). */
  whenReady(signal?: AbortSignal): Promise<IdentityMaterial>;
  /** Called with each new certificate; returns an unsubscribe. */
  onRotate(listener: (material: IdentityMaterial) => void): () => void;
}

/** The mTLS state of one Mesh. `close()` stops renewal. */
export class MeshMtls implements MtlsSource {
  /** The WorkloadIdentity, when mTLS is enabled. */
  readonly identity: WorkloadIdentity | undefined;
  /** Why the mesh runs without mTLS, when it does. */
  readonly disabledReason: string | undefined;

  /**
   * `expected` is the identity the workload registers with (its namespace and service account); a
   * certificate naming another one is reported once, since callers will then refuse this workload.
   */
  constructor(settings: ResolvedMtls, expected: { readonly namespace: string; readonly serviceAccount?: string } | undefined = undefined, warn: (message: string) => void = defaultWarn, overrides: Partial<WorkloadIdentityOptions> = {}) {
    if (!settings.enabled) {
      this.identity = undefined;
      this.disabledReason = settings.reason;
      // Said once per mesh; not when the application turned mTLS off itself.
      if (!settings.explicit) warn(`inboard: mutual TLS is off: ${settings.reason}. Outbound calls are plaintext, and STRICT PeerAuthentication peers will refuse them.`);
      return;
    }
    this.disabledReason = undefined;
    this.identity = new WorkloadIdentity({
      caAddress: settings.caAddress, token: settings.token, trustRootPem: settings.trustRootPem,
      ...(settings.ttlMs !== undefined ? { ttlMs: settings.ttlMs } : {}),
      ...overrides,
    });
    let warned = false;
    this.identity.onError((error: IdentityError) => {
      if (warned) return;
      warned = true;
      warn(`inboard: cannot obtain a workload certificate from ${settings.caAddress} (${error.code}: ${error.message}); retrying. mTLS connections fail until one is issued.`);
    });
    let checked = false;
    this.identity.onRotate((material) => {
      warned = false;
      if (checked || !expected) return;
      checked = true;
      const id = material.identity;
      const sa = expected.serviceAccount ?? 'default';
      if (id.namespace !== expected.namespace || id.serviceAccount !== sa) {
        warn(`inboard: the workload certificate names ${id.uri}, but this workload registers as namespace ${expected.namespace}, service account ${sa}: ` +
          'callers check secure naming against the registered identity and will refuse it. Use a token for that service account, or set INBOARD_SERVICE_ACCOUNT to match.');
      }
    });
  }

  get enabled(): boolean {
    return this.identity !== undefined;
  }

  current(): IdentityMaterial {
    if (!this.identity) throw new Error(`mutual TLS is off: ${this.disabledReason}`);
    return this.identity.current();
  }

  whenReady(signal?: AbortSignal): Promise<IdentityMaterial> {
    if (!this.identity) return Promise.reject(new Error(`mutual TLS is off: ${this.disabledReason}`));
    return this.identity.whenReady(signal);
  }

  onRotate(listener: (material: IdentityMaterial) => void): () => void {
    return this.identity ? this.identity.onRotate(listener) : () => undefined;
  }

  /** Stops renewal. Idempotent. */
  close(): void {
    this.identity?.close();
  }
}

function defaultWarn(message: string): void {
  process.emitWarning(message, { code: 'INBOARD_MTLS' });
}
