// xxHash64 (seed 0), the hash Envoy uses for ring-hash points and hash policies
// (HashUtil::xxHash64). Written here because the packaged implementation at hand, xxhash-wasm
// (a dependency of grpc-js-xds), can only be instantiated asynchronously, and pickers are
// synchronous. 64-bit lanes are kept as two uint32 halves (no BigInt in the loop: ~20× faster).
// Spec: https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md

const encoder = new TextEncoder();

// Primes as [hi, lo].
const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;

// Result registers of the 64-bit helpers: a typed array, so storing a uint32 never boxes a number.
const R = new Uint32Array(2);

function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl;
  R[1] = lo >>> 0;
  R[0] = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const carry = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  R[1] = ((mid << 16) | (p00 & 0xffff)) >>> 0;
  R[0] = (carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

function rotl(h: number, l: number, r: number): void {
  if (r === 32) { R[0] = l; R[1] = h; return; }
  if (r > 32) { const t = h; h = l; l = t; r -= 32; }
  R[0] = ((h << r) | (l >>> (32 - r))) >>> 0;
  R[1] = ((l << r) | (h >>> (32 - r))) >>> 0;
}

/** acc = rotl(acc + lane * P2, 31) * P1 */
function round(acch: number, accl: number, laneh: number, lanel: number): void {
  mul(laneh, lanel, P2H, P2L);
  add(acch, accl, R[0], R[1]);
  rotl(R[0], R[1], 31);
  mul(R[0], R[1], P1H, P1L);
}

function lo32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

let scratch = new Uint8Array(256);

/** Hashes a string: ASCII is copied into a reused buffer (no allocation), other text UTF-8 encoded. */
function hashString(s: string): void {
  const n = s.length;
  if (n > scratch.length) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  const buf = scratch;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0x80) {
      const utf8 = encoder.encode(s);
      hashInto(utf8, utf8.length);
      return;
    }
    buf[k] = c;
  }
  hashInto(buf, n);
}

/** xxHash64 of UTF-8 `input` (a string) or raw bytes, seed 0, as an unsigned 64-bit bigint. */
export function xxhash64(input: string | Uint8Array): bigint {
  if (typeof input === 'string') hashString(input);
  else hashInto(input, input.length);
  return (BigInt(R[0]) << 32n) | BigInt(R[1]);
}

/** xxHash64 as `[high 32 bits, low 32 bits]` (unsigned), for callers that avoid BigInt. */
export function xxhash64Halves(input: string | Uint8Array): [number, number] {
  if (typeof input === 'string') hashString(input);
  else hashInto(input, input.length);
  return [R[0]!, R[1]!];
}

function hashInto(b: Uint8Array, len: number): void {
  let i = 0;
  let h: number, l: number;
  if (len >= 32) {
    add(P1H, P1L, P2H, P2L); let v1h = R[0], v1l = R[1];
    let v2h = P2H, v2l = P2L;
    let v3h = 0, v3l = 0;
    // -P1 mod 2^64
    add(~P1H >>> 0, ~P1L >>> 0, 0, 1); let v4h = R[0], v4l = R[1];
    for (; i + 32 <= len; i += 32) {
      round(v1h, v1l, lo32(b, i + 4), lo32(b, i)); v1h = R[0]; v1l = R[1];
      round(v2h, v2l, lo32(b, i + 12), lo32(b, i + 8)); v2h = R[0]; v2l = R[1];
      round(v3h, v3l, lo32(b, i + 20), lo32(b, i + 16)); v3h = R[0]; v3l = R[1];
      round(v4h, v4l, lo32(b, i + 28), lo32(b, i + 24)); v4h = R[0]; v4l = R[1];
    }
    rotl(v1h, v1l, 1); h = R[0]; l = R[1];
    rotl(v2h, v2l, 7); add(h, l, R[0], R[1]); h = R[0]; l = R[1];
    rotl(v3h, v3l, 12); add(h, l, R[0], R[1]); h = R[0]; l = R[1];
    rotl(v4h, v4l, 18); add(h, l, R[0], R[1]); h = R[0]; l = R[1];
    for (const [vh, vl] of [[v1h, v1l], [v2h, v2l], [v3h, v3l], [v4h, v4l]] as const) {
      round(0, 0, vh, vl);
      h = (h ^ R[0]) >>> 0; l = (l ^ R[1]) >>> 0;
      mul(h, l, P1H, P1L); add(R[0], R[1], P4H, P4L); h = R[0]; l = R[1];
    }
  } else {
    h = P5H; l = P5L;
  }
  add(h, l, Math.floor(len / 0x100000000), len >>> 0); h = R[0]; l = R[1];
  for (; i + 8 <= len; i += 8) {
    round(0, 0, lo32(b, i + 4), lo32(b, i));
    h = (h ^ R[0]) >>> 0; l = (l ^ R[1]) >>> 0;
    rotl(h, l, 27); mul(R[0], R[1], P1H, P1L); add(R[0], R[1], P4H, P4L); h = R[0]; l = R[1];
  }
  if (i + 4 <= len) {
    mul(0, lo32(b, i), P1H, P1L);
    h = (h ^ R[0]) >>> 0; l = (l ^ R[1]) >>> 0;
    rotl(h, l, 23); mul(R[0], R[1], P2H, P2L); add(R[0], R[1], P3H, P3L); h = R[0]; l = R[1];
    i += 4;
  }
  for (; i < len; i++) {
    mul(0, b[i]!, P5H, P5L);
    h = (h ^ R[0]) >>> 0; l = (l ^ R[1]) >>> 0;
    rotl(h, l, 11); mul(R[0], R[1], P1H, P1L); h = R[0]; l = R[1];
  }
  // avalanche: acc ^= acc >> 33; acc *= P2; acc ^= acc >> 29; acc *= P3; acc ^= acc >> 32
  l = (l ^ (h >>> 1)) >>> 0;
  mul(h, l, P2H, P2L); h = R[0]; l = R[1];
  l = (l ^ ((l >>> 29) | (h << 3))) >>> 0; h = (h ^ (h >>> 29)) >>> 0;
  mul(h, l, P3H, P3L); h = R[0]; l = R[1];
  R[0] = h;
  R[1] = (l ^ h) >>> 0;
}

/** A 64-bit value as 16 lower-case hex digits (Envoy's Hex::uint64ToHex). */
export function uint64ToHex(value: bigint): string {
  return value.toString(16).padStart(16, '0');
}
