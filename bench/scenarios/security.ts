// Group `security` (placeholder): mutual TLS and authorization in process vs plaintext, and vs a
// TLS-terminating sidecar hop: handshake cost, throughput and added latency.
import { notRunGroup } from '../harness/group';

/** The security group (NOT RUN until its scenario is written). */
export const group = notRunGroup(
  'security',
  70,
  'in-process mTLS and authorization vs plaintext and vs a TLS sidecar hop',
  'scenario not written yet: mesh rows with mutual TLS and authorization on (issue 8), against plaintext and a TLS sidecar hop',
);
