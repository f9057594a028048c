// Crash-safe small-file writes for the CA's key material and the token store: write a temporary
// file with the final mode, fsync it, rename (or link, to refuse overwriting) it into place, fsync
// the directory. A reader sees the old file or the new one, never a torn one.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Options of writeFileAtomic. */
export interface AtomicWriteOptions {
  /** File mode (default 0o600). */
  readonly mode?: number;
  /** Fail with EEXIST instead of replacing an existing file. */
  readonly exclusive?: boolean;
}

/**
 * Writes `data` to `file` atomically (temp file + fsync + rename + directory fsync). With
 * `exclusive`, the temp file is linked into place and an existing file makes it throw EEXIST.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const mode = options.mode ?? 0o600;
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(temp, 'wx', mode);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fchmodSync(fd, mode); // the umask may have narrowed or widened nothing, but be exact
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    if (options.exclusive) fs.linkSync(temp, file);
    else fs.renameSync(temp, file);
  } finally {
    fs.rmSync(temp, { force: true });
  }
  syncDirectory(dir);
}

/** Creates `dir` (and parents) with mode 0700 when missing; tightens nothing that exists. */
export function ensurePrivateDirectory(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Reads a UTF-8 file, or undefined when it does not exist. */
export function readFileIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
