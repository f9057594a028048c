// The IPC messages between the fan-out bench and its client processes (./fanout-process.ts).

/** What every client subscribes to: LDS and CDS by wildcard, RDS and EDS by the names they announce. */
export interface FanoutSubscription {
  readonly routeNames: readonly string[];
  readonly endpointNames: readonly string[];
}

/** Bench → client process. */
export type FanoutCommand =
  | { readonly type: 'start'; readonly target: string; readonly count: number; readonly firstIndex: number; readonly protocol: 'delta' | 'sotw'; readonly subscription: FanoutSubscription }
  /** Start watching for change `seq` (a route change): the next RDS update each client ACKs. */
  | { readonly type: 'arm'; readonly seq: number }
  /** Report the ACK times and bytes of change `seq`. */
  | { readonly type: 'collect'; readonly seq: number }
  /** The control plane is about to be restarted: watch for each client's reconnect and re-ACK. */
  | { readonly type: 'expect-resync' }
  | { readonly type: 'collect-resync' }
  | { readonly type: 'close' };

/** Client process → bench. */
export type FanoutReport =
  /** Every client of the process has ACKed LDS, RDS, CDS and EDS once. */
  | { readonly type: 'synced'; readonly clients: number; readonly nacks: number }
  /** Every client of the process has ACKed change `seq`. */
  | { readonly type: 'acked'; readonly seq: number }
  | { readonly type: 'acks'; readonly seq: number; readonly ackedAt: readonly (number | null)[]; readonly bytes: readonly number[]; readonly nacks: number }
  /** Every client of the process has reconnected and re-ACKed LDS and CDS. */
  | { readonly type: 'resynced' }
  | { readonly type: 'resync'; readonly resyncedAt: readonly (number | null)[] }
  | { readonly type: 'error'; readonly message: string };
