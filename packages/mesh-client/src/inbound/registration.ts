// A serving workload's registration stream: a delta ADS stream whose node metadata says what it
// serves (Istio-style auto-registration). It reconnects with jittered back-off while open; close()
// half-closes it first (the graceful "I am leaving"), waits briefly for the server, then cancels.

import * as grpc from '@grpc/grpc-js';
import { ADS_METHOD_PATH, DEFAULT_BACKOFF, TYPE_URL, backoffDelay, toStruct, type DeltaDiscoveryRequest, type DeltaDiscoveryResponse, type XdsProtos } from '@inboard/xds';
import type { XdsChannel } from '../config/xds-channel';
import { MeshError } from '../errors';

/** Options of a RegistrationStream. */
export interface RegistrationOptions {
  /** The control plane: address and transport security. */
  readonly channel: XdsChannel;
  readonly nodeId: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly protos: XdsProtos;
  readonly random?: () => number;
}

/**
 * The name subscribed so the control plane answers the first request: a route configuration that
 * never exists, which a delta server reports at once in removed_resources. The answer proves the
 * node was read — and so registered — without subscribing to any real config.
 */
export const REGISTRATION_PROBE = 'inboard.registration-probe';

type Call = grpc.ClientDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;

/** One workload registration, kept while the stream (or its reconnects) lives. */
export class RegistrationStream {
  /** Resolves when the control plane first answered (the workload is registered); rejects if it refused the node. */
  readonly registered: Promise<void>;
  private readonly client: grpc.Client;
  private call: Call | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private confirm!: () => void;
  private refuse!: (e: Error) => void;

  constructor(private readonly options: RegistrationOptions) {
    this.registered = new Promise<void>((resolve, reject) => { this.confirm = resolve; this.refuse = reject; });
    this.registered.catch(() => undefined);
    this.client = new grpc.Client(options.channel.target, options.channel.credentials, options.channel.channelOptions);
    this.open();
  }

  /**
   * Deregisters: half-closes the stream (a server that tells a graceful end from a drop removes the
   * endpoint at once; otherwise its grace period applies), waits up to `waitMs` for the server to
   * end it, then cancels and closes the channel. Idempotent.
   */
  async close(waitMs = 2_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.refuse(new MeshError('CLOSED', 'the registration was closed before the control plane confirmed it'));
    const call = this.call;
    this.call = undefined;
    if (call) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        timer.unref();
        call.once('status', () => { clearTimeout(timer); resolve(); });
        call.end();
      });
      call.cancel();
    }
    this.client.close();
  }

  private open(): void {
    this.retryTimer = undefined;
    const method = this.options.protos.adsService()['DeltaAggregatedResources']!;
    const call = this.client.makeBidiStreamRequest(
      ADS_METHOD_PATH.DELTA, method.requestSerialize as (r: DeltaDiscoveryRequest) => Buffer, method.responseDeserialize as (b: Buffer) => DeltaDiscoveryResponse,
    ) as Call;
    this.call = call;
    call.on('data', (response: DeltaDiscoveryResponse) => {
      this.attempt = 0;
      this.confirm();
      call.write({ type_url: response.type_url ?? TYPE_URL.ROUTE, response_nonce: response.nonce ?? '' });
    });
    call.on('error', () => undefined); // 'status' carries the outcome
    call.on('status', (status: grpc.StatusObject) => this.ended(call, status));
    call.write({
      node: {
        id: this.options.nodeId,
        metadata: toStruct(this.options.metadata, 'node.metadata'),
        locality: {},
        user_agent_name: 'inboard-mesh-client',
      },
      type_url: TYPE_URL.ROUTE,
      resource_names_subscribe: [REGISTRATION_PROBE],
    } as DeltaDiscoveryRequest);
  }

  private ended(call: Call, status: grpc.StatusObject): void {
    if (call !== this.call || this.closed) return;
    this.call = undefined;
    if (status.code === grpc.status.INVALID_ARGUMENT) {
      this.refuse(new MeshError('REGISTRATION_FAILED', `the control plane at ${this.options.channel.target} refused the registration of ${this.options.nodeId}: ${status.details}`, { details: { nodeId: this.options.nodeId } }));
      return;
    }
    const delay = backoffDelay(this.attempt++, this.options.random ?? Math.random, DEFAULT_BACKOFF);
    this.retryTimer = setTimeout(() => this.open(), delay);
    this.retryTimer.unref();
  }
}
