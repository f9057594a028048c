// An httpbin-like echo service for Istio's tasks (mirroring, circuit breaking, ingress):
// `/get`, `/headers`, `/ip`, `/anything`, `/status/{codes}`, `/delay/{s}`. Every answer names the
// instance's version (header `x-httpbin-version`, JSON field `version`) so v1 and v2 differ.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BookinfoError } from '../services/errors';
import { guardHandler, headerOf, readBody, requestUrl, sendJson, sendMethodNotAllowed, sendNotFound, sendText } from '../services/http-util';
import type { RequestHandler, ServiceLogger } from '../services/types';
import { silentLogger } from '../services/types';

const MAX_BODY_BYTES = 1024 * 1024;

/** Everything the echo service needs. */
export interface HttpbinDeps {
  /** Label reported on every answer (`v1`, `v2` …). Default v1. */
  readonly version?: string;
  /** Upper bound of `/delay/{s}` in seconds (httpbin's is 10). */
  readonly maxDelaySeconds?: number;
  /** Random source in [0, 1) for `/status/200,503`-style choices. Default Math.random. */
  readonly random?: () => number;
  readonly logger?: ServiceLogger;
}

/** `x-request-id` → `X-Request-Id`, the way httpbin shows header names. */
export function titleCaseHeader(name: string): string {
  return name
    .split('-')
    .map((part) => (part.length === 0 ? part : part[0]!.toUpperCase() + part.slice(1)))
    .join('-');
}

/** The request headers as httpbin shows them: Title-Case names, repeated values joined with ",". */
export function echoHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = titleCaseHeader(req.rawHeaders[i]!.toLowerCase());
    const value = req.rawHeaders[i + 1]!;
    out[name] = out[name] === undefined ? value : `${out[name]},${value}`;
  }
  return out;
}

/**
 * Picks a status from httpbin's `/status/{codes}` syntax: one code, a comma list (uniform), or
 * weighted `code:weight` entries. Throws a message for malformed input.
 */
export function pickStatus(spec: string, random: number): number {
  const choices = spec.split(',').map((entry) => {
    const [codeText, weightText] = entry.split(':');
    const code = Number(codeText);
    const weight = weightText === undefined ? 1 : Number(weightText);
    if (!/^\d{3}$/.test(codeText ?? '') || code < 100 || code > 599) throw new Error(`invalid status code "${codeText}"`);
    if (!Number.isFinite(weight) || weight < 0) throw new Error(`invalid weight "${weightText}" for status ${code}`);
    return { code, weight };
  });
  const total = choices.reduce((sum, choice) => sum + choice.weight, 0);
  if (total <= 0) throw new Error('status weights sum to zero');
  let point = random * total;
  for (const choice of choices) {
    point -= choice.weight;
    if (point < 0) return choice.code;
  }
  return choices[choices.length - 1]!.code;
}

function origin(req: IncomingMessage): string {
  const remote = req.socket.remoteAddress ?? '';
  const forwarded = headerOf(req, 'x-forwarded-for');
  return forwarded ? `${forwarded}, ${remote}` : remote;
}

function args(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    out[key] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

async function bodyFields(req: IncomingMessage): Promise<{ data: string; form: Record<string, string>; json: unknown }> {
  const body = await readBody(req, MAX_BODY_BYTES);
  const data = body.toString('utf8');
  const type = headerOf(req, 'content-type') ?? '';
  let form: Record<string, string> = {};
  let json: unknown = null;
  if (type.startsWith('application/x-www-form-urlencoded')) form = Object.fromEntries(new URLSearchParams(data));
  if (type.startsWith('application/json')) {
    try {
      json = JSON.parse(data);
    } catch {
      json = null;
    }
  }
  return { data: type.startsWith('application/x-www-form-urlencoded') ? '' : data, form, json };
}

/** Builds the echo service's request handler. */
export function createHttpbinApp(deps: HttpbinDeps = {}): RequestHandler {
  const version = deps.version ?? 'v1';
  const maxDelaySeconds = deps.maxDelaySeconds ?? 10;
  if (!Number.isFinite(maxDelaySeconds) || maxDelaySeconds < 0) {
    throw new BookinfoError('BAD_OPTION', `httpbin maxDelaySeconds must be a non-negative number, got ${maxDelaySeconds}`);
  }
  const random = deps.random ?? Math.random;
  const logger = deps.logger ?? silentLogger;

  function describe(req: IncomingMessage, url: URL) {
    return { args: args(url), headers: echoHeaders(req), origin: origin(req), url: `http://${headerOf(req, 'host') ?? 'httpbin'}${req.url ?? '/'}`, version };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('x-httpbin-version', version);
    const url = requestUrl(req);
    const { pathname } = url;
    const method = req.method ?? 'GET';
    const getOnly = (answer: () => void) => (method === 'GET' || method === 'HEAD' ? answer() : sendMethodNotAllowed(res, ['GET']));

    if (pathname === '/') return getOnly(() => sendText(res, 200, `httpbin-like echo service (${version}): /get /headers /ip /anything /status/{codes} /delay/{seconds}\n`));
    if (pathname === '/get') return getOnly(() => sendJson(res, 200, describe(req, url)));
    if (pathname === '/headers') return getOnly(() => sendJson(res, 200, { headers: echoHeaders(req), version }));
    if (pathname === '/ip') return getOnly(() => sendJson(res, 200, { origin: origin(req), version }));
    if (pathname === '/anything' || pathname.startsWith('/anything/')) {
      return sendJson(res, 200, { ...describe(req, url), method, files: {}, ...(await bodyFields(req)) });
    }
    const status = /^\/status\/([^/]+)$/.exec(pathname);
    if (status) {
      let code: number;
      try {
        code = pickStatus(decodeURIComponent(status[1]!), random());
      } catch (error) {
        return sendText(res, 400, `${(error as Error).message}\n`);
      }
      if (code === 418) return sendText(res, 418, '\n    -=[ teapot ]=-\n');
      res.writeHead(code, { 'content-length': 0 });
      return void res.end();
    }
    const delay = /^\/delay\/([^/]+)$/.exec(pathname);
    if (delay) {
      const seconds = Number(delay[1]);
      if (!Number.isFinite(seconds) || seconds < 0) return sendText(res, 400, `invalid delay "${delay[1]}"\n`);
      const fields = await bodyFields(req);
      const timer = setTimeout(() => sendJson(res, 200, { ...describe(req, url), files: {}, ...fields }), Math.min(seconds, maxDelaySeconds) * 1000);
      res.once('close', () => clearTimeout(timer));
      return;
    }
    return sendNotFound(res, pathname);
  }

  return guardHandler(logger, handle, (req, res, ms) => `${req.method ?? '-'} ${req.url ?? '-'} host=${headerOf(req, 'host') ?? '-'} ${res.statusCode} ${ms}ms version=${version}`);
}
