// Heatmaps: a G×G grid of bytes painted as ImageData on a G×G canvas that CSS scales up.
// Row 0 of a grid is the lowest y, so it is painted at the bottom of the canvas.
// The same code paints the big output map and every neuron thumbnail. (The bytes
// themselves, decoded and quantised, are maps.js's.)

import { classColor, hexToRgb, outputLut, pack } from './colors.js';

const images = new WeakMap(); // canvas → { img, u32 }

function imageFor(canvas, w, h) {
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    images.delete(canvas);
  }
  let entry = images.get(canvas);
  if (!entry) {
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(w, h);
    entry = { ctx, img, u32: new Uint32Array(img.data.buffer) };
    images.set(canvas, entry);
  }
  return entry;
}

/** Allocate a canvas's w×h ImageData ahead of the first frame. */
export function prepareCanvas(canvas, w, h) {
  imageFor(canvas, w, h);
}

/** Paint a w×h byte grid through a 256-entry packed-colour lookup (row 0 at the bottom). */
export function paintGrid(canvas, bytes, w, h, lut) {
  const { ctx, img, u32 } = imageFor(canvas, w, h);
  for (let i = 0; i < h; i++) {
    const src = i * w;
    const dst = (h - 1 - i) * w;
    for (let j = 0; j < w; j++) u32[dst + j] = lut[bytes[src + j]];
  }
  ctx.putImageData(img, 0, 0);
}

/**
 * Paint K per-class probability grids: each cell takes the colour of its most probable
 * class, faded toward white as the prediction gets less sure (solid when `discretize`).
 */
export function paintClasses(canvas, channels, w, h, colors, discretize) {
  const { ctx, img, u32 } = imageFor(canvas, w, h);
  const K = channels.length;
  const rgb = colors.map(hexToRgb);
  // 32 confidence levels per class, precomputed
  const levels = rgb.map((c) => {
    const arr = new Uint32Array(33);
    for (let s = 0; s <= 32; s++) {
      const a = discretize ? 1 : 0.12 + 0.78 * (s / 32);
      arr[s] = pack([0, 1, 2].map((k) => Math.round(255 + (c[k] - 255) * a)));
    }
    return arr;
  });
  const scale = channels.map((ch) => (ch.hi - ch.lo) / 255);
  const floor = 1 / K;
  for (let i = 0; i < h; i++) {
    const src = i * w;
    const dst = (h - 1 - i) * w;
    for (let j = 0; j < w; j++) {
      let best = 0;
      let bestV = -Infinity;
      for (let k = 0; k < K; k++) {
        const v = channels[k].lo + scale[k] * channels[k].bytes[src + j];
        if (v > bestV) { bestV = v; best = k; }
      }
      const s = Math.max(0, Math.min(32, Math.round(((bestV - floor) / (1 - floor)) * 32)));
      u32[dst + j] = levels[best][s];
    }
  }
  ctx.putImageData(img, 0, 0);
}

/**
 * Paint an output map (one {lo, hi, bytes} per channel) the way the big map does: the most
 * probable class (multiclass), else the channel's colour table by task (info.task, yScale).
 */
export function paintOutput(canvas, channels, info, G, discretize = false) {
  const K = channels.length;
  if (info.task === 'multiclass') paintClasses(canvas, channels, G, G, channels.map((_, k) => classColor(k, K)), discretize);
  else paintGrid(canvas, channels[0].bytes, G, G, outputLut(info.task, channels[0], 0, 1, info.yScale, discretize));
}

const sizes = new WeakMap(); // canvas → [CSS width, CSS height], kept current by a ResizeObserver
const watcher = new ResizeObserver((entries) => {
  for (const e of entries) sizes.set(e.target, [e.target.clientWidth, e.target.clientHeight]);
});

/**
 * Prepare a canvas for vector drawing at its CSS size × devicePixelRatio; returns the
 * context scaled to CSS pixels and the CSS width and height. Sizes are cached (and kept
 * current by a ResizeObserver) so that drawing a frame never forces a layout.
 */
export function vectorContext(canvas) {
  let size = sizes.get(canvas);
  // a canvas last seen hidden (0 × 0, e.g. a card closed, then opened again) is measured now:
  // its observer reports the new size only after this draw
  if (!size || !size[0] || !size[1]) {
    if (!size) watcher.observe(canvas);
    size = [canvas.clientWidth, canvas.clientHeight];
    sizes.set(canvas, size);
  }
  const dpr = window.devicePixelRatio || 1;
  const w = size[0] || 1;
  const h = size[1] || 1;
  const W = Math.round(w * dpr);
  const H = Math.round(h * dpr);
  if (canvas.width !== W || canvas.height !== H) {
    canvas.width = W;
    canvas.height = H;
    images.delete(canvas);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h };
}

/** Forget a canvas's cached CSS size (after code changed its style size). */
export function resized(canvas) {
  sizes.delete(canvas);
}

/**
 * Draw a 1-D grid (bytes over x) as a curve filling the canvas; y spans [scaleLo, scaleHi].
 * Used for neuron thumbnails of 1-D data.
 */
export function paintCurve(canvas, bytes, lo, hi, scaleLo, scaleHi, color) {
  const { ctx, w, h } = vectorContext(canvas);
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = '#fbfbfd';
  ctx.fillRect(0, 0, w, h);
  const span = scaleHi - scaleLo || 1;
  const zero = h - ((0 - scaleLo) / span) * (h - 4) - 2;
  if (zero > 0 && zero < h) {
    ctx.strokeStyle = '#d5d8e0';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(0, zero);
    ctx.lineTo(w, zero);
    ctx.stroke();
  }
  const n = bytes.length;
  const s = (hi - lo) / 255;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (let j = 0; j < n; j++) {
    const v = lo + s * bytes[j];
    const x = (j / (n - 1 || 1)) * w;
    const y = h - ((v - scaleLo) / span) * (h - 4) - 2;
    if (j === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  }
  ctx.stroke();
}

/** A square map's cells per side: its own shape when the frame says it, else `fallback`. */
export function sideOf(m, fallback) {
  return m && m.shape ? m.shape[1] : fallback;
}
