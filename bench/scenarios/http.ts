// Group `http`: raw Node HTTP clients against the bench's HTTP server, and the same raw undici client
// through a sidecar-style proxy hop (HAProxy, nginx) on the client side and on both sides.
// Every row is compared with `undici-pool`, the fastest raw client, measured in the same rounds.
import type { ScenarioGroup } from '../harness/group';
import { runLoadGroup, type LoadScenario } from '../harness/load-group';
import { HAPROXY } from '../proxies/haproxy';
import { NGINX } from '../proxies/nginx';

const BASELINE = 'undici-pool';

/** The rows of the http group, baseline first. */
export const HTTP_SCENARIOS: readonly LoadScenario[] = [
  { id: BASELINE, label: 'undici Pool.request (raw)', driver: 'undici-pool', server: 'http' },
  { id: 'undici-fetch', label: 'undici fetch (raw)', driver: 'undici-fetch', server: 'http', baseline: BASELINE },
  { id: 'global-fetch', label: 'global fetch (raw)', driver: 'node-fetch-global', server: 'http', baseline: BASELINE },
  { id: 'axios', label: 'axios keep-alive (raw)', driver: 'axios', server: 'http', baseline: BASELINE },
  { id: 'haproxy-1hop', label: 'undici → haproxy (1 hop)', driver: 'undici-pool', server: 'http', proxy: { kind: HAPROXY, layout: 'client-side' }, baseline: BASELINE },
  { id: 'haproxy-2hop', label: 'undici → haproxy ×2 (2 hops)', driver: 'undici-pool', server: 'http', proxy: { kind: HAPROXY, layout: 'both-sides' }, baseline: BASELINE },
  { id: 'nginx-1hop', label: 'undici → nginx (1 hop)', driver: 'undici-pool', server: 'http', proxy: { kind: NGINX, layout: 'client-side' }, baseline: BASELINE },
  { id: 'nginx-2hop', label: 'undici → nginx ×2 (2 hops)', driver: 'undici-pool', server: 'http', proxy: { kind: NGINX, layout: 'both-sides' }, baseline: BASELINE },
];

/** The http group. */
export const group: ScenarioGroup = {
  name: 'http',
  order: 10,
  title: 'raw HTTP clients, and undici through a sidecar-style HAProxy / nginx hop',
  run: (context) => runLoadGroup(context, HTTP_SCENARIOS),
};
