// The gRPC service the bench measures: one unary `Echo` call that returns the request's payload.
// Defined here as a protobuf JSON descriptor, so no .proto file has to travel with the bench.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Fully qualified name of the echo service. */
export const ECHO_SERVICE = 'inboard.bench.Echo';

const ECHO_DESCRIPTOR: Parameters<typeof protoLoader.fromJSON>[0] = {
  nested: {
    inboard: {
      nested: {
        bench: {
          nested: {
            EchoMessage: { fields: { payload: { type: 'bytes', id: 1 } } },
            Echo: { methods: { Echo: { requestType: 'EchoMessage', responseType: 'EchoMessage', comment: 'Returns the request payload.' } } },
          },
        },
      },
    },
  },
};

/** The message both directions carry. */
export interface EchoMessage {
  payload: Buffer;
}

/** A generated client for the echo service (grpc-js "dynamic" stub). */
export interface EchoClient extends grpc.Client {
  Echo(request: EchoMessage, callback: (error: grpc.ServiceError | null, reply?: EchoMessage) => void): grpc.ClientUnaryCall;
}

/** Loads the service definition; returns the client constructor and the definition servers add. */
export function loadEchoService(): {
  Client: new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => EchoClient;
  definition: grpc.ServiceDefinition;
} {
  const packageDefinition = protoLoader.fromJSON(ECHO_DESCRIPTOR, { keepCase: true });
  const loaded = grpc.loadPackageDefinition(packageDefinition);
  const Client = (((loaded.inboard as grpc.GrpcObject).bench as grpc.GrpcObject).Echo) as grpc.ServiceClientConstructor;
  return {
    Client: Client as unknown as new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => EchoClient,
    definition: Client.service,
  };
}
