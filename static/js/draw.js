// The drawing kit: scales (data ↔ pixels, ticks, ranges that stay steady), geometry (a line
// clipped to a box, the level lines of a grid, jitter) and strokes on a canvas context passed
// in (axes, polylines, points, segments). Colours are colors.js's; painting grids, heatmap.js's.
// No DOM: everything here is numbers in, numbers (or strokes on `ctx`) out.

import { targetColor } from './colors.js';
import { fmtShort } from './format.js';

// ---------------------------------------------------------------- scales

/** The drawn extent of a grid of G cells over range [a, b]: half a cell beyond each end. */
export function extent(range, G) {
  const d = (range[1] - range[0]) / Math.max(1, G - 1);
  return [range[0] - d / 2, range[1] + d / 2];
}

/** Data → CSS pixel mappers for a w×h map of G cells over info.x, info.y (1-D: y over 0…1). */
export function mappers(info, G, w, h) {
  const [x0, x1] = extent(info.x, G);
  const [y0, y1] = info.y ? extent(info.y, G) : [0, 1];
  return {
    X: (v) => ((v - x0) / (x1 - x0)) * w,
    Y: (v) => h - ((v - y0) / (y1 - y0)) * h,
    x0, x1, y0, y1,
  };
}

/** A linear map of [d0, d1] onto [r0, r1], with its inverse as `.invert`. */
export function scale(d0, d1, r0, r1) {
  const k = (r1 - r0) / (d1 - d0 || 1);
  const f = (v) => r0 + (v - d0) * k;
  f.invert = (p) => d0 + (p - r0) / k;
  return f;
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

/** Keep a range steady from frame to frame: grow at once, shrink slowly toward `target`. */
export function steady(prev, target, shrink = 0.08) {
  if (!prev) return target.slice();
  const lo = target[0] < prev[0] ? target[0] : prev[0] + (target[0] - prev[0]) * shrink;
  const hi = target[1] > prev[1] ? target[1] : prev[1] + (target[1] - prev[1]) * shrink;
  return [lo, hi];
}

/** [a, b] widened by `share` of its span at each end (by `empty` when it has none). */
export function padded([a, b], share, empty) {
  const d = (b - a) * share || empty;
  return [a - d, b + d];
}

/** `into` = [lo, hi] grown to take in every value of the given arrays. */
export function span(into, ...arrays) {
  for (const arr of arrays) {
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (v < into[0]) into[0] = v;
      if (v > into[1]) into[1] = v;
    }
  }
  return into;
}

// ---------------------------------------------------------------- geometry

/** The logistic sigmoid. */
export const sigmoid = (t) => 1 / (1 + Math.exp(-t));

/** The log-odds of p. */
export const logit = (p) => Math.log(p / (1 - p));

/** A fixed pseudo-random offset in [−0.5, 0.5) for point i (points on one level spread out). */
export function jitter(i) {
  return ((i * 2654435761) % 1000) / 1000 - 0.5;
}

/**
 * Where the line a·X + b·Y + d = 0 crosses the box [x0, x1, y0, y1]: two end points
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
 * The segments where a G×G grid of values (row 0 = lowest y) crosses `level`, in grid
 * coordinates (j along x, i along y, cell centres at integers): [[j0, i0, j1, i1], …].
 */
export function contour(values, G, level) {
  const segs = [];
  const v = (i, j) => values[i * G + j] - level;
  const lerp = (a, b) => (a === b ? 0.5 : a / (a - b));
  for (let i = 0; i < G - 1; i++) {
    for (let j = 0; j < G - 1; j++) {
      const a = v(i, j);
      const b = v(i, j + 1);
      const c = v(i + 1, j + 1);
      const d = v(i + 1, j);
      const pts = [];
      if ((a > 0) !== (b > 0)) pts.push([j + lerp(a, b), i]);
      if ((b > 0) !== (c > 0)) pts.push([j + 1, i + lerp(b, c)]);
      if ((c > 0) !== (d > 0)) pts.push([j + 1 - lerp(c, d), i + 1]);
      if ((d > 0) !== (a > 0)) pts.push([j, i + 1 - lerp(d, a)]);
      if (pts.length === 2) segs.push([...pts[0], ...pts[1]]);
      else if (pts.length === 4) segs.push([...pts[0], ...pts[1]], [...pts[2], ...pts[3]]);
    }
  }
  return segs;
}

