// productpage's static assets. The original ships `static/img/izzy.png` (the avatar shown next
// to reviews); this one draws a small avatar PNG in code instead of shipping Istio's image.
import zlib from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typeAndData) >>> 0);
  return Buffer.concat([length, typeAndData, crc]);
}

/** A `size`×`size` RGBA PNG of a blue disc with a lighter ring: the stand-in for izzy.png. */
export function avatarPng(size = 64): Buffer {
  const rows: Buffer[] = [];
  const centre = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA pixels
    for (let x = 0; x < size; x++) {
      const distance = Math.hypot(x - centre, y - centre) / (size / 2);
      const offset = 1 + x * 4;
      if (distance <= 1) {
        const ring = distance > 0.8;
        row[offset] = ring ? 0x93 : 0x46;
        row[offset + 1] = ring ? 0xc5 : 0x6b;
        row[offset + 2] = ring ? 0xfd : 0xb0;
        row[offset + 3] = 0xff;
      }
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
