// Test support for the BookInfo service tests: start real service processes on loopback
// (main.ts with `--port 0`, URL read from `listening on …`), in-process recording upstreams,
// dead URLs, plain HTTP calls, and a bounded poll.
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort, spawnTs, stopProcess, waitForLine } from '../../../testing/spawn';

/** Path of the one-service CLI, relative to the repository root. */
export const SERVICE_MAIN = 'examples/bookinfo/src/services/main.ts';
/** Path of the load client CLI, relative to the repository root. */
export const LOAD_CLI = 'examples/bookinfo/src/support/load-cli.ts';

/** A service process that printed its URL. */
export interface ServiceProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
}

/** Keeps a child's pipes drained (so it never blocks on a full pipe) and remembers the output. */
export function drain(child: ChildProcess): () => string {
  let seen = '';
  const keep = (chunk: Buffer) => {
    seen = (seen + chunk.toString()).slice(-64 * 1024);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => seen;
}

/** Starts and stops service processes; `stopAll()` ends every one it started. */
export class ServiceFleet {
  private readonly children: ChildProcess[] = [];

  /** Starts `main.ts` with `args` (plus `--port 0`) and resolves once it listens. */
  async start(args: string[]): Promise<ServiceProcess> {
    const child = spawnTs(SERVICE_MAIN, [...args, '--port', '0']);
    this.children.push(child);
    const output = drain(child);
    const match = await waitForLine(child, /listening on (http:\/\/127\.0\.0\.1:\d+)/, 15_000);
    return { url: match[1]!, child, output };
  }

  /** SIGTERMs every started process and waits for them to exit. */
  async stopAll(): Promise<Array<number | null>> {
    const codes = await Promise.all(this.children.map((child) => stopProcess(child, 'SIGTERM', 5_000)));
    this.children.length = 0;
    return codes;
  }
}

/** A request an in-process recorder received. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** An in-process upstream that records every request and answers with `respond` (or never, if it returns undefined). */
export interface Recorder {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a recorder on loopback. */
export function startRecorder(respond: (req: RecordedRequest) => { status: number; json: unknown } | undefined): Promise<Recorder> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    requests.push(recorded);
    req.resume();
    const answer = respond(recorded);
    if (!answer) return; // hang: the caller's timeout has to end it
    const body = JSON.stringify(answer.json);
    res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A loopback URL nothing listens on (connection refused). */
export async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/** An HTTP answer read completely. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** GET (or another method) without following redirects; bounded by `timeoutMs`. */
export async function call(url: string, init: RequestInit = {}, timeoutMs = 15_000): Promise<Answer> {
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs), ...init });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Parses an answer's JSON body. */
export function json(answer: Answer): any {
  return JSON.parse(answer.text);
}

/** Occurrences of `needle` in `haystack`. */
export function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
