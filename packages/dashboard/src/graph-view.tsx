// The live service graph: cytoscape draws workloads as nodes and calls as edges (label: rate, error
// ratio, p99; colour by error ratio; a lock when mTLS). Canvas is not inspectable, so every edge is
// also a row of the table below the graph (data-testid="edge-row", with data-* attributes).
import cytoscape, { type Core } from 'cytoscape';
import { useEffect, useRef } from 'preact/hooks';
import { edgeHealth, edgeLabel, formatMs, HEALTH_COLOURS } from './edge-class';
import type { GraphResponse } from './types';

/** Graph + edge table. `onSelectService` opens a service's detail. */
export function GraphView(props: { graph: GraphResponse | undefined; onSelectService: (service: string) => void }) {
  const container = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const graph = props.graph;

  useEffect(() => {
    if (!container.current) return undefined;
    const instance = cytoscape({
      container: container.current,
      style: [
        { selector: 'node', style: { label: 'data(label)', 'background-color': '#4a6fa5', color: '#222', 'font-size': 13, 'text-valign': 'bottom', 'text-margin-y': 4, width: 28, height: 28 } },
        { selector: 'node[kind = "service"]', style: { shape: 'triangle', 'background-color': '#8a8a8a' } },
        { selector: 'node[gateway = 1]', style: { shape: 'round-rectangle', 'background-color': '#6b4aa5' } },
        { selector: 'edge', style: { width: 2, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', label: 'data(label)', 'font-size': 11, 'text-rotation': 'autorotate', 'text-background-color': '#fff', 'text-background-opacity': 0.85, 'text-background-padding': '2px', 'line-color': 'data(colour)', 'target-arrow-color': 'data(colour)' } },
        { selector: 'edge[mtls = 1]', style: { 'line-style': 'solid', width: 4, 'source-arrow-shape': 'square', 'source-arrow-color': 'data(colour)' } },
        { selector: 'edge[mtls = 0]', style: { 'line-style': 'dashed' } },
      ],
      layout: { name: 'breadthfirst', directed: true, spacingFactor: 1.7 },
      wheelSensitivity: 0.2,
    });
    instance.on('tap', 'node', (event) => {
      const app = event.target.data('app') as string;
      if (app && app !== 'unknown') props.onSelectService(app);
    });
    cy.current = instance;
    return () => {
      instance.destroy();
      cy.current = null;
    };
  }, []);

  useEffect(() => {
    const instance = cy.current;
    if (!instance || !graph) return;
    const wanted = new Set<string>();
    const before = instance.elements().map((e) => e.id()).sort().join('|');
    instance.batch(() => {
      for (const node of graph.nodes) {
        wanted.add(node.id);
        const data = { id: node.id, label: node.workload === 'unknown' ? node.id : node.workload, kind: node.kind, app: node.app, gateway: node.workload.startsWith('istio-') ? 1 : 0 };
        const existing = instance.getElementById(node.id);
        if (existing.nonempty()) existing.data(data);
        else instance.add({ group: 'nodes', data });
      }
      for (const edge of graph.edges) {
        wanted.add(edge.id);
        const data = { id: edge.id, source: edge.source, target: edge.destination, label: edgeLabel(edge), colour: HEALTH_COLOURS[edgeHealth(edge.errorRatio)], mtls: edge.mtls === 'mutual_tls' ? 1 : edge.mtls === 'none' ? 0 : 2 };
        const existing = instance.getElementById(edge.id);
        if (existing.nonempty()) existing.data(data);
        else instance.add({ group: 'edges', data });
      }
      instance.elements().filter((e) => !wanted.has(e.id())).remove();
    });
    const after = instance.elements().map((e) => e.id()).sort().join('|');
    if (before !== after) instance.layout({ name: 'breadthfirst', directed: true, spacingFactor: 1.7 }).run();
  }, [graph]);

  const name = (id: string) => graph?.nodes.find((n) => n.id === id)?.workload ?? id;
  return (
    <section class="graph">
      <div class="graph-canvas" ref={container} data-testid="graph-canvas" />
      <p class="legend">
        <span style={{ color: HEALTH_COLOURS.healthy }}>■</span> no errors <span style={{ color: HEALTH_COLOURS.degraded }}>■</span> some errors{' '}
        <span style={{ color: HEALTH_COLOURS.failing }}>■</span> ≥ 10 % errors · edges marked mTLS (thick) used mutual TLS · dashed: plaintext · window {graph ? graph.windowMs / 1000 : '–'} s
        {graph && graph.store.droppedEdges > 0 ? ` · ${graph.store.droppedEdges} edges dropped (memory cap)` : ''}
      </p>
      <table class="edges" data-testid="edge-table">
        <thead>
          <tr><th>source</th><th>destination</th><th>service</th><th>rate (rps)</th><th>errors</th><th>p99</th><th>mTLS</th></tr>
        </thead>
        <tbody>
          {(graph?.edges ?? []).map((edge) => {
            const health = edgeHealth(edge.errorRatio);
            return (
              <tr key={edge.id} data-testid="edge-row" data-source={name(edge.source)} data-destination={name(edge.destination)} data-service={edge.destinationService}
                data-rate={String(edge.rate)} data-error-ratio={String(edge.errorRatio)} data-health={health} data-mtls={edge.mtls} class={`edge-${health}`}>
                <td>{name(edge.source)}</td>
                <td>{name(edge.destination)}</td>
                <td><a href={`#/service/${edge.destinationService.split('.')[0]}`}>{edge.destinationService}</a></td>
                <td>{edge.rate.toFixed(2)}</td>
                <td style={{ color: HEALTH_COLOURS[health] }}>{(edge.errorRatio * 100).toFixed(1)} %</td>
                <td>{edge.p99Ms === null ? '–' : formatMs(edge.p99Ms)}</td>
                <td>{edge.mtls === 'mutual_tls' ? 'mTLS (locked)' : edge.mtls}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {graph && graph.edges.length === 0 ? <p class="empty" data-testid="graph-empty">No traffic in the window. Send some requests (e.g. through the gateway) and the graph fills in.</p> : null}
    </section>
  );
}
