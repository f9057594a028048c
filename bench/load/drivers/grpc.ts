// Driver `grpc`: a @grpc/grpc-js client making unary Echo calls to the bench's grpc-js server over
// one channel (one HTTP/2 connection, calls multiplexed), as an application holds one client.
import * as grpc from '@grpc/grpc-js';
import { loadEchoService, type EchoClient } from '../../servers/echo-service';
import { NotRunError, RequestFailure, type Driver, type DriverTarget } from '../driver';

/** Maps a grpc-js error to a counted failure coded `GRPC_<STATUS_NAME>`. */
export function grpcFailure(error: grpc.ServiceError): RequestFailure {
  const statusName = grpc.status[error.code] ?? String(error.code);
  return new RequestFailure(`GRPC_${statusName}`, `grpc: ${error.message}`);
}

/** Unary `Echo({ payload })` with a `payloadBytes` payload; the reply is checked for its length. */
export class GrpcDriver implements Driver {
  readonly name = 'grpc';
  private client: EchoClient | undefined;
  private message = { payload: Buffer.alloc(0) };

  async setup(target: DriverTarget): Promise<void> {
    if (!target.grpcAddress) throw new NotRunError('grpc driver needs a gRPC server address (target.grpcAddress)');
    const { Client } = loadEchoService();
    this.message = { payload: Buffer.alloc(target.payloadBytes, 0x61) };
    this.client = new Client(target.grpcAddress, grpc.credentials.createInsecure());
    await new Promise<void>((resolve, reject) =>
      this.client!.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())),
    );
  }

  request(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client!.Echo(this.message, (error, reply) => {
        if (error) reject(grpcFailure(error));
        else if (reply?.payload.length !== this.message.payload.length) reject(new RequestFailure('GRPC_BAD_REPLY', 'grpc: echo reply has the wrong length'));
        else resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.client?.close();
  }
}
