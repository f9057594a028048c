// The contract between the load generator and a client library under test (a "driver"), and the
// errors drivers raise. Drivers live in ./drivers; the generator loads one by name in its own process.

/** How the mesh drivers reach the control plane and the service under test (mesh scenarios only). */
export interface MeshTarget {
  /** `host:port` of the control plane's xDS endpoint, e.g. `127.0.0.1:15010`. */
  readonly controlPlane: string;
  /** The HTTP service addressed by its mesh name, e.g. `http://bench-http.default.svc.cluster.local:9080/bench`. */
  readonly serviceUrl: string;
  /** The gRPC service's mesh host name, e.g. `bench-grpc.default.svc.cluster.local`. */
  readonly grpcService: string;
  /** The gRPC service's port, e.g. 9081. */
  readonly grpcPort: number;
  /** Name and namespace the bench client registers under. */
  readonly clientService: string;
  readonly namespace: string;
}

/** Where a driver sends its requests, as the bench prepared it. */
export interface DriverTarget {
  /** Full URL of the HTTP endpoint (raw server or the first proxy), e.g. `http://127.0.0.1:41234/bench`. */
  readonly url: string;
  /** `host:port` of the gRPC echo server (gRPC drivers). */
  readonly grpcAddress?: string;
  /** HTTP/1.1 connections the driver may open to its origin. */
  readonly connections: number;
  /** Size in bytes of the payload a gRPC echo call sends (and gets back). */
  readonly payloadBytes: number;
  /** Set only for mesh scenarios. */
  readonly mesh?: MeshTarget;
}

/**
 * A client library under test. `request()` sends one request, consumes the whole response body and
 * resolves, or rejects with an error whose kind the generator counts (see {@link errorKind}).
 */
export interface Driver {
  readonly name: string;
  setup(target: DriverTarget): Promise<void>;
  request(): Promise<void>;
  close(): Promise<void>;
}

/** A driver (or scenario) cannot run here yet; the bench prints `NOT RUN: <message>` and goes on. */
export class NotRunError extends Error {
  readonly code = 'BENCH_NOT_RUN';
  override readonly name = 'NotRunError';
}

/** A response the bench counts as a failure (e.g. a non-2xx status); `code` is the error kind. */
export class RequestFailure extends Error {
  override readonly name = 'RequestFailure';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Throws a {@link RequestFailure} coded `HTTP_<status>` unless `status` is 2xx. */
export function expectOk(status: number, driver: string): void {
  if (status < 200 || status > 299) throw new RequestFailure(`HTTP_${status}`, `${driver}: HTTP status ${status}`);
}

/** A short stable label for an error, used as the key of the error counts: its `code`, else its name. */
export function errorKind(err: unknown): string {
  if (err !== null && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    if (typeof code === 'number') return `CODE_${code}`;
    const name = (err as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '') return name;
  }
  return 'UNKNOWN';
}
