// Every client connected to the xDS server with its per-family sync state (as `inboard
// proxy-status`), and the clients that report edge statistics.
import { usePolled } from './api';
import type { SyncClient } from './types';

const FAMILIES = ['clusters', 'listeners', 'routes', 'endpoints'] as const;

/** Connected clients and reporters. */
export function ClientsView() {
  const syncz = usePolled<{ clients: SyncClient[] }>('/debug/syncz');
  const reporters = usePolled<{ items: { source: { workload: string; namespace: string }; nodeId?: string; lastReportAt: number; reports: number }[] }>('/apis/inboard.io/v1/telemetry/reporters');
  return (
    <section class="clients">
      <h2>Connected clients {syncz.data ? `(${syncz.data.clients.length})` : ''}</h2>
      {syncz.error && !syncz.data ? <p class="error">{syncz.error.message}</p> : null}
      <table>
        <thead><tr><th>node id</th><th>labels</th>{FAMILIES.map((f) => <th key={f}>{f}</th>)}</tr></thead>
        <tbody>
          {(syncz.data?.clients ?? []).map((c) => (
            <tr key={c.proxy.id} data-testid="client-row" data-node={c.proxy.id}>
              <td>{c.proxy.id}</td>
              <td>{Object.entries(c.proxy.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ')}</td>
              {FAMILIES.map((f) => {
                const state = c.families[f]?.state ?? '–';
                return <td key={f} class={`sync-${state.toLowerCase()}`}>{state}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Edge reporters</h2>
      <table>
        <thead><tr><th>workload</th><th>node id</th><th>reports</th><th>last report</th></tr></thead>
        <tbody>
          {(reporters.data?.items ?? []).map((r) => (
            <tr key={`${r.source.namespace}/${r.source.workload}/${r.nodeId}`} data-testid="reporter-row">
              <td>{r.source.namespace}/{r.source.workload}</td><td>{r.nodeId ?? '–'}</td><td>{r.reports}</td>
              <td>{Math.round((Date.now() - r.lastReportAt) / 1000)} s ago</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
