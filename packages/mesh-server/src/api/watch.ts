// Streamed watches (`GET …?watch=true[&resourceVersion=N]`): newline-delimited JSON events
// `{type, object}` in Kubernetes' style, with periodic BOOKMARK events so idle streams stay alive.

import { apiVersionOf, type KindInfo } from '../config/resource';
import type { ConfigStore, Watch } from '../store/config-store';
import { ApiError, toApiError } from './api-error';
import type { RequestContext } from './router';
import type { WatchEventLine } from './wire';

/** Default interval between BOOKMARK events on an idle or busy stream. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** A client that lets this much output pile up unread is disconnected. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** Open watch streams, so the server can end them all when it closes. */
export class WatchStreams {
  private readonly open = new Set<() => void>();

  /** Registers a stream's end function; returns its unregister function. */
  add(end: () => void): () => void {
    this.open.add(end);
    return () => this.open.delete(end);
  }

  /** Ends every open stream cleanly (the final chunk is sent). */
  endAll(): void {
    for (const end of [...this.open]) end();
  }

  get size(): number {
    return this.open.size;
  }
}

/** Options of one watch. */
export interface WatchOptions {
  readonly heartbeatMs: number;
  readonly streams: WatchStreams;
}

/**
 * Serves a watch. Without resourceVersion (or with "0") the current objects come first as ADDED
 * events, then changes; with resourceVersion=N every change after revision N. History that was
 * compacted away ends the stream with an ERROR event carrying code COMPACTED (list again).
 */
export async function serveWatch(ctx: RequestContext, store: ConfigStore, info: KindInfo, namespace: string | undefined, options: WatchOptions): Promise<void> {
  const requested = ctx.query.get('resourceVersion') ?? '';
  if (requested !== '' && !/^\d+$/.test(requested)) {
    throw new ApiError(400, 'BAD_REQUEST', `resourceVersion must be a store revision (digits), got "${requested}"`);
  }
  const filter = { kind: info.kind, ...(namespace !== undefined ? { namespace } : {}) };
  const initial = requested === '' || requested === '0' ? await store.list(filter) : undefined;
  const { res } = ctx;
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });

  let lastRevision = initial ? initial.revision : requested;
  let watch: Watch | undefined;
  let ended = false;
  const write = (line: WatchEventLine) => {
    if (ended) return;
    res.write(JSON.stringify(line) + '\n');
    if (res.writableLength > MAX_BUFFERED_BYTES) end();
  };
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    watch?.close();
    unregister();
    res.end();
  };
  const unregister = options.streams.add(end);
  const heartbeat = setInterval(() => {
    write({ type: 'BOOKMARK', object: { kind: info.kind, apiVersion: apiVersionOf(info), metadata: { resourceVersion: lastRevision } } });
  }, options.heartbeatMs);
  heartbeat.unref();
  res.on('close', end);

  for (const item of initial?.items ?? []) write({ type: 'ADDED', object: item });
  try {
    watch = store.watch(
      { ...filter, afterRevision: lastRevision },
      (event) => {
        lastRevision = event.revision;
        write({ type: event.type, object: event.resource });
      },
      (error) => {
        write({ type: 'ERROR', object: toApiError(error).body() });
        end();
      },
    );
  } catch (error) {
    write({ type: 'ERROR', object: toApiError(error).body() });
    end();
  }
  if (ended) watch?.close();
}
