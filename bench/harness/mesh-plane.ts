// The control plane behind the mesh rows: checks that @inboard/mesh-client can connect, starts
// ../servers/control-plane.ts on the server side, and declares the bench servers as mesh services
// (Kubernetes Service + WorkloadEntry, as Istio users write them) so mesh clients can route to them.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compiledPackagesNodeArgs, waitForLine } from '../../testing/spawn';
import type { MeshTarget } from '../load/driver';
import { meshConnectFunction } from '../load/drivers/mesh';
import type { RunningServer, ServerKind } from '../servers/launch';
import type { GroupContext } from './group';
import { placedCommand } from './placement';

/** Mesh names and ports of the bench servers. */
export const MESH_SERVICES: Readonly<Record<ServerKind, { readonly name: string; readonly port: number; readonly portName: string }>> = {
  http: { name: 'bench-http', port: 9080, portName: 'http' },
  grpc: { name: 'bench-grpc', port: 9081, portName: 'grpc' },
};

const NAMESPACE = 'default';
const CLIENT_SERVICE = 'bench-client';
const CONTROL_PLANE_FILE = path.join(__dirname, '..', 'servers', 'control-plane.ts');

/** The Service and WorkloadEntry that make a running bench server a mesh service (pure). */
export function meshServiceDocuments(kind: ServerKind, serverPort: number): object[] {
  const service = MESH_SERVICES[kind];
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service.name, namespace: NAMESPACE },
      spec: { selector: { app: service.name }, ports: [{ name: service.portName, port: service.port }] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'WorkloadEntry',
      metadata: { name: `${service.name}-0`, namespace: NAMESPACE },
      spec: { address: '127.0.0.1', labels: { app: service.name }, ports: { [service.portName]: serverPort } },
    },
  ];
}

/** Where the mesh rows' drivers find the control plane and the services (pure). */
export function meshTarget(xdsAddress: string): MeshTarget {
  const http = MESH_SERVICES.http;
  const grpc = MESH_SERVICES.grpc;
  return {
    controlPlane: xdsAddress,
    serviceUrl: `http://${http.name}.${NAMESPACE}.svc.cluster.local:${http.port}/bench`,
    grpcService: `${grpc.name}.${NAMESPACE}.svc.cluster.local`,
    grpcPort: grpc.port,
    clientService: CLIENT_SERVICE,
    namespace: NAMESPACE,
  };
}

/**
 * Starts the control plane and declares `servers` in it. Throws NotRunError (via meshConnectFunction)
 * while mesh-client has no connect(), or an Error saying what failed.
 */
export async function startMeshPlane(context: GroupContext, servers: ReadonlyMap<ServerKind, RunningServer>): Promise<{ mesh: MeshTarget }> {
  const documents = [...servers].flatMap(([kind, server]) => meshServiceDocuments(kind, server.port));
  return { mesh: meshTarget(await startBenchPlane(context, documents, 'the bench services')) };
}

/**
 * Starts the control plane in its own process on the server core and applies `documents` through
 * its admin API in one batch; resolves with its xDS address. `what` names them in errors.
 */
export async function startBenchPlane(context: Pick<GroupContext, 'placement' | 'processes' | 'tmpDir'>, documents: readonly object[], what: string): Promise<string> {
  meshConnectFunction();
  const dataDir = fs.mkdtempSync(path.join(context.tmpDir, 'control-plane-'));
  const { command, args } = placedCommand(context.placement, 'server', process.execPath, [...compiledPackagesNodeArgs(), CONTROL_PLANE_FILE, '--data-dir', dataDir]);
  const child = context.processes.add(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  const [, xdsAddress, apiAddress] = await waitForLine(child, /^control plane xds=(\S+) api=(\S+) ready$/, 30_000);
  const token = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
  const response = await fetch(`${apiAddress}/apis/inboard.io/v1/apply`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ documents: documents.map((object, index) => ({ source: 'bench', index: index + 1, object })) }),
  });
  if (!response.ok) throw new Error(`the control plane refused ${what} (${response.status}): ${(await response.text()).slice(0, 500)}`);
  return xdsAddress!;
}
