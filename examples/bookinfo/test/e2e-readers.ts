// Pure readers for the BookInfo end-to-end tests: which reviews version a product page shows, the
// fault delays and route splits in a client's config dump, and the binomial bounds the traffic
// shares are judged by.

/** Page markers (istio-bookinfo.md §C). */
export const MARKERS = {
  title: '<title>Simple Bookstore App</title>',
  stars: 'glyphicon glyphicon-star',
  black: 'text-black-500',
  red: 'flex gap-x-1 text-red-500',
  reviewsError: 'Sorry, product reviews are currently unavailable for this book.',
  detailsError: 'Sorry, product details are currently unavailable for this book.',
  ratingsError: 'Ratings service is currently unavailable',
} as const;

/** Which reviews version rendered a product page: v1 (no stars), v2 (black), v3 (red), or the error. */
export function reviewsShown(page: string): 'v1' | 'v2' | 'v3' | 'reviews-error' | 'ratings-error' {
  if (page.includes(MARKERS.reviewsError)) return 'reviews-error';
  if (page.includes(MARKERS.ratingsError)) return 'ratings-error';
  if (!page.includes(MARKERS.stars)) return 'v1';
  return page.includes(MARKERS.red) ? 'v3' : 'v2';
}

/** Every `fixed_delay` in a resource's JSON, in ms (for waiting until a delay rule is in force). */
export function fixedDelaysMs(json: string): number[] {
  const out: number[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'fixed_delay' && typeof child === 'object' && child !== null) {
        const { seconds = 0, nanos = 0 } = child as { seconds?: number | string; nanos?: number };
        out.push(Number(seconds) * 1000 + Number(nanos) / 1e6);
      } else walk(child);
    }
  };
  walk(JSON.parse(json));
  return out;
}

/**
 * The split of a route table's first route, subset → weight, sorted by subset (`{ v1: 100 }` for a
 * single destination): reads `route.cluster` or `route.weighted_clusters` (clusters `outbound|P|SUBSET|HOST`).
 */
export function subsetWeights(json: string): Record<string, number> {
  const table = JSON.parse(json) as { virtual_hosts?: { routes?: { route?: { cluster?: string; weighted_clusters?: { clusters?: { name: string; weight?: number | { value?: number } }[] } } }[] }[] };
  const route = table.virtual_hosts?.[0]?.routes?.[0]?.route;
  const subset = (cluster: string) => cluster.split('|')[2] ?? '';
  const out: Record<string, number> = {};
  if (route?.cluster) out[subset(route.cluster)] = 100;
  for (const c of route?.weighted_clusters?.clusters ?? []) out[subset(c.name)] = Number(typeof c.weight === 'object' ? c.weight?.value ?? 0 : c.weight ?? 0);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** Bounds [lo, hi] of a count over `n` draws with probability `p`, `z` standard deviations wide (z=5: a flake in ~3.5 million runs). */
export function binomialBounds(n: number, p: number, z = 5): [number, number] {
  const sd = Math.sqrt(n * p * (1 - p));
  return [Math.max(0, Math.floor(n * p - z * sd)), Math.min(n, Math.ceil(n * p + z * sd))];
}
