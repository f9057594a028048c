// x-request-id values: random (version 4) UUIDs, as Envoy generates them, from a pooled block of
// cryptographically random bytes, built by one fixed-arity String.fromCharCode call. It costs about
// half of crypto.randomUUID(), which concatenates 20 strings per id, and allocates a tenth as much.

import { randomFillSync } from 'node:crypto';

/** Ids drawn from one randomFillSync call (64 KB: a fill costs a fixed few µs, about 3 ns per id at this size against 12 ns at 256 ids). */
const IDS_PER_FILL = 4096;
const random = Buffer.allocUnsafe(16 * IDS_PER_FILL);
let next = IDS_PER_FILL;

/** Char codes of the two hex digits of every byte: HEX[2b] and HEX[2b + 1]. */
const HEX = new Uint8Array(512);
for (let byte = 0; byte < 256; byte++) {
  HEX[2 * byte] = '0123456789abcdef'.charCodeAt(byte >> 4);
  HEX[2 * byte + 1] = '0123456789abcdef'.charCodeAt(byte & 0x0f);
}
const DASH = 0x2d;

/** A new random UUID (RFC 9562 version 4, lower case), as `crypto.randomUUID()` gives. */
export function requestId(): string {
  if (next === IDS_PER_FILL) {
    randomFillSync(random);
    next = 0;
  }
  const at = 16 * next++;
  random[at + 6] = (random[at + 6]! & 0x0f) | 0x40; // version 4
  random[at + 8] = (random[at + 8]! & 0x3f) | 0x80; // variant 10
  // Each byte's offset in HEX, named per byte so that one call can take all 36 char codes.
  const r = random;
  const b0 = 2 * r[at]!, b1 = 2 * r[at + 1]!, b2 = 2 * r[at + 2]!, b3 = 2 * r[at + 3]!;
  const b4 = 2 * r[at + 4]!, b5 = 2 * r[at + 5]!, b6 = 2 * r[at + 6]!, b7 = 2 * r[at + 7]!;
  const b8 = 2 * r[at + 8]!, b9 = 2 * r[at + 9]!, b10 = 2 * r[at + 10]!, b11 = 2 * r[at + 11]!;
  const b12 = 2 * r[at + 12]!, b13 = 2 * r[at + 13]!, b14 = 2 * r[at + 14]!, b15 = 2 * r[at + 15]!;
  return String.fromCharCode(
    HEX[b0]!, HEX[b0 + 1]!, HEX[b1]!, HEX[b1 + 1]!, HEX[b2]!, HEX[b2 + 1]!, HEX[b3]!, HEX[b3 + 1]!, DASH,
    HEX[b4]!, HEX[b4 + 1]!, HEX[b5]!, HEX[b5 + 1]!, DASH,
    HEX[b6]!, HEX[b6 + 1]!, HEX[b7]!, HEX[b7 + 1]!, DASH,
    HEX[b8]!, HEX[b8 + 1]!, HEX[b9]!, HEX[b9 + 1]!, DASH,
    HEX[b10]!, HEX[b10 + 1]!, HEX[b11]!, HEX[b11 + 1]!, HEX[b12]!, HEX[b12 + 1]!,
    HEX[b13]!, HEX[b13 + 1]!, HEX[b14]!, HEX[b14 + 1]!, HEX[b15]!, HEX[b15 + 1]!,
  );
}
