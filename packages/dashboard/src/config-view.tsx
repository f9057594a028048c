// The config: every stored resource of the networking and security kinds, and the analysis messages
// (validation and cross-resource warnings) next to the resource they are about.
import { usePolled } from './api';
import type { AnalysisMessage, ResourceItem } from './types';

const LISTS: readonly { label: string; path: string }[] = [
  { label: 'Gateways', path: '/apis/networking.istio.io/v1/gateways' },
  { label: 'VirtualServices', path: '/apis/networking.istio.io/v1/virtualservices' },
  { label: 'DestinationRules', path: '/apis/networking.istio.io/v1/destinationrules' },
  { label: 'ServiceEntries', path: '/apis/networking.istio.io/v1/serviceentries' },
  { label: 'PeerAuthentications', path: '/apis/security.istio.io/v1/peerauthentications' },
  { label: 'AuthorizationPolicies', path: '/apis/security.istio.io/v1/authorizationpolicies' },
  { label: 'Services', path: '/api/v1/services' },
];

function ResourceList(props: { label: string; path: string; messages: readonly AnalysisMessage[] }) {
  const { data, error } = usePolled<{ items: ResourceItem[] }>(props.path);
  return (
    <div class="resource-list">
      <h3>{props.label} {data ? `(${data.items.length})` : ''}</h3>
      {error && !data ? <p class="error">{error.message}</p> : null}
      <ul>
        {(data?.items ?? []).map((item) => {
          const ref = `${item.metadata.namespace ?? ''}/${item.metadata.name}`;
          const notes = props.messages.filter((m) => typeof m.resource === 'string' && m.resource.includes(item.kind) && m.resource.endsWith(ref));
          return (
            <li key={ref} data-testid="resource" data-kind={item.kind} data-name={item.metadata.name}>
              {ref} <small>rv {item.metadata.resourceVersion}</small>
              {notes.map((m) => <span class={`badge level-${String(m.level).toLowerCase()}`} title={m.message}>{m.code}</span>)}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** Resources and analysis. */
export function ConfigView() {
  const analysis = usePolled<{ revision: string; messages: AnalysisMessage[] }>('/apis/inboard.io/v1/analyze');
  const messages = analysis.data?.messages ?? [];
  return (
    <section class="config">
      <h2>Analysis {analysis.data ? `(revision ${analysis.data.revision})` : ''}</h2>
      {messages.length === 0 ? <p data-testid="analysis-clean">No validation or analysis messages.</p> : null}
      <table>
        <tbody>
          {messages.map((m, i) => (
            <tr key={i} data-testid="analysis-message" class={`level-${String(m.level).toLowerCase()}`}>
              <td>{m.level}</td><td>{m.code}</td><td>{m.resource}</td><td>{m.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="lists">{LISTS.map((l) => <ResourceList key={l.path} label={l.label} path={l.path} messages={messages} />)}</div>
    </section>
  );
}
