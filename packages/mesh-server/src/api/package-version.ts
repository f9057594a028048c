// The version of @inboard/mesh-server, read from its package.json (found by walking up from this
// file, so it works from src/ under tsx and from dist/src/ when compiled or published).

import fs from 'node:fs';
import path from 'node:path';

/** The mesh-server package version, or "0.0.0-unknown" if its package.json cannot be found. */
export function packageVersion(startDir: string = __dirname): string {
  for (let dir = startDir; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@inboard/mesh-server' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here; keep walking up
    }
    if (path.dirname(dir) === dir) return '0.0.0-unknown';
  }
}
