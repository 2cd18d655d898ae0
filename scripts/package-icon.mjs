// Draws the extension icon (media/icon.png, 128×128) without any image library: a small signed-
// distance rasteriser with 4×4 supersampling, written out as PNG bytes (zlib from Node).
// The picture: a tape cassette's two reels joined by the tape, and a nabla (∇) above them.
// Usage: node scripts/package-icon.mjs [out.png]
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'media', 'icon.png');
const SIZE = 128;
const SS = 4;

// Signed distance helpers (negative inside).
const roundedBox = (x, y, cx, cy, hw, hh, r) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const ring = (x, y, cx, cy, r, w) => Math.abs(Math.hypot(x - cx, y - cy) - r) - w / 2;
const disc = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) - r;
const segment = (x, y, ax, ay, bx, by, w) => {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - dx * t, py - dy * t) - w / 2;
};
// Triangle pointing down (∇), as the intersection of three half-planes.
const nabla = (x, y, cx, top, w, h, stroke) => {
  const a = [cx - w / 2, top], b = [cx + w / 2, top], c = [cx, top + h];
  const edge = (p, q) => {
    const ex = q[0] - p[0], ey = q[1] - p[1];
    const len = Math.hypot(ex, ey);
    return ((x - p[0]) * ey - (y - p[1]) * ex) / len;
  };
  const inside = Math.max(edge(a, b), edge(b, c), edge(c, a)); // < 0 inside
  return Math.abs(inside) - stroke / 2;
};

const layers = [
  { color: [30, 58, 95], sdf: (x, y) => roundedBox(x, y, 64, 64, 60, 60, 22) },
  { color: [236, 240, 245], sdf: (x, y) => ring(x, y, 38, 78, 17, 7) },
  { color: [236, 240, 245], sdf: (x, y) => ring(x, y, 90, 78, 17, 7) },
  { color: [236, 240, 245], sdf: (x, y) => disc(x, y, 38, 78, 4.5) },
  { color: [236, 240, 245], sdf: (x, y) => disc(x, y, 90, 78, 4.5) },
  { color: [236, 240, 245], sdf: (x, y) => segment(x, y, 38, 98.5, 90, 98.5, 5) },
  { color: [255, 166, 43], sdf: (x, y) => nabla(x, y, 64, 22, 44, 34, 7) },
];

const rgba = Buffer.alloc(SIZE * SIZE * 4);
for (let py = 0; py < SIZE; py++) {
  for (let px = 0; px < SIZE; px++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const x = px + (sx + 0.5) / SS, y = py + (sy + 0.5) / SS;
        let c = null;
        for (const layer of layers) if (layer.sdf(x, y) <= 0) c = layer.color;
        if (c) { r += c[0]; g += c[1]; b += c[2]; a += 1; }
      }
    }
    const i = (py * SIZE + px) * 4;
    const n = SS * SS;
    rgba[i] = a ? Math.round(r / a) : 0;
    rgba[i + 1] = a ? Math.round(g / a) : 0;
    rgba[i + 2] = a ? Math.round(b / a) : 0;
    rgba[i + 3] = Math.round((255 * a) / n);
  }
}

// PNG: signature, IHDR, IDAT (filter byte 0 per row), IEND; CRC-32 over type + data.
const crcTable = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) rgba.copy(raw, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
