// Serves the built dashboard (packages/dashboard/dist) at /dashboard/ on the admin API: static files
// with their content types, no path traversal (decoded segments only, resolved inside the root,
// regular files only), 503 naming the build command when the build is missing, and `/` → /dashboard/
// for browsers. The files are public (code, no data); the JSON the page reads follows the API's rules.

import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from './api-error';
import type { RequestContext, Route } from './router';

/** URL path the dashboard is served under. */
export const DASHBOARD_PATH = '/dashboard/';
/** The command that builds the dashboard. */
export const DASHBOARD_BUILD_COMMAND = 'npm run build -w @inboard/dashboard';
/** Deepest file path served below /dashboard/ (vite emits index.html and assets/<file>). */
const MAX_DEPTH = 4;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The content type of a file name (application/octet-stream when unknown). */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The dashboard's build output next to this workspace, or undefined when it cannot be located. */
export function defaultDashboardDir(): string | undefined {
  try {
    return path.join(path.dirname(require.resolve('@inboard/dashboard/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

/**
 * The file under `root` that URL path segments name (index.html for none), or undefined when the
 * segments are not a plain relative path inside `root`. Pure: it does not touch the file system.
 */
export function resolveStaticPath(root: string, segments: readonly string[]): string | undefined {
  const parts = segments.length === 0 ? ['index.html'] : segments;
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..' || part.startsWith('.') || /[/\\\0:]/.test(part)) return undefined;
  }
  const file = path.resolve(root, ...parts);
  const relative = path.relative(path.resolve(root), file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return file;
}

/** The routes: `/` (browsers only), `/dashboard` → `/dashboard/`, and the files below it. */
export function dashboardRoutes(options: { readonly dir: string | undefined }): Route[] {
  const publicRoute = (pattern: string): Route => ({ method: 'GET', pattern, authorize: () => true, handler: (ctx) => serveFile(ctx, options.dir) });
  const patterns = ['/dashboard'];
  for (let depth = 1; depth <= MAX_DEPTH; depth++) patterns.push(`/dashboard/${Array.from({ length: depth }, (_, i) => `:p${i}`).join('/')}`);
  return [
    { method: 'GET', pattern: '/', authorize: () => true, handler: rootRedirect },
    ...patterns.map(publicRoute),
  ];
}

function rootRedirect({ req, res }: RequestContext): void {
  if (!(req.headers.accept ?? '').includes('text/html')) throw new ApiError(404, 'NOT_FOUND', 'no API path /; the dashboard is at /dashboard/');
  res.writeHead(302, { location: DASHBOARD_PATH, 'content-length': '0', 'cache-control': 'no-store' });
  res.end();
}

async function serveFile({ req, res, params }: RequestContext, dir: string | undefined): Promise<void> {
  const rawPath = (req.url ?? '').split('?')[0]!;
  const segments = Object.keys(params).sort().map((k) => params[k]!);
  if (segments.length === 0 && !rawPath.endsWith('/')) {
    // Relative asset URLs (base './') only resolve under the trailing slash.
    res.writeHead(301, { location: DASHBOARD_PATH, 'content-length': '0' });
    res.end();
    return;
  }
  if (!dir || !fs.existsSync(path.join(dir, 'index.html'))) {
    throw new ApiError(503, 'UNAVAILABLE', `the dashboard is not built${dir ? ` (no ${path.join(dir, 'index.html')})` : ''}; run \`${DASHBOARD_BUILD_COMMAND}\` and reload`, { build: DASHBOARD_BUILD_COMMAND });
  }
  const file = resolveStaticPath(dir, segments);
  const notFound = () => new ApiError(404, 'NOT_FOUND', `no dashboard file /dashboard/${segments.join('/')}`);
  if (!file) throw notFound();
  let body: Buffer;
  try {
    const real = await fs.promises.realpath(file);
    const realRoot = await fs.promises.realpath(dir);
    if (path.relative(realRoot, real).startsWith('..') || !(await fs.promises.stat(real)).isFile()) throw notFound();
    body = await fs.promises.readFile(real);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw notFound();
  }
  const immutable = segments[0] === 'assets';
  res.writeHead(200, {
    'content-type': contentTypeOf(file),
    'content-length': String(body.length),
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}
