// The `/` and `/index.html` page of productpage: a greeting, the service tree as a nested
// table (the original renders its service dictionary with json2html), and two sample links.
import { escapeHtml, pageFrame } from './html';
import type { ProductpageUpstreams } from './backends';

/** A node of the service tree shown on the index page. */
export interface ServiceNode {
  readonly name: string;
  readonly endpoint: string;
  readonly children: readonly ServiceNode[];
}

/**
 * The tree the original shows: productpage's node carries details' URL as its name (a quirk
 * of the original kept as is), with details and reviews → ratings below it.
 */
export function serviceTree(upstreams: ProductpageUpstreams): ServiceNode {
  const details: ServiceNode = { name: upstreams.details, endpoint: 'details', children: [] };
  const ratings: ServiceNode = { name: upstreams.ratings, endpoint: 'ratings', children: [] };
  const reviews: ServiceNode = { name: upstreams.reviews, endpoint: 'reviews', children: [ratings] };
  return { name: upstreams.details, endpoint: 'details', children: [details, reviews] };
}

function nodeTable(node: ServiceNode): string {
  const children = node.children.length === 0 ? '' : `<ul>${node.children.map((child) => `<li>${nodeTable(child)}</li>`).join('')}</ul>`;
  return `<table class="service-table"><tr><th>name</th><td>${escapeHtml(node.name)}</td></tr><tr><th>endpoint</th><td>${escapeHtml(node.endpoint)}</td></tr><tr><th>children</th><td>${children}</td></tr></table>`;
}

/** Renders the index page. */
export function renderIndexPage(tree: ServiceNode): string {
  return pageFrame(`<div class="container">
<h3>Hello! This is a simple bookstore application consisting of three services as shown below</h3>
${nodeTable(tree)}
<h4>Click on one of the links below to auto generate a request to the backend as a real user or a tester</h4>
<p><a href="/productpage?u=normal">Normal user</a></p>
<p><a href="/productpage?u=test">Test user</a></p>
</div>`);
}
