// One ADS stream (SotW or delta) on the server: reads the node from the first request, feeds
// requests to the protocol session and writes responses in CDS → EDS → LDS → RDS order, never
// waiting on the client (see `awaitingReply` for the per-type flow control).

import type { XdsMetricsHooks } from '../../metrics/control-plane-metrics';
import { PUSH_ORDER, type XdsFamily } from '@inboard/xds';
import * as grpc from '@grpc/grpc-js';
import type { WorkloadRegistration } from '../../registry/auto-registration';
import type { ClientSyncStatus, ProxyInfo } from '../contracts';
import { NodeError, parseNode, viewKeyOf, type NodeIdentity } from './node-identity';
import { ProtocolError, type ProtocolSession } from './session';
import type { ResourceView } from './view-cache';

/** The server side an AdsStream talks to. */
export interface StreamHost {
  /** The client is known (first request read); may throw to refuse it (e.g. a bad registration). */
  identified(stream: AdsStream, identity: NodeIdentity): void;
  viewFor(stream: AdsStream): ResourceView;
  /**
   * The stream is over. `graceful`: the client half-closed it (its "I am leaving"); otherwise it was
   * dropped, cancelled, errored or terminated by the server.
   */
  closed(stream: AdsStream, how: StreamEnd): void;
  warn(message: string): void;
  /** Push and NACK counters (control-plane metrics); optional. */
  readonly metrics?: XdsMetricsHooks;
}

/** How a stream ended: `graceful` only for the client's half-close. */
export interface StreamEnd {
  readonly graceful: boolean;
}

type Call = grpc.ServerDuplexStream<object, object>;

/** A connected client's stream. */
export class AdsStream {
  readonly peer: string;
  readonly connectedAt = new Date();
  private identity: NodeIdentity | undefined;
  private viewKeyValue = '';
  private view: ResourceView | undefined;
  private readonly dirty = new Set<XdsFamily>();
  /** When the view last changed, for the push-time metric. */
  private viewChangedAt = Date.now();
  /**
   * Families with a response not yet ACKed or NACKed. Per-type flow control (as go-control-plane
   * does): the next response of a type is written only after the client replied to the previous
   * one; meanwhile the type is only marked dirty, so a stuck client holds at most one response per
   * type and gets the latest state when it replies. (grpc-js completes writes before HTTP/2 flow
   * control applies, so write()'s return value alone would let a stuck client's queue grow; it is
   * honoured as well.)
   */
  private readonly awaitingReply = new Set<XdsFamily>();
  private blocked = false;
  private nonceCounter = 0;
  private ended = false;
  /** The request side ended; whether by the client's half-close or by a lost stream is settled in end(). */
  private requestEnded = false;
  /** grpc-js reported the call cancelled (it also does so after a normal end, once trailers are out). */
  private cancelled = false;
  private readonly warnedTypes = new Set<string>();

  constructor(
    private readonly call: Call,
    private readonly session: ProtocolSession,
    private readonly host: StreamHost,
  ) {
    this.peer = call.getPeer();
    call.on('data', (request: object) => this.onRequest(request));
    call.on('end', () => this.end());
    call.on('error', () => this.cleanup(false));
    call.on('cancelled', () => { this.cancelled = true; this.cleanup(false); });
    call.on('close', () => { if (!this.requestEnded) this.cleanup(false); });
    call.sendMetadata(new grpc.Metadata()); // lets the client know the stream is up before any response
  }

  /** The client's proxy info, once its first request arrived. */
  get proxy(): ProxyInfo | undefined {
    return this.identity?.proxy;
  }

  /** What the client registered through this stream (its node metadata), if it serves. */
  get registration(): WorkloadRegistration | undefined {
    return this.identity?.registration;
  }

  /** Key of the client's view ('' before the first request). */
  get viewKey(): string {
    return this.viewKeyValue;
  }

  /** Re-examines every subscribed family against the (new) view of this client. */
  viewChanged(): void {
    if (!this.identity || this.ended) return;
    this.view = this.host.viewFor(this);
    this.viewChangedAt = Date.now();
    for (const family of this.session.subscribedFamilies()) this.dirty.add(family);
    this.flush();
  }

