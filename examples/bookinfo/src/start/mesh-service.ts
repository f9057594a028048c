// One BookInfo (or httpbin) service as its own process ON THE MESH: the same launcher as
// services/main.ts, with mesh.fetch for outbound calls and mesh.serve for inbound, and the
// workload's identity (service, version label, service account) given to mesh-client. Usage:
//   mesh-service.ts --control-plane 127.0.0.1:15010 --service reviews --version v2 --port 9084
import { connect } from '@inboard/mesh-client';
import { parseServiceArgs, SERVICE_USAGE } from '../services/cli-args';
import { launchService } from '../services/launch';
import { StartError } from './errors';
import { serviceAccountOf } from './fleet-plan';
import { MESH_FLAGS_USAGE, splitMeshFlags } from './mesh-flags';

/** How long the process waits for its first configuration before it gives up. */
const READY_TIMEOUT_MS = 20_000;

function fail(error: unknown): never {
  const coded = error as { code?: unknown };
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${typeof coded.code === 'string' ? `${coded.code}: ` : ''}${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(`${MESH_FLAGS_USAGE}\n${SERVICE_USAGE}`);
    return;
  }
  const { mesh: identity, serviceArgv } = splitMeshFlags(argv, process.env);
  const { spec } = parseServiceArgs(serviceArgv, process.pid);
  const mesh = connect({
    controlPlane: identity.controlPlane,
    service: spec.service,
    namespace: identity.namespace,
    version: spec.version,
    labels: { app: spec.service, version: spec.version },
    serviceAccount: identity.serviceAccount ?? serviceAccountOf(spec.service),
    // The config stream's node id: what `inboard proxy-status` lists (the instance name when given).
    ...(identity.workloadName !== undefined ? { nodeId: `${identity.workloadName}.${identity.namespace}~${process.pid}` } : {}),
  });
  const timer = setTimeout(() => fail(new StartError('NOT_READY', `no configuration from the control plane at ${identity.controlPlane} within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
  await mesh.ready;
  clearTimeout(timer);
  const launched = await launchService(serviceArgv, {
    fetch: mesh.fetch,
    serve: (handler, options) => mesh.serve(handler, options),
    pid: process.pid,
    out: (line) => process.stdout.write(line),
  });
  if (!launched) return;
  process.stdout.write(`listening on ${launched.url}\n`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    Promise.resolve()
      .then(() => launched.close())
      .then(() => mesh.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`${signal}: close failed: ${String(error)}\n`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch(fail);
