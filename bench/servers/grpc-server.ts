// The bench's gRPC target, run in its own process: a @grpc/grpc-js server with the unary Echo
// service. Prints "listening 127.0.0.1:<port> ready" once ready; stops on SIGTERM.
import * as grpc from '@grpc/grpc-js';
import { parseArgs } from 'node:util';
import { loadEchoService, type EchoMessage } from './echo-service';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0) throw new Error(`--port must be a port number (got ${values.port})`);

const server = new grpc.Server();
server.addService(loadEchoService().definition, {
  Echo: (call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) => {
    callback(null, { payload: call.request.payload });
  },
});

server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, boundPort) => {
  if (error) {
    process.stderr.write(`cannot bind 127.0.0.1:${port}: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`listening 127.0.0.1:${boundPort} ready\n`);
});

process.on('SIGTERM', () => {
  server.tryShutdown(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
});
