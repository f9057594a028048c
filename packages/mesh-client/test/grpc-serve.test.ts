// Integration: the gRPC front end against a real `inboard control-plane` process. Two real grpc-js
// servers register themselves with serveGrpc (no WorkloadEntry, no Service YAML), a grpc-js client
// built with createGrpcMeshOptions (in-memory bootstrap) reaches both through grpc-js-xds, and after
// one server closes the calls go only to the other.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { REPO_ROOT, freePort, spawnTs, stopProcess, tsNodeArgs, waitForLine } from '../../../testing/spawn';
import { createGrpcMeshOptions, isGrpcMeshError, registerGrpcXds, serveGrpc, type ServedGrpc } from '../src/grpc';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const parse = (bytes: Buffer) => JSON.parse(bytes.toString());
const WHOAMI: grpc.MethodDefinition<object, { server: string }> = {
  path: '/inboard.test.Echo/Whoami', requestStream: false, responseStream: false,
  requestSerialize: json, requestDeserialize: parse, responseSerialize: json, responseDeserialize: parse,
};

/** A grpc-js server whose Whoami answers its name. */
function echoServer(name: string): grpc.Server {
  const server = new grpc.Server();
  server.addService({ Whoami: WHOAMI } as grpc.ServiceDefinition, { Whoami: (_call: unknown, callback: grpc.sendUnaryData<{ server: string }>) => callback(null, { server: name }) });
  return server;
}

/** One Whoami call: the server's name, or the status name when it failed. */
function whoami(client: grpc.Client): Promise<string> {
  return new Promise((resolve) =>
    client.makeUnaryRequest(WHOAMI.path, WHOAMI.requestSerialize, WHOAMI.responseDeserialize, {}, new grpc.Metadata(), { deadline: Date.now() + 3_000 }, (error, reply) =>
      resolve(error ? `status ${grpc.status[error.code]}: ${error.details}` : reply!.server),
    ),
  );
}

interface Workload { id: string; address: string; ports: Record<string, number>; labels: Record<string, string>; origin: string; services?: string[]; expiresAt?: number }

