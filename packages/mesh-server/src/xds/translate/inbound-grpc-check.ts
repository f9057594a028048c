// Test harness process: translates the inbound kitchen sink for a gRPC xDS server and prints, as
// one JSON line, what grpc-js-xds 1.14 would NACK among the listeners. Run it with
// GRPC_XDS_EXPERIMENTAL_RBAC=true (read once when grpc-js-xds loads, so it needs its own process).

import { translate } from './index';
import { inboundKitchenSinkConfig } from './inbound-fixtures';
import { INBOUND_LISTENER_PREFIX } from './inbound-listeners';
import { bookinfoRegistry, grpcClient } from './test-support';
import { grpcNacks } from './wire-check';

const result = translate({ config: inboundKitchenSinkConfig(), registry: bookinfoRegistry() }, grpcClient({ labels: { app: 'reviews', version: 'v1' } }));
const inbound = [...result.listeners.keys()].filter((n) => n.startsWith(INBOUND_LISTENER_PREFIX));
const nacks = grpcNacks(result, ['listeners']);
process.stdout.write(`${JSON.stringify({ rbac: process.env.GRPC_XDS_EXPERIMENTAL_RBAC === 'true', inbound, nacks })}\n`);
