// ACK/NACK bookkeeping of one resource type on one stream: the nonce and version last sent, the
// version last ACKed, the last NACK's text — and the SYNCED/STALE/NACKED/NOT_SENT state shown by
// `inboard proxy-status`.

import type { FamilySyncStatus } from '../contracts';

/** How a request relates to what was sent. */
export type ReplyKind = 'ack' | 'nack' | 'stale' | 'none';

/** Sync state of one type on one stream. */
export class TypeSync {
  private sentNonce = '';
  private sentVersion: string | undefined;
  private ackedVersion: string | undefined;
  private nackError: string | undefined;
  private state: FamilySyncStatus['state'] = 'NOT_SENT';

  /** The nonce of the last response sent ('' before the first). */
  get lastNonce(): string {
    return this.sentNonce;
  }

  /** Records a response sent with `nonce` carrying type version `version`. */
  recordSent(nonce: string, version: string): void {
    this.sentNonce = nonce;
    this.sentVersion = version;
    this.state = 'STALE';
  }

  /**
   * Classifies a request's response_nonce: '' is no reply at all, another nonce than the last sent
   * is stale, the last one is an ACK — or a NACK when error_detail is present.
   */
  recordReply(responseNonce: string, errorMessage: string | undefined): ReplyKind {
    if (responseNonce === '') return 'none';
    if (responseNonce !== this.sentNonce) return 'stale';
    if (errorMessage !== undefined) {
      this.state = 'NACKED';
      this.nackError = errorMessage;
      return 'nack';
    }
    this.state = 'SYNCED';
    this.ackedVersion = this.sentVersion;
    this.nackError = undefined;
    return 'ack';
  }

  /** The status as the admin API reports it. */
  status(subscribed: number): FamilySyncStatus {
    return {
      state: this.state,
      ...(this.sentVersion !== undefined ? { sentVersion: this.sentVersion } : {}),
      ...(this.ackedVersion !== undefined ? { ackedVersion: this.ackedVersion } : {}),
      ...(this.nackError !== undefined ? { nackError: this.nackError } : {}),
      subscribed,
    };
  }
}

/** The message of a request's error_detail, or undefined when it has none (an ACK). */
export function errorDetailMessage(detail: { code?: number; message?: string } | undefined | null): string | undefined {
  if (!detail) return undefined;
  return detail.message && detail.message !== '' ? detail.message : `NACK with status code ${detail.code ?? 0} and no message`;
}
