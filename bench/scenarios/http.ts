// Group `http`: raw Node HTTP clients against the bench's HTTP server; the same raw undici client
// through a sidecar-style proxy hop (HAProxy, nginx) on the client side and on both sides; and the
// in-process mesh's front ends, each next to the raw client it wraps — all measured in the same rounds.
import type { ScenarioGroup } from '../harness/group';
import { runLoadGroup, type LoadScenario } from '../harness/load-group';
import { startMeshPlane } from '../harness/mesh-plane';
import { HAPROXY } from '../proxies/haproxy';
import { NGINX } from '../proxies/nginx';

const RAW = 'undici-pool';
const SIDECARS = ['haproxy-2hop', 'nginx-2hop'];

/** The rows of the http group, baseline first. */
export const HTTP_SCENARIOS: readonly LoadScenario[] = [
  { id: RAW, label: 'undici Pool.request (raw)', driver: 'undici-pool', server: 'http' },
  { id: 'undici-request', label: 'undici request(url, { dispatcher: pool }) (raw)', driver: 'undici-request', server: 'http', baseline: RAW },
  { id: 'undici-fetch', label: 'undici fetch (raw)', driver: 'undici-fetch', server: 'http', baseline: RAW },
  { id: 'global-fetch', label: 'global fetch (raw)', driver: 'node-fetch-global', server: 'http', baseline: RAW },
  { id: 'axios', label: 'axios keep-alive (raw)', driver: 'axios', server: 'http', baseline: RAW },
  { id: 'haproxy-1hop', label: 'undici → haproxy (1 hop)', driver: 'undici-pool', server: 'http', proxy: { kind: HAPROXY, layout: 'client-side' }, baseline: RAW },
  { id: 'haproxy-2hop', label: 'undici → haproxy ×2 (2 hops)', driver: 'undici-pool', server: 'http', proxy: { kind: HAPROXY, layout: 'both-sides' }, baseline: RAW },
  { id: 'nginx-1hop', label: 'undici → nginx (1 hop)', driver: 'undici-pool', server: 'http', proxy: { kind: NGINX, layout: 'client-side' }, baseline: RAW },
  { id: 'nginx-2hop', label: 'undici → nginx ×2 (2 hops)', driver: 'undici-pool', server: 'http', proxy: { kind: NGINX, layout: 'both-sides' }, baseline: RAW },
  // The mesh: each front end against the raw client it wraps (the dispatcher against the same
  // `request(url, { dispatcher })` call on a raw Pool), the dispatcher also against Pool.request and the sidecars.
  { id: 'mesh-dispatcher', label: 'undici + mesh.dispatcher', driver: 'mesh-dispatcher', server: 'http', mesh: true, baseline: 'undici-request', versus: [RAW, ...SIDECARS] },
  { id: 'mesh-fetch', label: 'mesh.fetch', driver: 'mesh-fetch', server: 'http', mesh: true, baseline: 'undici-fetch' },
  { id: 'mesh-axios', label: 'mesh.axios()', driver: 'mesh-axios', server: 'http', mesh: true, baseline: 'axios' },
];

/** The http group. */
export const group: ScenarioGroup = {
  name: 'http',
  order: 10,
  title: 'raw HTTP clients, undici through sidecar-style HAProxy / nginx hops, and the in-process mesh',
  run: (context) => runLoadGroup(context, HTTP_SCENARIOS, { prepareMesh: (servers) => startMeshPlane(context, servers) }),
};