describe('gRPC front end: serveGrpc registration + createGrpcMeshOptions clients, against inboard control-plane', function () {
  this.timeout(20_000);
  let dataDir: string;
  let plane: ChildProcess;
  let apiUrl: string;
  let xdsAddress: string;
  const served: ServedGrpc[] = [];
  const clients: grpc.Client[] = [];

  const workloads = async (): Promise<Workload[]> => ((await (await fetch(`${apiUrl}/apis/inboard.io/v1/workloads`)).json()) as { items: Workload[] }).items;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-grpc-'));
    plane = spawnTs('packages/mesh-server/src/cli/main.ts', ['control-plane', '--data-dir', dataDir, '--api-port', '0', '--xds-port', '0', '--ca-port', '0']);
    let output = '';
    plane.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForLine(plane, /xDS server listening on/);
    apiUrl = /admin API listening on (\S+)/.exec(output)![1]!;
    xdsAddress = /xDS server listening on (\S+)/.exec(output)![1]!;
    registerGrpcXds();
  });
  after(async () => {
    for (const client of clients) client.close();
    for (const s of served) await s.close();
    if (plane) await stopProcess(plane);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('calls reach both self-registered servers; after one closes they all go to the other', async () => {
    const node = { namespace: 'default', labels: { app: 'echo', version: 'v1' }, serviceAccount: 'echo' };
    const a = await serveGrpc(echoServer('a'), { port: 0, host: '127.0.0.1', controlPlane: xdsAddress, service: 'echo', node });
    served.push(a);
    const b = await serveGrpc(echoServer('b'), { port: 0, host: '127.0.0.1', controlPlane: xdsAddress, service: 'echo', node });
    served.push(b);

    const registered = (await workloads()).filter((w) => w.origin === 'AutoRegistered');
    assert.deepEqual(registered.map((w) => [w.id, w.address, w.ports, w.services]).sort(), [
      [a.nodeId, '127.0.0.1', { grpc: a.port }, ['echo.default.svc.cluster.local']],
      [b.nodeId, '127.0.0.1', { grpc: b.port }, ['echo.default.svc.cluster.local']],
    ].sort());

    const mesh = createGrpcMeshOptions({ controlPlane: xdsAddress, node: { id: 'echo-caller', namespace: 'default', labels: { app: 'caller' } } });
    const client = new grpc.Client(mesh.target('echo'), grpc.credentials.createInsecure(), mesh.channelOptions);
    clients.push(client);
    const seen = new Set<string>();
    const deadline = Date.now() + 10_000;
    while (!(seen.has('a') && seen.has('b'))) {
      assert.ok(Date.now() < deadline, `not both servers answered: ${[...seen]}`);
      seen.add(await whoami(client));
    }

    await a.close();
    const after: string[] = [];
    let streak = 0;
    const moveDeadline = Date.now() + 10_000;
    while (streak < 20) {
      assert.ok(Date.now() < moveDeadline, `calls did not settle on b: ${after.join(', ')}`);
      const answer = await whoami(client);
      after.push(answer);
      streak = answer === 'b' ? streak + 1 : 0;
    }
    assert.deepEqual(after.filter((x) => x !== 'a' && x !== 'b'), [], 'no call failed while a left');
    // A clean close ends the registration stream gracefully: the control plane removes a at once.
    const leaving = (await workloads()).find((w) => w.id === a.nodeId);
    assert.equal(leaving, undefined, JSON.stringify(leaving));
  });

  it('the same bootstrap works process-wide through GRPC_XDS_BOOTSTRAP_CONFIG (grpc-js-xds\'s supported delivery)', async () => {
    const server = await serveGrpc(echoServer('env'), { port: 0, controlPlane: xdsAddress, service: 'echo-env' });
    served.push(server);
    const mesh = createGrpcMeshOptions({ controlPlane: xdsAddress, node: { id: 'env-caller' } });
    // A separate process: grpc-js-xds reads and caches the environment's bootstrap once per process.
    const script = `
      const grpc = require('@grpc/grpc-js');
      require(${JSON.stringify(path.join(REPO_ROOT, 'packages/mesh-client/src/grpc/index.ts'))}).registerGrpcXds();
      const client = new grpc.Client(${JSON.stringify(mesh.target('echo-env'))}, grpc.credentials.createInsecure());
      const json = (v) => Buffer.from(JSON.stringify(v));
      client.makeUnaryRequest(${JSON.stringify(WHOAMI.path)}, json, (b) => JSON.parse(b.toString()), {}, new grpc.Metadata(), { deadline: Date.now() + 8000 },
        (error, reply) => { console.log(error ? 'error ' + error.details : reply.server); client.close(); process.exit(0); });`;
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [...tsNodeArgs(), '-e', script], { cwd: REPO_ROOT, env: { ...process.env, GRPC_XDS_BOOTSTRAP_CONFIG: mesh.bootstrapJson } }, (error, out) =>
        error ? reject(error) : resolve(out),
      ),
    );
    assert.equal(stdout.trim(), 'env');
  });

  it('serveGrpc fails with REGISTRATION_TIMEOUT when nothing answers at controlPlane, and frees the port', async () => {
    const silent = await freePort();
    const port = await freePort();
    const server = echoServer('lonely');
    await assert.rejects(
      serveGrpc(server, { port, controlPlane: `127.0.0.1:${silent}`, service: 'lonely', registrationTimeoutMs: 300 }),
      (e: unknown) => isGrpcMeshError(e, 'REGISTRATION_TIMEOUT') && e.message.includes(`127.0.0.1:${silent}`) && e.message.includes('no connection'),
    );
    server.forceShutdown();
    const again = echoServer('again');
    const rebound = await new Promise<number>((resolve, reject) =>
      again.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    assert.equal(rebound, port);
    again.forceShutdown();
  });

  it('serveGrpc says so when the control plane answers but serves no listener for the service (a TCP-only Service)', async () => {
    const token = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'tcp-only', namespace: 'default' }, spec: { ports: [{ name: 'tcp', port: 7000 }] } };
    const applied = await fetch(`${apiUrl}/apis/inboard.io/v1/apply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ documents: [{ source: 'test', index: 1, object: service }] }),
    });
    assert.equal(applied.status, 200, await applied.text());
    const server = echoServer('tcp');
    await assert.rejects(
      serveGrpc(server, { port: 0, controlPlane: xdsAddress, service: 'tcp-only', registrationTimeoutMs: 500 }),
      (e: unknown) => isGrpcMeshError(e, 'REGISTRATION_TIMEOUT') && /serves no listener for "tcp-only"/.test(e.message),
    );
    server.forceShutdown();
  });

  it('serveGrpc rejects bad options naming the field, before binding anything', async () => {
    const server = echoServer('bad');
    await assert.rejects(serveGrpc(server, { port: 0, controlPlane: 'http://127.0.0.1:15014', service: 'echo' }), /controlPlane is an HTTP URL/);
    await assert.rejects(serveGrpc(server, { port: -1, controlPlane: xdsAddress, service: 'echo' }), /port must be a port number/);
    await assert.rejects(serveGrpc(server, { port: 0, controlPlane: xdsAddress, service: 'Echo Service' }), /service must be a service host name/);
    await assert.rejects(serveGrpc(server, { port: 0, controlPlane: xdsAddress, service: 'echo..default' }), /service must be a service host name/);
    await assert.rejects(serveGrpc(server, { port: 0, controlPlane: xdsAddress, service: 'echo', advertiseAddress: 'localhost' }), /advertiseAddress must be an IP address/);
    server.forceShutdown();
  });

  it('importing the gRPC front end registers nothing: grpc-js-xds loads only when registerGrpcXds() is called', async () => {
    const script = `
      const grpcFront = require(${JSON.stringify(path.join(REPO_ROOT, 'packages/mesh-client/src/grpc/index.ts'))});
      const loaded = () => Object.keys(require.cache).some((k) => k.includes('grpc-js-xds'));
      const before = loaded();
      grpcFront.registerGrpcXds();
      console.log(JSON.stringify({ before, after: loaded() }));`;
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [...tsNodeArgs(), '-e', script], { cwd: REPO_ROOT }, (error, out) => (error ? reject(error) : resolve(out))),
    );
    assert.deepEqual(JSON.parse(stdout.trim().split('\n').pop()!), { before: false, after: true });
  });
});
