// The 1-D sum of neurons drawn: each term v_j·h_j(x) as its own curve, the output bias, their
// sum and the network's output over the data; for two classes a second panel below with
// σ(sum) over the output's probability; the hand-building handles. Numbers: sums-model.js.

import { OKABE_ITO, classColor } from './colors.js';
import { clipTo, drawAxes, drawPoints, jitter, scale, sigmoid, strokeCurve, strokeSegment } from './draw.js';

/** One colour per neuron, no yellow (it vanishes on white). */
export const COLORS = [1, 4, 2, 3, 0, 5, 7].map((k) => OKABE_ITO[k]);
export const BIAS = '#8a90a0';
export const SUM = '#1d2330';
export const OUTPUT = '#b9a6dc';
const PAD = { l: 50, r: 14, t: 10, b: 38 };
const GAP = 34; // between the two panels of a two-class plot

/**
 * Draw the sum d (sums-model.sums) on ctx (w×h CSS px) over y range yr: opts = {binary,
 * shown(key), hover (neuron index or −1), points {x, y}, grid, xTitle, yTitle, classes,
 * handles: [{j, s, v}] or null}. Returns the plot {r, X, Y} and the handles' pixels, or null.
 */
export function drawSums(ctx, w, h, d, yr, opts) {
  const { binary, shown, hover, grid } = opts;
  const top = binary ? Math.round((h - PAD.t - PAD.b - GAP) * 0.62) : h - PAD.t - PAD.b;
  const r = { x: PAD.l, y: PAD.t, w: w - PAD.l - PAD.r, h: top };
  if (r.w < 40 || r.h < 40) return null;
  const X = scale(grid.x[0], grid.x[1], r.x, r.x + r.w);
  const Y = scale(yr[0], yr[1], r.y + r.h, r.y);
  drawAxes(ctx, r, X, Y, grid.x, yr, { xTitle: binary ? '' : opts.xTitle, yTitle: opts.yTitle });
  clipTo(ctx, r);
  const zero = Math.round(Y(0)) + 0.5;
  strokeSegment(ctx, [r.x, zero], [r.x + r.w, zero], '#9aa0ad', 1);
  if (!binary) points(ctx, opts.points, X, Y, false);
  const n = d.xs.length;
  const x = (k) => X(d.xs[k]);
  if (!binary && shown('out')) strokeCurve(ctx, n, x, (k) => Y(d.output[k]), OUTPUT, 7);
  if (shown('bias')) {
    ctx.setLineDash([8, 4]);
    strokeSegment(ctx, [r.x, Y(d.bias)], [r.x + r.w, Y(d.bias)], BIAS, 2);
    ctx.setLineDash([]);
  }
  d.comps.forEach((c, j) => {
    if (shown(`n${j}`)) strokeCurve(ctx, n, x, (k) => Y(c[k]), COLORS[j % COLORS.length], hover === j ? 4 : 2);
  });
  if (shown('sum')) strokeCurve(ctx, n, x, (k) => Y(d.sum[k]), SUM, 2, [5, 4]);
  const handles = opts.handles ? drawHandles(ctx, opts.handles, X, Y, hover) : null;
  ctx.restore();
  if (binary) drawProbability(ctx, d, r, X, h, opts);
  return { plot: { r, X, Y }, handles };
}

/** Two classes: the probability σ(sum) under the logit panel, with the points at 0 and 1. */
function drawProbability(ctx, d, top, X, h, opts) {
  const r = { x: top.x, y: top.y + top.h + GAP, w: top.w, h: h - PAD.b - (top.y + top.h + GAP) };
  const Y = scale(-0.08, 1.08, r.y + r.h, r.y);
  drawAxes(ctx, r, X, Y, opts.grid.x, [-0.08, 1.08], { xTitle: opts.xTitle, yTitle: `P(${opts.classes[1] ?? 1})`, ny: 2 });
  clipTo(ctx, r);
  points(ctx, opts.points, X, Y, true);
  const n = d.xs.length;
  const x = (k) => X(d.xs[k]);
  if (opts.shown('out')) strokeCurve(ctx, n, x, (k) => Y(d.output[k]), OUTPUT, 7);
  if (opts.shown('sum')) strokeCurve(ctx, n, x, (k) => Y(sigmoid(d.sum[k])), SUM, 2, [5, 4]);
  ctx.restore();
  ctx.fillStyle = '#5f6675';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'bottom';
  ctx.fillText('σ(sum) dashed over the network’s P (thick)', r.x + 4, r.y - 3);
}

/** The data: grey dots at their targets, or (two classes) class-coloured at 0 and 1, jittered. */
function points(ctx, { x, y }, X, Y, binary) {
  ctx.globalAlpha = binary ? 0.55 : 1;
  const fill = binary ? (i) => classColor(y[i], 2) : () => 'rgba(29, 35, 48, 0.28)';
  const at = binary ? (i) => y[i] + jitter(i) * 0.08 : (i) => y[i];
  drawPoints(ctx, x.length, (i) => X(x[i][0]), (i) => Y(at(i)), fill, { r: 2.4, every: Math.max(1, Math.floor(x.length / 600)) });
  ctx.globalAlpha = 1;
}

/** Hand mode: each neuron's step as a ● at (s, v/2) on its curve; returns where they are. */
function drawHandles(ctx, steps, X, Y, hover) {
  return steps.map(({ j, s, v }) => {
    const hx = X(s);
    const hy = Y(v / 2);
    ctx.fillStyle = COLORS[j % COLORS.length];
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(hx, hy, hover === j ? 7 : 5.5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    return { j, hx, hy };
  });
}
