// Group `security` (placeholder): mutual TLS and authorization in process vs plaintext, and vs a
// TLS-terminating sidecar hop: handshake cost, throughput and added latency.
import { notRunGroup } from '../harness/group';

/** The security group (NOT RUN until issue 8's mTLS lands in mesh-client). */
export const group = notRunGroup(
  'security',
  70,
  'in-process mTLS and authorization vs plaintext and vs a TLS sidecar hop',
  'waiting for mesh CA, workload certificates and mTLS in @inboard/mesh-client (issue 8)',
);
