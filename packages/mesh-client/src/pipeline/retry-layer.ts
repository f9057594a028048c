// The retry loop, the terminal of the logical stack: runs the attempt stack, asks H9's RetryState
// after each failed try (Envoy's retry_on classes, budget, back-off), waits the back-off on the
// injected clock, and turns a final failure into Envoy's local reply (UF, UR, UT, UO, UH).

import { MeshError } from '../errors';
import { sleep } from '../policy/clock';
import { RetryState } from '../policy/retry-policy';
import type { MeshResponse } from '../request';
import { timeoutReply, isRouteTimeout } from './policy-layers';
import { reply } from './route-layers';
import type { AttemptHandler, AttemptResult, Handler, OutboundCall, StackDeps } from './types';

/**
 * Retries above load balancing: every try goes through the whole attempt stack, so it picks an
 * endpoint again (previous hosts excluded when the policy says so). A request whose body is a
 * stream is sent once. A retry whose back-off would outlive the deadline is not started (504 UT).
 */
export function retryLoop(deps: StackDeps, attempt: AttemptHandler): Handler {
  return async (call) => {
    const route = call.route!;
    const body = call.request.body;
    const retry = RetryState.begin(route.retryPolicy, {
      headers: call.request.headers, ...(call.view ? { view: call.view } : {}), replayable: body === undefined || Buffer.isBuffer(body),
    });
    const limits = deps.runtime.limits.get(call.cluster!.name, route.action.priority);
    try {
      for (let number = 1; ; number++) {
        const result = await attempt({ call, number, ...(retry ? { retry } : {}), cleanups: [] });
        if (result.kind === 'final') return finalReply(call, result.error);
        if (!retry) return answer(call, result);
        const decision = retry.shouldRetry(result.outcome, { now: deps.clock.now(), ...(call.deadline?.expiresAt !== undefined ? { deadline: call.deadline.expiresAt } : {}), limits, random: deps.random });
        if (!decision.retry) {
          if (decision.reason === 'deadline') {
            discard(result);
            return timeoutReply(call, call.deadline!);
          }
          return answer(call, result);
        }
        discard(result);
        try {
          await sleep(deps.clock, decision.delayMs, call.routeSignal);
        } catch (reason) {
          if (isRouteTimeout(reason)) return timeoutReply(call, call.deadline!);
          throw new MeshError('ABORTED', 'request aborted by the caller during a retry back-off', { cause: reason });
        }
      }
    } finally {
      retry?.finish();
    }
  };
}

/** The attempt's response, or the local reply for an attempt that got none. */
function answer(call: OutboundCall, result: Exclude<AttemptResult, { kind: 'final' }>): MeshResponse {
  return result.kind === 'response' ? result.response : finalReply(call, result.error);
}

/** The local reply of a failed request; a route timeout answers for the deadline (gRPC status included). */
function finalReply(call: OutboundCall, error: MeshError): MeshResponse {
  return isRouteTimeout(error) && call.deadline ? timeoutReply(call, call.deadline) : reply(call, error);
}

/** Lets go of a response that will not be returned: its body is read to the end and dropped. */
function discard(result: AttemptResult): void {
  if (result.kind !== 'response') return;
  result.response.body.on('error', () => undefined);
  result.response.body.resume();
}
