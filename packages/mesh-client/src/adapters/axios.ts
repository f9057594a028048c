// Front end: an axios adapter that sends requests through the mesh pipeline, and a factory for
// axios instances that use it (`mesh.axios()`). axios still does its own transforms and interceptors.

import axios, { AxiosError, AxiosHeaders } from 'axios';
import type { AxiosAdapter, AxiosInstance, AxiosResponse, CreateAxiosDefaults, InternalAxiosRequestConfig } from 'axios';
import { Readable } from 'node:stream';
import type { MeshHandler } from './fetch';
import type { MeshRequest } from '../request';
import { toHeaderMap } from '../request';

/** An axios adapter over `handle`. */
export function createMeshAxiosAdapter(handle: MeshHandler): AxiosAdapter {
  return async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const url = new URL(axios.getUri(config));
    const headers = toHeaderMap(AxiosHeaders.from(config.headers as never).toJSON(true));
    let body: Buffer | Readable | undefined;
    const data = config.data as unknown;
    if (data != null) {
      if (typeof data === 'string') body = Buffer.from(data);
      else if (Buffer.isBuffer(data)) body = data;
      else if (data instanceof ArrayBuffer) body = Buffer.from(data);
      else if (ArrayBuffer.isView(data)) body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      else if (data instanceof Readable) body = data;
      else throw new AxiosError(`mesh axios adapter: unsupported request data type ${Object.prototype.toString.call(data)}`, AxiosError.ERR_BAD_REQUEST, config);
      if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length);
    }
    // A signal only when something can abort the call (the caller's signal or axios' timeout).
    const signals = [config.signal, config.timeout ? AbortSignal.timeout(config.timeout) : undefined].filter(Boolean) as AbortSignal[];
    const controller = signals.length > 0 ? new AbortController() : undefined;
    for (const s of signals) {
      if (s.aborted) controller!.abort(s.reason);
      else s.addEventListener?.('abort', () => controller!.abort(s.reason), { once: true });
    }
    const request: MeshRequest = {
      authority: url.host,
      scheme: url.protocol === 'https:' ? 'https' : 'http',
      method: (config.method ?? 'get').toUpperCase(),
      path: `${url.pathname}${url.search}`,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(controller ? { signal: controller.signal } : {}),
    };
    let meshResponse;
    try {
      meshResponse = await handle(request);
    } catch (err) {
      const timedOut = config.timeout && controller?.signal.aborted && !config.signal?.aborted;
      throw new AxiosError(
        timedOut ? `timeout of ${config.timeout}ms exceeded` : (err as Error).message,
        timedOut ? AxiosError.ETIMEDOUT : (err as { code?: string }).code ?? AxiosError.ERR_NETWORK,
        config,
        request,
      );
    }
    let responseData: unknown;
    if (config.responseType === 'stream') {
      responseData = meshResponse.body;
    } else {
      const chunks: Buffer[] = [];
      for await (const chunk of meshResponse.body) chunks.push(chunk as Buffer);
      const buf = Buffer.concat(chunks);
      responseData = config.responseType === 'arraybuffer' ? buf : buf.toString((config.responseEncoding as BufferEncoding) ?? 'utf8');
    }
    const response: AxiosResponse = {
      data: responseData,
      status: meshResponse.status,
      statusText: meshResponse.statusText ?? '',
      headers: AxiosHeaders.from(meshResponse.headers as never),
      config,
      request,
    };
    const validate = config.validateStatus;
    if (!validate || validate(response.status)) return response;
    throw new AxiosError(
      `Request failed with status code ${response.status}`,
      response.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST,
      config,
      request,
      response,
    );
  };
}

/** A new axios instance whose requests go through the mesh. */
export function createMeshAxios(handle: MeshHandler, defaults: CreateAxiosDefaults = {}): AxiosInstance {
  return axios.create({ ...defaults, adapter: createMeshAxiosAdapter(handle) });
}