// ---------------------------------------------------------------- strokes

/** Add the polyline through (x(k), y(k)), k = 0 … n−1, to ctx's current path. */
export function polyline(ctx, n, x, y) {
  for (let k = 0; k < n; k++) {
    if (k) ctx.lineTo(x(k), y(k)); else ctx.moveTo(x(k), y(k));
  }
}

/** Stroke the polyline through (x(k), y(k)) in `color`, `width` px, dashed by `dash`. */
export function strokeCurve(ctx, n, x, y, color, width, dash = []) {
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.setLineDash(dash);
  ctx.beginPath();
  polyline(ctx, n, x, y);
  ctx.stroke();
  ctx.setLineDash([]);
}

/** Stroke the segment p → q (CSS px), with a white halo under it when `halo` > 0 px. */
export function strokeSegment(ctx, p, q, color, width, halo = 0) {
  ctx.beginPath();
  ctx.moveTo(p[0], p[1]);
  ctx.lineTo(q[0], q[1]);
  if (halo) {
    ctx.strokeStyle = 'rgba(255,255,255,.9)';
    ctx.lineWidth = halo;
    ctx.stroke();
  }
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.stroke();
}

/** Stroke contour segments (grid coordinates of a G×G map) over a w×h CSS-px canvas. */
export function strokeSegments(ctx, segs, G, w, h, color, width) {
  const sx = w / G;
  const sy = h / G;
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  for (const [j0, i0, j1, i1] of segs) {
    ctx.moveTo((j0 + 0.5) * sx, h - (i0 + 0.5) * sy);
    ctx.lineTo((j1 + 0.5) * sx, h - (i1 + 0.5) * sy);
  }
  ctx.stroke();
}

/**
 * Draw points i = 0, every, 2·every … < n at (x(i), y(i)) CSS px, filled with fill(i), ringed
 * in `ring` (none when null) `width` px wide, of radius r.
 */
export function drawPoints(ctx, n, x, y, fill, { r, ring = null, width = 1, every = 1 }) {
  if (ring) {
    ctx.strokeStyle = ring;
    ctx.lineWidth = width;
  }
  for (let i = 0; i < n; i += every) {
    ctx.fillStyle = fill(i);
    ctx.beginPath();
    ctx.arc(x(i), y(i), r, 0, 2 * Math.PI);
    ctx.fill();
    if (ring) ctx.stroke();
  }
}

/** The data points (an even sample of at most `max`) over a w×h map of G cells, by target. */
export function scatterOnMap(ctx, info, points, G, w, h, r, max) {
  if (!points || !points.x || info.oneD) return;
  const { X, Y } = mappers(info, G, w, h);
  const color = targetColor(info.task, info.classes ? info.classes.length : 0, info.yScale);
  const { x, y } = points;
  drawPoints(ctx, x.length, (i) => X(x[i][0]), (i) => Y(x[i][1]), (i) => color(y[i]),
    { r, ring: '#fff', width: 0.8, every: Math.max(1, Math.ceil(x.length / max)) });
}

/**
 * Draw axes on `ctx` for the plot rectangle r = {x, y, w, h}: grid lines, a frame, tick
 * values and axis titles (user text goes in as canvas text, never as HTML).
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
  for (const t of xt) ctx.fillText(fmtShort(t), X(t), r.y + r.h + 3);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of yt) ctx.fillText(fmtShort(t), r.x - 4, Y(t));
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

/** Clip drawing to the rectangle r = {x, y, w, h} until ctx.restore(). */
export function clipTo(ctx, r) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(r.x, r.y, r.w, r.h);
  ctx.clip();
}

/** The index of the step in sorted `steps` nearest to `step`. */
export function nearestIndex(steps, step) {
  let lo = 0;
  let hi = steps.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (steps[mid] <= step) lo = mid; else hi = mid;
  }
  return Math.abs(steps[hi] - step) < Math.abs(step - steps[lo]) ? hi : lo;
}