  /** Ends the stream with `status` (server shutdown, refused client). */
  terminate(code: grpc.status, details: string): void {
    if (this.ended) return;
    this.call.emit('error', { code, details, metadata: new grpc.Metadata() });
    this.cleanup(false);
  }

  /** Status per family, for the admin API. */
  status(): ClientSyncStatus | undefined {
    const proxy = this.proxy;
    if (!proxy) return undefined;
    return {
      proxy,
      peer: this.peer,
      connectedAt: this.connectedAt.toISOString(),
      protocol: this.session.protocol,
      families: {
        clusters: this.session.status('clusters'),
        endpoints: this.session.status('endpoints'),
        listeners: this.session.status('listeners'),
        routes: this.session.status('routes'),
      },
    };
  }

  /** The resources last sent, per family. */
  sentResources(): Record<XdsFamily, object[]> {
    return {
      clusters: this.session.sent('clusters', this.view),
      endpoints: this.session.sent('endpoints', this.view),
      listeners: this.session.sent('listeners', this.view),
      routes: this.session.sent('routes', this.view),
    };
  }

  private onRequest(request: object): void {
    if (this.ended) return;
    try {
      if (!this.identity) this.identify(request);
      const effect = this.session.onRequest(request);
      if (effect.unservedType && !this.warnedTypes.has(effect.unservedType)) {
        this.warnedTypes.add(effect.unservedType);
        this.host.warn(`xds: ${this.identity!.proxy.id} asked for ${effect.unservedType}, which is not served; ignoring it`);
      }
      if (effect.reply === 'nack') {
        this.host.warn(`xds: ${this.identity!.proxy.id} rejected ${effect.family}: ${effect.nackError}`);
        if (effect.family) this.host.metrics?.nackReceived(effect.family);
      }
      if (effect.family) {
        if (effect.reply === 'ack' || effect.reply === 'nack') this.awaitingReply.delete(effect.family);
        this.dirty.add(effect.family);
        this.flush();
      }
    } catch (e) {
      if (e instanceof ProtocolError || e instanceof NodeError) {
        this.host.warn(`xds: refusing stream from ${this.peer}: ${e.message}`);
        this.terminate(grpc.status.INVALID_ARGUMENT, e.message);
        return;
      }
      throw e;
    }
  }

  private identify(request: object): void {
    const identity = parseNode((request as { node?: never }).node, this.peer);
    this.identity = identity;
    this.viewKeyValue = viewKeyOf(identity.proxy);
    try {
      this.host.identified(this, identity);
    } catch (e) {
      throw new NodeError((e as Error).message);
    }
    this.view = this.host.viewFor(this);
  }

  private flush(): void {
    if (this.blocked || this.ended || !this.view) return;
    for (const family of PUSH_ORDER) {
      if (this.awaitingReply.has(family) || !this.dirty.delete(family)) continue;
      const response = this.session.buildResponse(family, this.view, String(++this.nonceCounter));
      if (!response) continue;
      this.awaitingReply.add(family);
      const written = this.call.write(response);
      this.host.metrics?.pushSent(family, Date.now() - this.viewChangedAt);
      if (!written) {
        this.blocked = true;
        this.call.once('drain', () => {
          this.blocked = false;
          this.flush();
        });
        return;
      }
    }
  }

  /**
   * The request side ended — by the client's half-close (END_STREAM: graceful), or because the
   * stream or its connection was lost, which grpc-js reports as an end of input too. The server
   * answers with status OK; on a stream that is already closed grpc-js skips that status and
   * reports 'cancelled' from the process.nextTick queue, while a live stream reports it only after
   * its trailers went out (an I/O callback). So the verdict is taken once the tick queue has run:
   * not cancelled by then = half-closed. (grpc-js's cancel() sends END_STREAM before its reset, so
   * a client's deliberate cancel counts as graceful.)
   */
  private end(): void {
    if (this.ended || this.requestEnded) return;
    this.requestEnded = true;
    this.call.end();
    process.nextTick(() => process.nextTick(() => this.cleanup(!this.cancelled)));
  }

  private cleanup(graceful: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.host.closed(this, { graceful });
  }
}
