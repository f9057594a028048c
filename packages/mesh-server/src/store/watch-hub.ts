// In-process watch delivery shared by the embedded backends: each watcher has its own queue, fed
// with replayed history at start and with committed events afterwards, drained in a microtask so
// listeners run after watch()/commit() return, one event at a time, in revision order.

import type { Watch, WatchEvent, WatchOptions } from './config-store';
import { matchesFilter } from './store-helpers';

interface Watcher {
  readonly options: WatchOptions;
  readonly listener: (event: WatchEvent) => void;
  readonly onError: ((error: Error) => void) | undefined;
  queue: WatchEvent[];
  draining: boolean;
  closed: boolean;
}

/** The set of live watches of one store. */
export class WatchHub {
  private readonly watchers = new Set<Watcher>();

  /** Starts a watch that first delivers `replay` (already filtered, in order), then published events. */
  add(options: WatchOptions, replay: readonly WatchEvent[], listener: (event: WatchEvent) => void, onError?: (error: Error) => void): Watch {
    const watcher: Watcher = { options, listener, onError, queue: [...replay], draining: false, closed: false };
    this.watchers.add(watcher);
    if (watcher.queue.length > 0) this.schedule(watcher);
    return {
      close: () => {
        watcher.closed = true;
        watcher.queue = [];
        this.watchers.delete(watcher);
      },
    };
  }

  /** Queues the events of one committed transaction for every watcher whose filter they pass. */
  publish(events: readonly WatchEvent[]): void {
    if (events.length === 0) return;
    for (const watcher of this.watchers) {
      const matching = events.filter((event) => matchesFilter(watcher.options, event.resource));
      if (matching.length === 0) continue;
      watcher.queue.push(...matching);
      this.schedule(watcher);
    }
  }

  /** Stops every watch; nothing more is delivered. */
  closeAll(): void {
    for (const watcher of this.watchers) {
      watcher.closed = true;
      watcher.queue = [];
    }
    this.watchers.clear();
  }

  private schedule(watcher: Watcher): void {
    if (watcher.draining) return;
    watcher.draining = true;
    queueMicrotask(() => drain(watcher));
  }
}

function drain(watcher: Watcher): void {
  try {
    // Events published while a listener runs are appended to the queue and delivered in this loop.
    for (let index = 0; !watcher.closed && index < watcher.queue.length; index++) {
      const event = watcher.queue[index]!;
      try {
        watcher.listener(event);
      } catch (error) {
        reportWatchError(toError(error), watcher.onError);
      }
    }
  } finally {
    watcher.queue = [];
    watcher.draining = false;
  }
}

/**
 * Hands a watch error to `onError`; with no handler (or one that throws) it becomes a process
 * warning, so it is never lost and never breaks the store.
 */
export function reportWatchError(error: Error, onError: ((error: Error) => void) | undefined): void {
  if (onError) {
    try {
      onError(error);
      return;
    } catch (handlerError) {
      error = toError(handlerError);
    }
  }
  process.emitWarning(`config store watch: ${error.message}`, { code: 'INBOARD_WATCH_ERROR', detail: error.stack });
}

/**
 * A watch that could not start: with `onError` the error is reported in a microtask and a closed
 * watch is returned; without it the error is thrown to the caller of watch().
 */
export function failedWatch(error: Error, onError: ((error: Error) => void) | undefined): Watch {
  if (!onError) throw error;
  queueMicrotask(() => reportWatchError(error, onError));
  return { close: () => undefined };
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
