// The product catalogue productpage serves (one book, as in Istio's original) and the
// texts productpage shows when a backend call fails.

/** A product as `/api/v1/products` lists it (swagger `Product`). */
export interface Product {
  readonly id: number;
  readonly title: string;
  readonly descriptionHtml: string;
}

/** Every product (the original has exactly one). */
export const PRODUCTS: readonly Product[] = Object.freeze([
  Object.freeze({
    id: 0,
    title: 'The Comedy of Errors',
    descriptionHtml:
      '<a href="https://en.wikipedia.org/wiki/The_Comedy_of_Errors">Wikipedia Summary</a>: The Comedy of Errors is one of <b>William Shakespeare\'s</b> early plays. It is his shortest and one of his most farcical comedies, with a major part of the humour coming from slapstick and mistaken identity, in addition to puns and word play.',
  }),
]);

/** The product page always shows product 0 (hard-coded in the original). */
export const PRODUCT_PAGE_ID = 0;

/** Error body when details could not be fetched. */
export const DETAILS_ERROR_TEXT = 'Sorry, product details are currently unavailable for this book.';
/** Error body when reviews could not be fetched. */
export const REVIEWS_ERROR_TEXT = 'Sorry, product reviews are currently unavailable for this book.';
/** Error body when ratings could not be fetched (API route only). */
export const RATINGS_ERROR_TEXT = 'Sorry, product ratings are currently unavailable for this book.';

/** The product with `id`, or undefined. */
export function findProduct(id: number): Product | undefined {
  return PRODUCTS.find((product) => product.id === id);
}
