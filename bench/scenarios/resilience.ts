// Group `resilience` (placeholder): cost of the resilience stack on the request path (retry budget,
// per-try timeout, breaker closed; breaker open fast-fail) and behaviour under injected faults.
import { notRunGroup } from '../harness/group';

/** The resilience group (NOT RUN until issue 6's policies land in mesh-client). */
export const group = notRunGroup(
  'resilience',
  60,
  'retries, timeouts, breakers and outlier detection: per-request cost and behaviour under faults',
  'waiting for the resilience policies in @inboard/mesh-client (issue 6)',
);
