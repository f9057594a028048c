// Group `resilience` (placeholder): cost of the resilience stack on the request path (retry budget,
// per-try timeout, breaker closed; breaker open fast-fail) and behaviour under injected faults.
import { notRunGroup } from '../harness/group';

/** The resilience group (NOT RUN until its scenario is written). */
export const group = notRunGroup(
  'resilience',
  60,
  'retries, timeouts, breakers and outlier detection: per-request cost and behaviour under faults',
  'scenario not written yet: the mesh data path with retries, timeouts and breakers configured (issue 6), and under injected faults',
);
