// The gRPC front end of inbound security: a grpc-js server interceptor that runs RequestAuthentication
// (JWT in the call's metadata) and AuthorizationPolicy on every call before the handler, with the
// same InboundAuthorizer as HTTP, one per local port. Denials end the call with UNAUTHENTICATED
// (bad token), PERMISSION_DENIED (`RBAC: access denied`), INTERNAL or UNAVAILABLE.

import * as grpc from '@grpc/grpc-js';
import { InboundAuthorizer, type InboundConfigSource, type InboundPolicy, type InboundRequest, type InboundVerdict } from './inbound-authz';
import { removeCookies, type RequestEdit } from './request-authn-tokens';

/** Options of inboundGrpcInterceptor. */
export interface InboundGrpcOptions {
  /** Address the server is bound to (listener lookup falls back to it); default 127.0.0.1. */
  readonly boundAddress?: string;
  /** Where unusable inbound config is reported. */
  readonly onProblem?: (policy: InboundPolicy) => void;
  /** Wall clock in ms for JWT exp/nbf (injectable for tests). */
  readonly now?: () => number;
  /**
   * The served port of a call whose connection does not say (grpc-js reports no addresses for
   * connections handed over by the mesh's mTLS front). Without an answer the call is refused.
   */
  readonly portOf?: (call: grpc.ServerInterceptingCallInterface) => number | undefined;
  /** The verified mTLS caller of a call (its principal feeds AuthorizationPolicy `principals`). */
  readonly peerOf?: (call: { getPeer(): string }) => { readonly principal: string } | undefined;
}

/** The gRPC status for a local HTTP reply (Envoy's HTTP → gRPC status mapping for local replies). */
export function grpcStatusFor(httpStatus: number): grpc.status {
  switch (httpStatus) {
    case 401: return grpc.status.UNAUTHENTICATED;
    case 403: return grpc.status.PERMISSION_DENIED;
    case 503: return grpc.status.UNAVAILABLE;
    default: return grpc.status.INTERNAL;
  }
}

/** Call metadata as a header map (lower-case names, every value as a list; binary `-bin` entries left out). */
export function metadataHeaders(metadata: grpc.Metadata): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(metadata.toJSON())) {
    const strings = values.filter((v): v is string => typeof v === 'string');
    if (strings.length > 0) out[name.toLowerCase()] = strings;
  }
  return out;
}

/** Applies RequestAuthentication's edits to call metadata (gRPC has no query string to edit). */
export function applyMetadataEdit(metadata: grpc.Metadata, edit: RequestEdit, cookie: string | undefined): void {
  for (const name of edit.removeHeaders) metadata.remove(name);
  if (edit.removeCookies.length > 0) {
    metadata.remove('cookie');
    if (cookie !== undefined) metadata.set('cookie', cookie);
  }
  for (const [name, value] of Object.entries(edit.setHeaders)) metadata.set(name, value);
}

function denialDetails(verdict: Extract<InboundVerdict, { allowed: false }>): string {
  return typeof verdict.reply.body === 'string' && verdict.reply.body !== '' ? verdict.reply.body : verdict.reason;
}

/**
 * A grpc-js ServerInterceptor enforcing the served port's inbound listener (found by the call's local
 * port) on every call: `new grpc.Server({ interceptors: [inboundGrpcInterceptor(config)] })`. The
 * handler starts only after the call is allowed; the metadata it sees has tokens removed (unless
 * forwarded) and the payload/claim headers set.
 */
export function inboundGrpcInterceptor(config: InboundConfigSource, options: InboundGrpcOptions = {}): grpc.ServerInterceptor {
  const authorizers = new Map<number, InboundAuthorizer>();
  const authorizerFor = (port: number) => {
    let authorizer = authorizers.get(port);
    if (!authorizer) {
      authorizer = new InboundAuthorizer(config, port, options.boundAddress ?? '127.0.0.1', options.onProblem, options.now);
      authorizers.set(port, authorizer);
    }
    return authorizer;
  };
  return (method, call) => new grpc.ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, forward) {
          const info = call.getConnectionInfo();
          let request: InboundRequest = {
            method: 'POST', url: method.path, headers: metadataHeaders(metadata), host: call.getHost(), scheme: 'http',
            ...(info.localAddress !== undefined ? { localAddress: info.localAddress } : {}),
            ...(info.localPort !== undefined ? { localPort: info.localPort } : {}),
            ...(info.remoteAddress !== undefined ? { remoteAddress: info.remoteAddress } : {}),
          };
          const port = info.localPort ?? options.portOf?.(call);
          // Fail closed: a call whose served port is unknown cannot be matched to its policy.
          if (port === undefined) return call.sendStatus({ code: grpc.status.UNAVAILABLE, details: 'inbound authorization: the served port of this call is unknown' });
          const peer = options.peerOf?.(call);
          if (peer) request = { ...request, peerPrincipal: peer.principal };
          authorizerFor(port).decide(request).then(({ verdict, edit }) => {
            if (!verdict.allowed) return call.sendStatus({ code: grpcStatusFor(verdict.reply.status), details: denialDetails(verdict) });
            if (edit) applyMetadataEdit(metadata, edit, removeCookies(request.headers['cookie'] ?? [], new Set(edit.removeCookies)));
            forward(metadata);
          }, (error: unknown) => call.sendStatus({ code: grpc.status.INTERNAL, details: `inbound authorization failed: ${(error as Error).message}` }));
        },
      });
    },
  });
}
