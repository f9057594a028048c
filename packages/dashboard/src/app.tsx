// The dashboard's shell: a tab per view, chosen by the URL hash (#/graph, #/config, #/clients,
// #/service/<name>) so the page needs no server-side routing, and a token form when the API says 401.
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, saveToken, usePolled } from './api';
import { ClientsView } from './clients-view';
import { ConfigView } from './config-view';
import { GraphView } from './graph-view';
import { ServiceView } from './service-view';
import type { GraphResponse } from './types';

function routeOf(hash: string): { view: 'graph' | 'config' | 'clients' | 'service'; service?: string } {
  const m = /^#\/(graph|config|clients|service)(?:\/([^&]+))?/.exec(hash);
  if (!m) return { view: 'graph' };
  return { view: m[1] as 'graph', ...(m[2] ? { service: decodeURIComponent(m[2]) } : {}) };
}

function TokenForm() {
  const [value, setValue] = useState('');
  return (
    <form class="token" onSubmit={(e) => { e.preventDefault(); saveToken(value); location.reload(); }}>
      This control plane needs a bearer token (see &lt;data-dir&gt;/admin-token or <code>inboard token create --scope read</code>):{' '}
      <input type="password" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} /> <button type="submit">Use token</button>
    </form>
  );
}

/** The whole page. */
export function App() {
  const [route, setRoute] = useState(routeOf(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(routeOf(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  // The graph keeps polling on every tab, so the header's numbers stay live.
  const graph = usePolled<GraphResponse>('/apis/inboard.io/v1/telemetry/graph?window=60s');
  const unauthorized = graph.error instanceof ApiFailure && graph.error.status === 401;
  const tab = (view: string, label: string) => <a href={`#/${view}`} class={route.view === view ? 'active' : ''} data-testid={`tab-${view}`}>{label}</a>;
  return (
    <div class="app">
      <header>
        <h1>Inboard</h1>
        <nav>{tab('graph', 'Service graph')}{tab('config', 'Config')}{tab('clients', 'Clients')}</nav>
        <span class="status" data-testid="status">
          {graph.error ? `API: ${graph.error.message}` : graph.data ? `${graph.data.edges.length} edges · updated ${new Date(graph.updatedAt!).toLocaleTimeString()}` : 'loading…'}
        </span>
      </header>
      {unauthorized ? <TokenForm /> : null}
      <main>
        {route.view === 'graph' ? <GraphView graph={graph.data} onSelectService={(s) => (location.hash = `#/service/${s}`)} /> : null}
        {route.view === 'config' ? <ConfigView /> : null}
        {route.view === 'clients' ? <ClientsView /> : null}
        {route.view === 'service' && route.service ? <ServiceView service={route.service} /> : null}
      </main>
    </div>
  );
}
