// The workload certificate as files for grpc-js-xds's `file_watcher` certificate provider (Istio's
// proxyless gRPC reads its certificates the same way): key, chain and mesh roots written to a private
// temporary directory (0700/0600), rewritten atomically at every rotation, removed on close().

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IdentityMaterial } from '../identity/issued-chain';
import type { MtlsSource } from '../identity/mesh-mtls';

/** The files a `file_watcher` provider reads. */
export interface CertificateFilePaths {
  readonly certificateFile: string;
  readonly privateKeyFile: string;
  readonly caCertificateFile: string;
}

/** Keeps the current workload certificate on disk for grpc-js-xds. */
export class CertificateFiles {
  readonly paths: CertificateFilePaths;
  private readonly dir: string;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(source: MtlsSource) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-certs-'));
    fs.chmodSync(this.dir, 0o700);
    this.paths = Object.freeze({
      certificateFile: path.join(this.dir, 'cert-chain.pem'),
      privateKeyFile: path.join(this.dir, 'key.pem'),
      caCertificateFile: path.join(this.dir, 'root-cert.pem'),
    });
    this.unsubscribe = source.onRotate((material) => this.write(material));
    try {
      this.write(source.current());
    } catch {
      // Not issued yet: the files appear with the first certificate (grpc-js-xds retries reading them).
    }
  }

  /** Writes `material` (each file replaced atomically: a reader sees the old or the new one). */
  write(material: IdentityMaterial): void {
    if (this.closed) return;
    // Key first, chain second: a reader between the two renames may pair a new key with the old chain
    // once; the provider re-reads at its refresh interval.
    writeAtomic(this.paths.privateKeyFile, material.keyPem);
    writeAtomic(this.paths.certificateFile, material.certChainPem);
    writeAtomic(this.paths.caCertificateFile, material.trustBundle.join('\n'));
  }

  /** Stops following rotations and removes the directory. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function writeAtomic(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text, { mode: 0o600 });
  fs.renameSync(temporary, file);
}
