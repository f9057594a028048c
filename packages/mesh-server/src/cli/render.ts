// Renders resources for `inboard get`: kubectl-style tables (NAME, per-kind columns, AGE, and the
// -o wide extras), and YAML or JSON documents (several resources as a Kubernetes `List`).

import YAML from 'yaml';
import type { KindInfo, Resource } from '../config/resource';
import type { WorkloadEndpoint } from '../registry/types';
import { KIND_COLUMNS } from './kind-columns';
import { qualifiedName } from './kind-names';
import { formatAge, formatLabels, joinList, renderTable } from './table';

/** Output formats of `get`. */
export type OutputFormat = 'table' | 'wide' | 'yaml' | 'json';

/** A value as YAML or JSON text. */
export function renderDocument(value: unknown, format: 'yaml' | 'json'): string {
  return format === 'json' ? JSON.stringify(value, null, 2) + '\n' : YAML.stringify(value, { lineWidth: 0, indentSeq: false });
}

/** Several values as one Kubernetes `List` document. */
export function asList(items: readonly unknown[]): { apiVersion: 'v1'; kind: 'List'; items: readonly unknown[] } {
  return { apiVersion: 'v1', kind: 'List', items };
}

/** Options of a resource table. */
export interface TableOptions {
  readonly wide: boolean;
  /** Print a NAMESPACE column first (for -A). */
  readonly allNamespaces: boolean;
  /** Print NAME as kind.group/name (for `get all`). */
  readonly qualified: boolean;
  readonly now: Date;
}

/** A table of resources of one kind. */
export function resourceTable(info: KindInfo, items: readonly Resource[], options: TableOptions): string {
  const columns = KIND_COLUMNS[info.kind];
  const headers = [
    ...(options.allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    ...columns.headers,
    'AGE',
    ...(options.wide ? columns.wideHeaders : []),
  ];
  const rows = items.map((r) => [
    ...(options.allNamespaces ? [r.metadata.namespace] : []),
    options.qualified ? qualifiedName(r.kind, r.metadata.name) : r.metadata.name,
    ...columns.cells(r),
    formatAge(r.metadata.creationTimestamp, options.now),
    ...(options.wide ? columns.wideCells(r) : []),
  ]);
  return renderTable(headers, rows);
}

/** A table of registry workloads. */
export function workloadTable(items: readonly WorkloadEndpoint[], options: Pick<TableOptions, 'wide' | 'allNamespaces'>): string {
  const headers = [
    ...(options.allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    'ADDRESS',
    'PORTS',
    'LABELS',
    'ORIGIN',
    'HEALTH',
    ...(options.wide ? ['SERVICE ACCOUNT', 'LOCALITY', 'WEIGHT', 'SERVICES', 'SOURCE'] : []),
  ];
  const rows = items.map((w) => [
    ...(options.allNamespaces ? [w.namespace] : []),
    w.id,
    w.address,
    joinList(Object.entries(w.ports).map(([name, port]) => (name === String(port) ? String(port) : `${name}:${port}`))),
    formatLabels(w.labels),
    w.origin,
    w.expiresAt !== undefined ? `${w.health} (leaving)` : w.health,
    ...(options.wide ? [w.serviceAccount, w.locality, String(w.weight), joinList(w.services), w.source] : []),
  ]);
  return renderTable(headers, rows);
}
