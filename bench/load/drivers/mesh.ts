// Drivers for the in-process mesh, `@inboard/mesh-client`: mesh-fetch, mesh-dispatcher, mesh-axios and
// mesh-grpc. The package is loaded lazily, in the load process only, and used through the slice of its
// surface typed below; if it cannot connect, every mesh driver raises NotRunError and the bench prints
// "NOT RUN: <reason>" instead of failing.
import * as grpc from '@grpc/grpc-js';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { loadEchoService, type EchoClient } from '../../servers/echo-service';
import { expectOk, NotRunError, RequestFailure, type Driver, type DriverTarget, type MeshTarget } from '../driver';
import { grpcFailure } from './grpc';

/** The reason printed while the mesh-client package has no `connect()` export. */
export const MESH_CLIENT_NOT_READY = '@inboard/mesh-client has no connect() yet';

/** The part of mesh-client's public surface the bench uses; checked at run time, not imported. */
interface MeshHandle {
  readonly ready?: PromiseLike<unknown>;
  fetch(input: string, init?: Record<string, unknown>): Promise<{ status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
  readonly dispatcher: unknown;
  axios(config?: Record<string, unknown>): { get(url: string): Promise<{ status: number }> };
  readonly grpc: unknown;
  explain(request: { url: string }): Record<string, unknown>;
  close(): unknown;
}

type ConnectFunction = (options: Record<string, unknown>) => unknown;

/** Returns mesh-client's `connect`, or throws {@link NotRunError} when the package does not offer it yet. */
export function meshConnectFunction(): ConnectFunction {
  let loaded: unknown;
  try {
    loaded = require('@inboard/mesh-client');
  } catch (error) {
    throw new NotRunError(`@inboard/mesh-client cannot be loaded: ${(error as Error).message}`);
  }
  const connect = (loaded as { connect?: unknown }).connect;
  if (typeof connect !== 'function') throw new NotRunError(MESH_CLIENT_NOT_READY);
  return connect as ConnectFunction;
}

/** How long a mesh driver waits for the mesh to route to the bench server before giving up. */
const ROUTABLE_TIMEOUT_MS = 15_000;

/** Connects a mesh for the bench client and waits for its first config. */
async function connectForBench(target: DriverTarget): Promise<{ mesh: MeshHandle; where: MeshTarget }> {
  const connect = meshConnectFunction();
  if (!target.mesh) throw new NotRunError('mesh drivers need a running control plane (target.mesh); the group did not start one');
  const mesh = (await connect({
    controlPlane: target.mesh.controlPlane,
    service: target.mesh.clientService,
    namespace: target.mesh.namespace,
  })) as MeshHandle;
  await mesh.ready;
  return { mesh, where: target.mesh };
}

/** Polls `mesh.explain(url)` until the mesh forwards it to an available endpoint (bounded). */
async function untilRoutable(mesh: MeshHandle, url: string): Promise<void> {
  const deadline = Date.now() + ROUTABLE_TIMEOUT_MS;
  for (;;) {
    const decision = mesh.explain({ url });
    const endpoints = decision.endpoints as { available?: boolean }[] | undefined;
    if (decision.decision === 'forward' && endpoints?.some((endpoint) => endpoint.available)) return;
    if (Date.now() > deadline) throw new Error(`the mesh does not route ${url} after ${ROUTABLE_TIMEOUT_MS} ms: ${JSON.stringify(decision).slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Shared lifecycle of the mesh drivers: connect in setup, close the mesh in close. */
abstract class MeshDriver implements Driver {
  abstract readonly name: string;
  protected mesh: MeshHandle | undefined;
  protected url = '';

  async setup(target: DriverTarget): Promise<void> {
    const { mesh, where } = await connectForBench(target);
    this.mesh = mesh;
    this.url = where.serviceUrl;
    await this.prepare(where, target);
  }

  /** Waits until the HTTP service is routable; the gRPC driver overrides this. */
  protected async prepare(_where: MeshTarget, _target: DriverTarget): Promise<void> {
    await untilRoutable(this.mesh!, this.url);
  }

  abstract request(): Promise<void>;

  async close(): Promise<void> {
    await this.mesh?.close();
  }
}

/** `mesh.fetch(url)`: the WHATWG front end; compared with `undici-fetch`. */
export class MeshFetchDriver extends MeshDriver {
  readonly name = 'mesh-fetch';
  async request(): Promise<void> {
    const response = await this.mesh!.fetch(this.url);
    await response.arrayBuffer();
    expectOk(response.status, this.name);
  }
}

/** undici `request(url, { dispatcher: mesh.dispatcher })`: the Dispatcher front end; compared with `undici-pool`. */
export class MeshDispatcherDriver extends MeshDriver {
  readonly name = 'mesh-dispatcher';
  async request(): Promise<void> {
    const { statusCode, body } = await undiciRequest(this.url, { dispatcher: this.mesh!.dispatcher as Dispatcher });
    await body.arrayBuffer();
    expectOk(statusCode, this.name);
  }
}

/** `mesh.axios().get(url)`: axios with the mesh as its adapter; compared with `axios`. */
export class MeshAxiosDriver extends MeshDriver {
  readonly name = 'mesh-axios';
  private client: { get(url: string): Promise<{ status: number }> } | undefined;

  protected override async prepare(where: MeshTarget, target: DriverTarget): Promise<void> {
    await super.prepare(where, target);
    this.client = this.mesh!.axios({ responseType: 'arraybuffer', validateStatus: () => true });
  }

  async request(): Promise<void> {
    const response = await this.client!.get(this.url);
    expectOk(response.status, this.name);
  }
}

/** grpc-js through grpc-js-xds with the mesh's channel settings; compared with `grpc`. */
export class MeshGrpcDriver extends MeshDriver {
  readonly name = 'mesh-grpc';
  private client: EchoClient | undefined;
  private message = { payload: Buffer.alloc(0) };

  protected override async prepare(where: MeshTarget, target: DriverTarget): Promise<void> {
    const settings = this.mesh!.grpc as { target?: unknown; channelOptions?: unknown } | undefined;
    const register = (require('@inboard/mesh-client') as { registerGrpcXds?: unknown }).registerGrpcXds;
    if (typeof settings?.target !== 'function' || typeof register !== 'function') throw new NotRunError('@inboard/mesh-client has no mesh.grpc.target() or registerGrpcXds() yet');
    register(); // grpc-js-xds's resolver for xds:/// targets, once per process
    const channelTarget = (settings.target as (service: string, port?: number) => string)(where.grpcService, where.grpcPort);
    const { Client } = loadEchoService();
    this.message = { payload: Buffer.alloc(target.payloadBytes, 0x61) };
    this.client = new Client(channelTarget, grpc.credentials.createInsecure(), (settings.channelOptions ?? {}) as grpc.ChannelOptions);
    await new Promise<void>((resolve, reject) =>
      this.client!.waitForReady(Date.now() + ROUTABLE_TIMEOUT_MS, (error) => (error ? reject(new Error(`grpc-js via the mesh is not ready: ${error.message}`)) : resolve())),
    );
  }

  request(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client!.Echo(this.message, (error, reply) => {
        if (error) reject(grpcFailure(error));
        else if (reply?.payload.length !== this.message.payload.length) reject(new RequestFailure('GRPC_BAD_REPLY', 'mesh-grpc: echo reply has the wrong length'));
        else resolve();
      });
    });
  }

  override async close(): Promise<void> {
    this.client?.close();
    await super.close();
  }
}
