// The hidden space drawn: the output as a shaded background, the input grid's lines carried
// into the space, the output's boundary P = 0.5 with its probability contours (or lines of
// equal prediction), and the points. Numbers: hidden-model.js; strokes: the drawing kit.

import { classColor, lut } from './colors.js';
import { paintClasses, paintGrid } from './heatmap.js';
import { clipLine, drawPoints, logit, polyline, strokeSegment } from './draw.js';
import { fmtShort } from './format.js';
import { outputGrid } from './hidden-model.js';

const LEVELS = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9]; // probability contours beside P = 0.5
const BG = 56; // background cells per side
const GRID_EVERY = 4; // draw every 4th row and column of the neuron grid

/**
 * Shade the plot rectangle r with the output over the box (g: hidden-model.outputAffine),
 * painted through `bg` (a spare canvas; `bytes` its reusable buffers): probability, most
 * probable class, or predicted value (o = {task, target, values: [lo, hi], K}).
 */
export function paintBackground(ctx, r, box, g, bg, bytes, o) {
  const channels = outputGrid(g, box, BG, o.task, o.target, o.values, bytes);
  const [lo, hi] = o.values;
  if (o.task === 'binary') paintGrid(bg, channels[0], BG, BG, lut('diverging', 0, 1, 0, 1));
  else if (o.task === 'regression') paintGrid(bg, channels[0], BG, BG, lut('sequential', lo, hi, lo, hi));
  else paintClasses(bg, channels.map((b) => ({ lo: 0, hi: 1, bytes: b })), BG, BG, Array.from({ length: o.K }, (_, k) => classColor(k, o.K)), false);
  ctx.save();
  ctx.globalAlpha = o.task === 'regression' ? 0.45 : 0.55;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(bg, r.x, r.y, r.w, r.h);
  ctx.restore();
}

/** Buffers for paintBackground: 8 channels of BG×BG bytes. */
export function backgroundBytes() {
  return Array.from({ length: 8 }, () => new Uint8Array(BG * BG));
}

/** The input grid carried into the space: cells (g×g projected) as rows and columns, or 1-D one curve. */
export function drawGrid(ctx, cells, g, oneD, X, Y) {
  const { X: cx, Y: cy } = cells;
  ctx.beginPath();
  if (oneD) { // the input line's image: one curve
    polyline(ctx, cx.length, (j) => X(cx[j]), (j) => Y(cy[j]));
    ctx.strokeStyle = 'rgba(40, 48, 66, 0.5)';
    ctx.lineWidth = 1.5;
    ctx.stroke();
    return;
  }
  const lines = gridLines(g);
  for (const i of lines) polyline(ctx, g, (j) => X(cx[i * g + j]), (j) => Y(cy[i * g + j])); // rows: constant input y
  for (const j of lines) polyline(ctx, g, (i) => X(cx[i * g + j]), (i) => Y(cy[i * g + j])); // columns: constant input x
  ctx.lineWidth = 1;
  ctx.strokeStyle = 'rgba(40, 48, 66, 0.22)';
  ctx.stroke();
}

/** The rows (and columns) of a g×g grid that drawGrid draws: every 4th, and the last. */
export function gridLines(g) {
  const lines = [];
  for (let k = 0; k < g; k += GRID_EVERY) lines.push(k);
  if (lines[lines.length - 1] !== g - 1) lines.push(g - 1);
  return lines;
}

/** The cells of a g×g grid (row-major) on the lines drawGrid draws; all g for a 1-D line. */
export function drawnCells(g, oneD) {
  if (oneD) return Array.from({ length: g }, (_, j) => j);
  const on = new Set(gridLines(g));
  const cells = [];
  for (let i = 0; i < g; i++) for (let j = 0; j < g; j++) if (on.has(i) || on.has(j)) cells.push(i * g + j);
  return cells;
}

const at = (X, Y, seg) => [[X(seg[0][0]), Y(seg[0][1])], [X(seg[1][0]), Y(seg[1][1])]];

/** The boundary P = 0.5 (solid) and, with `contours`, P = 0.1 … 0.9 (dashed); returns its ends. */
export function drawBoundary(ctx, box, { gx, gy, g0 }, X, Y, contours) {
  if (contours) {
    ctx.setLineDash([4, 4]);
    for (const p of LEVELS) {
      const seg = clipLine(gx, gy, g0 - logit(p), box);
      if (seg) strokeSegment(ctx, ...at(X, Y, seg), p < 0.5 ? 'rgba(230, 97, 1, 0.75)' : 'rgba(94, 60, 153, 0.75)', 1);
    }
    ctx.setLineDash([]);
  }
  const seg = clipLine(gx, gy, g0, box);
  if (!seg) return null;
  const [p, q] = at(X, Y, seg);
  strokeSegment(ctx, p, q, '#fff', 5);
  strokeSegment(ctx, p, q, '#1d2330', 2.2);
  return seg;
}

/** Regression: dashed lines of equal predicted value, five across the targets' [lo, hi], labelled. */
export function drawLevels(ctx, box, { gx, gy, g0 }, X, Y, target, [lo, hi]) {
  ctx.setLineDash([4, 4]);
  ctx.font = '10px system-ui, sans-serif';
  ctx.fillStyle = '#1d2330';
  const labels = [];
  for (let k = 1; k < 6; k++) {
    const val = lo + ((hi - lo) * k) / 6;
    const seg = clipLine(gx, gy, g0 - (val - target.mean) / target.std, box);
    if (!seg) continue;
    strokeSegment(ctx, ...at(X, Y, seg), 'rgba(29, 35, 48, 0.55)', 1);
    const end = Y(seg[0][1]) < Y(seg[1][1]) ? seg[0] : seg[1]; // label the upper end
    const pos = [X(end[0]) + 3, Y(end[1]) + 11];
    if (labels.every(([x, y]) => Math.hypot(x - pos[0], y - pos[1]) > 34)) { labels.push(pos); ctx.fillText(fmtShort(val), pos[0], pos[1]); }
  }
  ctx.setLineDash([]);
}

/** The points of each set [[name, ring colour]] in P ({X, Y} per set), coloured by color(label). */
export function drawSets(ctx, sets, P, labels, color, X, Y) {
  for (const [name, ring] of sets) {
    const { X: px, Y: py } = P[name];
    const ys = labels[name];
    drawPoints(ctx, px.length, (i) => X(px[i]), (i) => Y(py[i]), (i) => color(ys[i]), { r: 3.6, ring, width: name === 'test' ? 1.4 : 1 });
  }
}
