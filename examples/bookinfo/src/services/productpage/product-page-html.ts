// The `/productpage` HTML: nav with Sign in / sign out, the book, its details table and the
// reviews with stars — the texts and markers of Istio's template (`Book Details`,
// `Error fetching product reviews!`, `glyphicon glyphicon-star`, `text-red-500` …).
import type { BackendResult } from './backends';
import { escapeHtml, pageFrame } from './html';
import type { Product } from './products';

/** Everything the page shows. */
export interface ProductPageModel {
  readonly product: Product;
  /** The logged-in user, or undefined. */
  readonly user: string | undefined;
  readonly details: BackendResult;
  readonly reviews: BackendResult;
}

const DIALOG_SCRIPT = `<script>
window.addEventListener("DOMContentLoaded", () => {
  const dialog = document.querySelector("dialog");
  const open = document.querySelector("#sign-in-button");
  const close = document.querySelector("#close-dialog");
  if (open) open.addEventListener("click", () => dialog.showModal());
  if (close) close.addEventListener("click", () => dialog.close());
});
</script>`;

function nav(user: string | undefined): string {
  const right = user
    ? `<p class="user"><span>${escapeHtml(user)}</span> ( <a href="logout">sign out</a> )</p>`
    : `<button type="button" id="sign-in-button">Sign in</button>`;
  return `<nav><div class="bar"><a class="brand" href="#">BookInfo Sample</a>${right}</div></nav>
<dialog id="dialog">
  <h2>Sign in to BookInfo</h2>
  <form method="post" action="login" name="login_form">
    <label for="username">Username</label>
    <input id="username" name="username" required>
    <label for="password">Password</label>
    <input id="password" name="passwd" type="password" required>
    <div class="actions">
      <button type="submit" id="login-submit">Sign in</button>
      <button type="button" id="close-dialog" class="secondary">Cancel</button>
    </div>
  </form>
</dialog>`;
}

function detailsSection(details: BackendResult): string {
  if (details.status === 200) {
    const d = (details.body ?? {}) as Record<string, unknown>;
    return `<h4>Book Details</h4>
<table>
  <thead><tr><th>ISBN-10</th><th>Publisher</th><th>Pages</th><th>Type</th><th>Language</th></tr></thead>
  <tbody><tr><td>${escapeHtml(d['ISBN-10'])}</td><td>${escapeHtml(d['publisher'])}</td><td>${escapeHtml(d['pages'])}</td><td>${escapeHtml(d['type'])}</td><td>${escapeHtml(d['language'])}</td></tr></tbody>
</table>`;
  }
  const error = (details.body as { error?: unknown } | undefined)?.error;
  return `<h4 class="text-2xl text-red-500 error">Error fetching product details!</h4>
${error !== undefined ? `<p>${escapeHtml(error)}</p>` : ''}`;
}

/** The star row of a rating: `stars` filled stars in the colour, then outline stars up to five. */
export function starsHtml(stars: number, color: string): string {
  const filled = Math.max(0, Math.min(5, Math.trunc(stars)));
  const full = '<span class="glyphicon glyphicon-star" aria-hidden="true">&#x2605;</span>'.repeat(filled);
  const empty = '<span class="star-empty" aria-hidden="true">&#x2606;</span>'.repeat(5 - filled);
  return `<div class="flex gap-x-1 text-${escapeHtml(color)}-500" style="color:${escapeHtml(color)}">${full}${empty}</div>`;
}

function ratingHtml(rating: unknown): string {
  if (!rating || typeof rating !== 'object') return '';
  const { stars, color, error } = rating as { stars?: unknown; color?: unknown; error?: unknown };
  if (typeof stars === 'number' && stars > 0) return starsHtml(stars, typeof color === 'string' ? color : 'black');
  if (error) return `<p class="text-red-500 error">${escapeHtml(error)}</p>`;
  return '';
}

function reviewsSection(reviews: BackendResult): string {
  const body = (reviews.body ?? {}) as { reviews?: unknown; podname?: unknown; clustername?: unknown; error?: unknown };
  if (reviews.status !== 200) {
    return `<h4 class="text-2xl text-red-500 error">Error fetching product reviews!</h4>
${body.error !== undefined ? `<p>${escapeHtml(body.error)}</p>` : ''}`;
  }
  const servedBy = `Reviews served by: ${escapeHtml(body.podname)}${
    body.clustername !== 'null' && body.clustername !== undefined ? ` on cluster <span>${escapeHtml(body.clustername)}</span>` : ''
  }`;
  const items = Array.isArray(body.reviews) ? (body.reviews as Array<Record<string, unknown>>) : [];
  const sections = items.map(
    (review) => `<section class="review">
  ${ratingHtml(review['rating'])}
  <blockquote><p>"${escapeHtml(review['text'])}"</p></blockquote>
  <div class="reviewer">${escapeHtml(review['reviewer'])}</div>
  <div class="served-by">${servedBy}</div>
</section>`,
  );
  return `<h4>Book Reviews</h4>
<div class="review-list">
${sections.join('\n')}
</div>`;
}

/** Renders the product page. */
export function renderProductPage(model: ProductPageModel): string {
  // descriptionHtml is trusted catalogue HTML (rendered unescaped, as the original's template does).
  const body = `${nav(model.user)}
<div class="container">
  <h1>${escapeHtml(model.product.title)}</h1>
  <p class="summary">Summary: ${model.product.descriptionHtml}</p>
</div>
<div class="container" id="details">
${detailsSection(model.details)}
</div>
<div class="reviews"><div class="container" id="reviews">
${reviewsSection(model.reviews)}
</div></div>`;
  return pageFrame(body, DIALOG_SCRIPT);
}
