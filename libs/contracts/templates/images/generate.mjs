#!/usr/bin/env node
// Draws the image-boxes template's sample street scenes as PNG files beside this script, using only
// node:zlib: flat-coloured cars, people and bicycles on a road, deterministic byte for byte.
//
//   node libs/contracts/templates/images/generate.mjs          writes street-01.png … street-06.png
//   node libs/contracts/templates/images/generate.mjs --boxes  also prints each scene's boxes as fractions,
//                                                              the gold answers in ../image-boxes.ndjson
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const WIDTH = 320;
const HEIGHT = 240;
const here = dirname(fileURLToPath(import.meta.url));

/* ---------- PNG encoding (8-bit RGB, no filter) ---------- */

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function encodePng(pixels) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(WIDTH, 0);
  ihdr.writeUInt32BE(HEIGHT, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const raw = Buffer.alloc((WIDTH * 3 + 1) * HEIGHT);
  for (let y = 0; y < HEIGHT; y++)
    pixels.copy(raw, y * (WIDTH * 3 + 1) + 1, y * WIDTH * 3, (y + 1) * WIDTH * 3);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/* ---------- Drawing ---------- */

function canvas() {
  return Buffer.alloc(WIDTH * HEIGHT * 3);
}

function setPixel(px, x, y, [r, g, b]) {
  if (x < 0 || y < 0 || x >= WIDTH || y >= HEIGHT) return;
  const i = (y * WIDTH + x) * 3;
  px[i] = r;
  px[i + 1] = g;
  px[i + 2] = b;
}

function rect(px, x0, y0, w, h, colour) {
  for (let y = Math.round(y0); y < Math.round(y0 + h); y++)
    for (let x = Math.round(x0); x < Math.round(x0 + w); x++) setPixel(px, x, y, colour);
}

function disc(px, cx, cy, r, colour, inner = 0) {
  for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
    for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      if (d <= r && d >= inner) setPixel(px, x, y, colour);
    }
  }
}

function line(px, x0, y0, x1, y1, thickness, colour) {
  const steps = Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 2);
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    disc(px, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, thickness / 2, colour);
  }
}

/* ---------- Scene objects; each draws itself and returns its box in pixels ---------- */

const WHEEL = [30, 30, 34];

/** A car seen from the side, `x, y` its top-left corner, facing right or left. */
function car(px, { x, y, w = 90, colour, facing = 'right' }) {
  const h = w * 0.42;
  const bodyTop = y + h * 0.38;
  rect(px, x, bodyTop, w, h * 0.42, colour);
  const cabinX = facing === 'right' ? x + w * 0.18 : x + w * 0.3;
  rect(px, cabinX, y, w * 0.52, h * 0.4, colour);
  rect(px, cabinX + w * 0.04, y + h * 0.07, w * 0.2, h * 0.28, [190, 220, 235]);
  rect(px, cabinX + w * 0.28, y + h * 0.07, w * 0.2, h * 0.28, [190, 220, 235]);
  const r = h * 0.2;
  disc(px, x + w * 0.22, y + h - r, r, WHEEL);
  disc(px, x + w * 0.78, y + h - r, r, WHEEL);
  disc(px, x + w * 0.22, y + h - r, r * 0.4, [150, 150, 155]);
  disc(px, x + w * 0.78, y + h - r, r * 0.4, [150, 150, 155]);
  return { x, y, width: w, height: h, label: 'car' };
}

/** A standing person, `x, y` the top of the head's box, `h` their height. */
function person(px, { x, y, h = 60, shirt, trousers = [40, 45, 70] }) {
  const w = h * 0.3;
  const cx = x + w / 2;
  const head = h * 0.09;
  disc(px, cx, y + head, head, [224, 172, 136]);
  rect(px, x, y + head * 2, w, h * 0.42, shirt); // torso with arms
  rect(px, x + w * 0.15, y + head * 2 + h * 0.42, w * 0.3, h - head * 2 - h * 0.42, trousers);
  rect(px, x + w * 0.55, y + head * 2 + h * 0.42, w * 0.3, h - head * 2 - h * 0.42, trousers);
  return { x, y, width: w, height: h, label: 'person' };
}

