// Small plotting helpers shared by the explanatory views: decoding point maps, scales,
// ticks, axes and clipping a line to a box. Drawing goes to a canvas from vectorContext.

import { decodeGrid } from './heatmap.js';

/** Decode a list of maps {lo, hi, data} into {lo, hi, bytes}, reusing `slots`' buffers. */
export function decodeMaps(maps, slots) {
  return maps.map((m, k) => {
    slots[k] = decodeGrid(m.data, slots[k]);
    return { lo: m.lo, hi: m.hi, bytes: slots[k] };
  });
}

/** The logistic sigmoid. */
export const sigmoid = (t) => 1 / (1 + Math.exp(-t));

/** The log-odds of p. */
export const logit = (p) => Math.log(p / (1 - p));

/** A short number: 3 significant digits, exponent for tiny or huge values. */
export function fmt(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/** About `n` round tick values between lo and hi. */
export function ticks(lo, hi, n = 5) {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

/** A linear map of [d0, d1] onto [r0, r1]. */
export function scale(d0, d1, r0, r1) {
  const k = (r1 - r0) / (d1 - d0 || 1);
  const f = (v) => r0 + (v - d0) * k;
  f.invert = (p) => d0 + (p - r0) / k;
  return f;
}

/**
 * Where the line a·X + b·Y + d = 0 crosses the box [x0, x1]×[y0, y1]: two end points
 * [[X, Y], [X, Y]], or null when it misses the box.
 */
export function clipLine(a, b, d, [x0, x1, y0, y1]) {
  const pts = [];
  const add = (x, y) => {
    const ex = (x1 - x0) * 1e-9;
    const ey = (y1 - y0) * 1e-9;
    if (x < x0 - ex || x > x1 + ex || y < y0 - ey || y > y1 + ey) return;
    if (pts.some(([px, py]) => Math.abs(px - x) <= ex * 10 && Math.abs(py - y) <= ey * 10)) return;
    pts.push([x, y]);
  };
  if (Math.abs(b) > 1e-12) { add(x0, -(a * x0 + d) / b); add(x1, -(a * x1 + d) / b); }
  if (Math.abs(a) > 1e-12) { add(-(b * y0 + d) / a, y0); add(-(b * y1 + d) / a, y1); }
  return pts.length >= 2 ? [pts[0], pts[1]] : null;
}

/**
 * Draw axes on `ctx` for the plot rectangle r = {x, y, w, h}: a frame, ticks and their values,
 * and axis titles (user text goes in as canvas text, never as HTML).
 */
export function drawAxes(ctx, r, X, Y, [xlo, xhi], [ylo, yhi], { xTitle = '', yTitle = '', nx = 5, ny = 5 } = {}) {
  ctx.save();
  ctx.strokeStyle = '#e6e8ee';
  ctx.lineWidth = 1;
  ctx.font = '10.5px system-ui, sans-serif';
  ctx.fillStyle = '#5f6675';
  ctx.beginPath();
  const xt = ticks(xlo, xhi, nx);
  const yt = ticks(ylo, yhi, ny);
  for (const t of xt) { const px = Math.round(X(t)) + 0.5; ctx.moveTo(px, r.y); ctx.lineTo(px, r.y + r.h); }
  for (const t of yt) { const py = Math.round(Y(t)) + 0.5; ctx.moveTo(r.x, py); ctx.lineTo(r.x + r.w, py); }
  ctx.stroke();
  ctx.strokeStyle = '#c8ccd6';
  ctx.strokeRect(r.x + 0.5, r.y + 0.5, r.w - 1, r.h - 1);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of xt) ctx.fillText(fmt(t), X(t), r.y + r.h + 3);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of yt) ctx.fillText(fmt(t), r.x - 4, Y(t));
  ctx.fillStyle = '#1d2330';
  ctx.font = '11.5px system-ui, sans-serif';
  if (xTitle) {
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText(xTitle, r.x + r.w / 2, r.y + r.h + 30);
  }
  if (yTitle) {
    ctx.translate(r.x - 34, r.y + r.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText(yTitle, 0, 0);
  }
  ctx.restore();
}

/** Keep a range steady from frame to frame: grow at once, shrink slowly toward `target`. */
export function steady(prev, target, shrink = 0.08) {
  if (!prev) return target.slice();
  const lo = target[0] < prev[0] ? target[0] : prev[0] + (target[0] - prev[0]) * shrink;
  const hi = target[1] > prev[1] ? target[1] : prev[1] + (target[1] - prev[1]) * shrink;
  return [lo, hi];
}

/** Create an element with a class and (user-safe) text. */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
