// The admin API's JSON shapes, shared by the HTTP server (api/) and its client (cli/).
// Kubernetes-like where Kubernetes has a shape (lists, watch events, errors), ours elsewhere.

import type { KindName, Resource } from '../config/resource';
import type { WorkloadEndpoint } from '../registry/types';
import type { ClientSyncStatus } from '../xds/contracts';

/** Body of every error response: a stable code, a message saying what to do, and context. */
export interface ApiErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** One document of an apply request, as read from a file (index counts from 1 within `source`). */
export interface ApplyDocument {
  readonly source: string;
  readonly index: number;
  readonly object: unknown;
  /** For an item of a `kind: List` document: its 0-based position in `items`. */
  readonly item?: number;
}

/** `POST /apis/inboard.io/v1/apply`. */
export interface ApplyRequest {
  readonly documents: readonly ApplyDocument[];
  /** Skip documents of kinds the mesh does not store instead of rejecting the batch. */
  readonly skipUnsupported?: boolean;
  /** Validate and report what would change; store nothing. */
  readonly dryRun?: boolean;
}

/** What apply did to one resource, in kubectl's words. */
export type ApplyAction = 'created' | 'configured' | 'unchanged';

/** Per-document outcome of an apply. */
export interface ApplyResult {
  readonly source: string;
  readonly index: number;
  readonly apiVersion: string;
  readonly kind: KindName;
  readonly namespace: string;
  readonly name: string;
  readonly action: ApplyAction;
  /** resourceVersion after the apply (the current one for unchanged; absent on a dry-run create). */
  readonly resourceVersion?: string;
}

/** A document apply left out because its kind is not stored (only with skipUnsupported). */
export interface ApplySkipped {
  readonly source: string;
  readonly index: number;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/** A validation problem as the API reports it (same fields as config/validate's ValidationIssue). */
export interface ApiIssue {
  readonly source?: string;
  readonly index?: number;
  readonly resource?: string;
  readonly path: string;
  readonly message: string;
  /** Machine-readable code where one exists (UNSUPPORTED_KIND, IST…, INB…). */
  readonly code?: string;
}

/** Successful apply (200). A rejected apply answers 422 with `details.errors: ApiIssue[]`. */
export interface ApplyResponse {
  /** Store revision after the commit (the current revision for a dry run or an all-unchanged apply). */
  readonly revision: string;
  readonly dryRun: boolean;
  readonly results: readonly ApplyResult[];
  readonly skipped: readonly ApplySkipped[];
  readonly warnings: readonly ApiIssue[];
}

/** `GET` of a collection: Kubernetes' `<Kind>List`. */
export interface ResourceList {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly resourceVersion: string };
  readonly items: readonly Resource[];
}

/** One line of a watch stream (newline-delimited JSON). BOOKMARK carries only metadata.resourceVersion. */
export type WatchEventLine =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: Resource }
  | { readonly type: 'BOOKMARK'; readonly object: { readonly kind: string; readonly apiVersion: string; readonly metadata: { readonly resourceVersion: string } } }
  | { readonly type: 'ERROR'; readonly object: ApiErrorBody };

/** `GET /apis/inboard.io/v1/workloads`. */
export interface WorkloadList {
  readonly registryVersion: number;
  readonly items: readonly WorkloadEndpoint[];
}

/** One finding of `GET /apis/inboard.io/v1/analyze` (same shape as config/analyze's messages). */
export interface AnalysisMessageWire {
  readonly level: 'Error' | 'Warning' | 'Info';
  readonly code: string;
  readonly resource: string;
  readonly path?: string;
  readonly message: string;
}

/** `GET /apis/inboard.io/v1/analyze[?namespace=NS]`. */
export interface AnalyzeResponse {
  readonly revision: string;
  readonly namespace?: string;
  readonly messages: readonly AnalysisMessageWire[];
}

/** `GET /debug/syncz`. */
export interface SynczResponse {
  readonly clients: readonly ClientSyncStatus[];
}

/** `GET /debug/config_dump?proxyID=ID`: what was last sent to that client, by family. */
export interface ConfigDumpResponse {
  readonly proxyID: string;
  readonly clusters: readonly object[];
  readonly endpoints: readonly object[];
  readonly listeners: readonly object[];
  readonly routes: readonly object[];
}

/** `GET /version`. */
export interface VersionInfo {
  readonly name: '@inboard/mesh-server';
  readonly version: string;
  readonly node: string;
}

/** Path of the apply endpoint. */
export const APPLY_PATH = '/apis/inboard.io/v1/apply';
/** Path of the workload registry listing. */
export const WORKLOADS_PATH = '/apis/inboard.io/v1/workloads';
/** Path of the analysis endpoint. */
export const ANALYZE_PATH = '/apis/inboard.io/v1/analyze';