/** A bicycle seen from the side, `x, y` its box's top-left corner. */
function bicycle(px, { x, y, w = 64, colour }) {
  const r = w * 0.22;
  const h = w * 0.62;
  const rear = [x + r, y + h - r];
  const front = [x + w - r, y + h - r];
  disc(px, rear[0], rear[1], r, WHEEL, r - 3);
  disc(px, front[0], front[1], r, WHEEL, r - 3);
  const crank = [x + w * 0.45, y + h - r];
  const seat = [x + w * 0.38, y + h * 0.22];
  const bars = [x + w * 0.72, y + h * 0.12];
  line(px, rear[0], rear[1], crank[0], crank[1], 3, colour);
  line(px, rear[0], rear[1], seat[0], seat[1], 3, colour);
  line(px, seat[0], seat[1], crank[0], crank[1], 3, colour);
  line(px, seat[0], seat[1] + 4, bars[0], bars[1] + 6, 3, colour);
  line(px, crank[0], crank[1], bars[0], bars[1] + 6, 3, colour);
  line(px, bars[0], bars[1], front[0], front[1], 3, colour);
  rect(px, seat[0] - 6, seat[1] - 3, 12, 3, [20, 20, 20]);
  rect(px, bars[0] - 2, bars[1] - 2, 9, 3, [20, 20, 20]);
  return { x, y, width: w, height: h, label: 'bicycle' };
}

function street(px, { sky = [150, 200, 235], horizon = 110, road = [95, 95, 100], verge = [110, 160, 90] }) {
  for (let y = 0; y < horizon; y++) {
    const t = y / horizon; // a gentle gradient, lighter towards the horizon
    rect(
      px,
      0,
      y,
      WIDTH,
      1,
      sky.map((c) => Math.round(c + (255 - c) * t * 0.35)),
    );
  }
  rect(px, 0, horizon, WIDTH, 30, verge);
  rect(px, 0, horizon + 30, WIDTH, 10, [170, 170, 165]); // pavement
  rect(px, 0, horizon + 40, WIDTH, HEIGHT - horizon - 40, road);
  for (let x = 8; x < WIDTH; x += 48)
    rect(px, x, horizon + 40 + (HEIGHT - horizon - 40) / 2, 26, 4, [235, 235, 225]);
}

/** Each scene: its file name, its backdrop and its objects, back to front. */
const SCENES = [
  {
    file: 'street-01.png',
    backdrop: {},
    objects: [
      [car, { x: 30, y: 170, w: 110, colour: [200, 40, 40] }],
      [person, { x: 230, y: 95, h: 64, shirt: [40, 110, 200] }],
    ],
  },
  {
    file: 'street-02.png',
    backdrop: { sky: [120, 170, 215] },
    objects: [
      [car, { x: 12, y: 160, w: 96, colour: [30, 90, 170] }],
      [car, { x: 180, y: 176, w: 120, colour: [240, 200, 40], facing: 'left' }],
      [bicycle, { x: 128, y: 112, w: 60, colour: [20, 140, 80] }],
    ],
  },
  {
    file: 'street-03.png',
    backdrop: { verge: [95, 140, 80] },
    objects: [
      [person, { x: 40, y: 88, h: 70, shirt: [220, 120, 30] }],
      [person, { x: 70, y: 92, h: 66, shirt: [120, 60, 160] }],
      [bicycle, { x: 150, y: 170, w: 72, colour: [200, 30, 120] }],
    ],
  },
  {
    file: 'street-04.png',
    backdrop: { sky: [70, 90, 140], road: [70, 70, 78] },
    objects: [[car, { x: 100, y: 165, w: 130, colour: [230, 230, 235] }]],
  },
  {
    file: 'street-05.png',
    backdrop: {},
    objects: [
      [bicycle, { x: 20, y: 168, w: 66, colour: [30, 30, 160] }],
      [person, { x: 260, y: 90, h: 72, shirt: [30, 160, 150] }],
      [car, { x: 120, y: 182, w: 100, colour: [60, 60, 60] }],
    ],
  },
  {
    file: 'street-06.png',
    backdrop: { sky: [200, 170, 150] },
    objects: [],
  },
];

const printBoxes = process.argv.includes('--boxes');
for (const scene of SCENES) {
  const px = canvas();
  street(px, scene.backdrop);
  const boxes = scene.objects.map(([draw, opts]) => draw(px, opts));
  writeFileSync(join(here, scene.file), encodePng(px));
  if (printBoxes) {
    const round = (v) => Math.round(v * 10_000) / 10_000;
    const fractions = boxes.map((b) => ({
      x: round(b.x / WIDTH),
      y: round(b.y / HEIGHT),
      width: round(b.width / WIDTH),
      height: round(b.height / HEIGHT),
      label: b.label,
    }));
    console.log(JSON.stringify({ file: scene.file, objects: fractions }));
  }
}
