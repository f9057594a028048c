// How mesh-client reaches the control plane's xDS: plaintext on the xDS port (15010, loopback by
// default), or — with `INBOARD_XDS_TLS` / `mtls.xdsOverTls` and a pinned mesh root — over TLS on the
// CA port (istiod's 15012), where xDS and certificate signing share one port.

import * as grpc from '@grpc/grpc-js';
import { DEFAULT_CA_SERVER_NAME } from '../identity/ca-client';

/** Where and how the config and registration streams connect. */
export interface XdsChannel {
  readonly target: string;
  readonly credentials: grpc.ChannelCredentials;
  readonly channelOptions: grpc.ChannelOptions;
  /** 'tls' when the server's certificate is checked against the pinned mesh root. */
  readonly security: 'plaintext' | 'tls';
}

/** Largest xDS response the client accepts (gRPC's default is 4 MB; a thousand-service mesh exceeds it). */
export const MAX_XDS_MESSAGE_BYTES = 64 * 1024 * 1024;

/** The plaintext channel to `target` (host:port of the xDS port). */
export function plaintextXdsChannel(target: string): XdsChannel {
  return { target, credentials: grpc.credentials.createInsecure(), channelOptions: { 'grpc.max_receive_message_length': MAX_XDS_MESSAGE_BYTES }, security: 'plaintext' };
}

/** The TLS channel to the CA port `target`, trusting only `rootPem` (the server is named as the CA's signer is). */
export function tlsXdsChannel(target: string, rootPem: string): XdsChannel {
  return {
    target,
    credentials: grpc.credentials.createSsl(Buffer.from(rootPem)),
    channelOptions: {
      'grpc.max_receive_message_length': MAX_XDS_MESSAGE_BYTES,
      'grpc.ssl_target_name_override': DEFAULT_CA_SERVER_NAME,
      'grpc.default_authority': DEFAULT_CA_SERVER_NAME,
    },
    security: 'tls',
  };
}
