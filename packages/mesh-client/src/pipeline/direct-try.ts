// One try of the dispatcher's pass-through: what it holds (breaker slots, the endpoint's active
// count) and the response it got, as retry, outlier and telemetry decisions read it.

import { firstHeader } from '../policy/outcome';
import type { Permit } from '../policy/cluster-limits';
import type { RetryState } from '../policy/retry-policy';
import type { Endpoint } from '../snapshot/types';
import { fromRawHeaders } from './response-sink';
import type { AttemptCall, OutboundCall } from './types';

/**
 * A try's response as retry, outlier and telemetry decisions see it, with its headers decoded
 * from undici's raw form only when one of them reads them (most decisions need the status alone).
 */
export class RawResponseOutcome {
  readonly kind = 'response';
  private decoded: Record<string, string | string[]> | undefined;

  constructor(readonly status: number, private readonly raw: readonly Buffer[]) {}

  get headers(): Record<string, string | string[]> {
    this.decoded ??= fromRawHeaders(this.raw);
    return this.decoded;
  }

  /** One header's first value; only names of the same length are decoded. */
  header(name: string): string | undefined {
    if (this.decoded) return firstHeader(this.decoded, name);
    const raw = this.raw;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (raw[i]!.length === name.length && raw[i]!.toString('latin1').toLowerCase() === name) return raw[i + 1]!.toString('latin1');
    }
    return undefined;
  }
}

/**
 * One try of the pass-through as the telemetry sees it (an AttemptCall), holding what the try
 * took — the request and connection slots, the endpoint's active count — in fields instead of
 * cleanup closures, released once by `release`.
 */
export class DirectTry implements AttemptCall {
  endpoint?: Endpoint;
  requestSlot: Permit | undefined;
  connectionSlot: Permit | undefined;
  untrack: (() => void) | undefined;

  /** Unused (frozen): the pass-through's holds are the fields above. */
  readonly cleanups = NO_CLEANUPS;

  constructor(readonly call: OutboundCall, readonly number: number, readonly retry: RetryState | undefined) {}
}

const NO_CLEANUPS = Object.freeze([]) as unknown as (() => void)[];

/** Gives back what the try holds (idempotent). */
export function release(attempt: DirectTry): void {
  attempt.requestSlot?.release();
  attempt.connectionSlot?.release();
  attempt.untrack?.();
  attempt.requestSlot = undefined;
  attempt.connectionSlot = undefined;
  attempt.untrack = undefined;
}
