// Small plotting helpers shared by the neuron card and the logistic-regression comparison:
// the data-to-pixel mapping of a map, the data points over it, an output map from numbers,
// and the level line of a grid (marching squares).

import { classColor, css, lut, rampLut, sequential } from './colors.js';
import { paintClasses, paintGrid } from './heatmap.js';

/** The drawn extent of a grid of G cells over range [a, b]: half a cell beyond each end. */
export function extent(range, G) {
  const d = (range[1] - range[0]) / Math.max(1, G - 1);
  return [range[0] - d / 2, range[1] + d / 2];
}

/** Data → CSS pixel mappers for a w×h map of G cells over info.x, info.y. */
export function mappers(info, G, w, h) {
  const [x0, x1] = extent(info.x, G);
  const [y0, y1] = info.y ? extent(info.y, G) : [0, 1];
  return {
    X: (v) => ((v - x0) / (x1 - x0)) * w,
    Y: (v) => h - ((v - y0) / (y1 - y0)) * h,
    x0, x1, y0, y1,
  };
}

/** Draw the training points (a sample of at most `max`) on a 2-D map. */
export function scatter(ctx, info, points, G, w, h, r = 2.2, max = 600) {
  if (!points || !points.x || info.oneD) return;
  const { X, Y } = mappers(info, G, w, h);
  const K = info.classes ? info.classes.length : 0;
  const n = points.x.length;
  const every = Math.max(1, Math.ceil(n / max));
  ctx.lineWidth = 0.8;
  ctx.strokeStyle = '#fff';
  for (let i = 0; i < n; i += every) {
    const t = points.y[i];
    ctx.fillStyle = info.task === 'regression'
      ? css(sequential((t - info.yScale[0]) / (info.yScale[1] - info.yScale[0] || 1)))
      : classColor(t, K);
    ctx.beginPath();
    ctx.arc(X(points.x[i][0]), Y(points.x[i][1]), r, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}

/** Quantise a G×G array of rows of numbers (row 0 = lowest y) into bytes with lo/hi. */
export function toBytes(rows, lo, hi) {
  const G = rows.length;
  const W = rows[0].length;
  const bytes = new Uint8Array(G * W);
  const s = 255 / (hi - lo || 1);
  for (let i = 0; i < G; i++) {
    for (let j = 0; j < W; j++) {
      const v = rows[i][j];
      bytes[i * W + j] = Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round((v - lo) * s))) : 0;
    }
  }
  return { lo, hi, bytes };
}

/** Paint an output map ({lo, hi, bytes} per channel) the way the big map does. */
export function paintOutput(canvas, channels, info, G) {
  if (info.task === 'multiclass') {
    paintClasses(canvas, channels, G, G, info.classes.map((_, k) => classColor(k, info.classes.length)), false);
  } else if (info.task === 'regression') {
    const m = channels[0];
    paintGrid(canvas, m.bytes, G, G, lut('sequential', m.lo, m.hi, info.yScale[0], info.yScale[1]));
  } else {
    const m = channels[0];
    paintGrid(canvas, m.bytes, G, G, lut('diverging', m.lo, m.hi, 0, 1));
  }
}

/** A channel's colour ramp (for one softmax output on its own). */
export function channelLut(k, K, m) {
  return rampLut(classColor(k, K), m.lo, m.hi);
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
