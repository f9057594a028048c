// Hosts the mesh has no listener for: under ALLOW_ANY (Istio's default) the request goes to its
// original destination through a private undici Agent — Istio's PassthroughCluster — so meshing a
// process never breaks its calls to the outside world; under REGISTRY_ONLY it is refused (502).

import { Agent, type Dispatcher } from 'undici';
import { MeshError } from '../errors';
import type { MeshRequest, MeshResponse } from '../request';

/** Sends unmeshed requests as they are. Owns its connections; `close()` ends them. */
export class Passthrough {
  // A private Agent, never the global dispatcher (which may be the mesh itself).
  private readonly agent = new Agent({ headersTimeout: 0, bodyTimeout: 0 });

  /**
   * Sends `request` to `scheme://authority` unchanged.
   * @throws MeshError CONNECT_FAILURE or UPSTREAM_RESET when no response arrives (cause: undici's
   *   error), ABORTED when the caller's signal aborted. A failure here is not the mesh's answer, so
   *   it is an exception, as the unmeshed call would have thrown.
   */
  async send(request: MeshRequest): Promise<MeshResponse> {
    const origin = `${request.scheme}://${request.authority}`;
    const headers = { ...request.headers };
    delete headers['host'];
    try {
      const response = await this.agent.request({
        origin,
        path: request.path,
        method: request.method as Dispatcher.HttpMethod,
        headers,
        body: request.body ?? null,
        ...(request.signal ? { signal: request.signal } : {}),
      });
      return { status: response.statusCode, headers: response.headers as MeshResponse['headers'], body: response.body };
    } catch (cause) {
      if (request.signal?.aborted) throw new MeshError('ABORTED', `request to ${origin} aborted by the caller`, { cause: request.signal.reason, details: { authority: request.authority } });
      const kind = transportFailureKind(cause);
      throw new MeshError(kind === 'connect-failure' ? 'CONNECT_FAILURE' : 'UPSTREAM_RESET',
        `passthrough to ${origin} failed: ${(cause as Error).message} (the host is not in the mesh; the request went to it directly)`,
        { cause, details: { authority: request.authority, passthrough: true } });
    }
  }

  /** Closes the passthrough connections. */
  async close(): Promise<void> {
    await this.agent.close().catch(() => this.agent.destroy());
  }
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT', 'EADDRNOTAVAIL']);

/**
 * Reads an undici/socket error as an attempt outcome kind: no connection at all
 * (`connect-failure`) or a connection that broke before the response (`reset`).
 */
export function transportFailureKind(error: unknown): 'connect-failure' | 'reset' {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECT_CODES.has(code)) return 'connect-failure';
    if (Array.isArray((e as { errors?: unknown }).errors)) {
      // AggregateError from happy-eyeballs connects: every address refused.
      if (((e as { errors: unknown[] }).errors).every((x) => transportFailureKind(x) === 'connect-failure')) return 'connect-failure';
    }
    e = (e as { cause?: unknown }).cause;
  }
  return 'reset';
}

/** The 502 of REGISTRY_ONLY for a host the mesh does not know (Istio's BlackHoleCluster). */
export function registryOnlyError(authority: string): MeshError {
  return new MeshError('REGISTRY_ONLY', `${authority} is not a mesh host and the outbound traffic policy is REGISTRY_ONLY (BlackHoleCluster)`, { details: { authority } });
}
