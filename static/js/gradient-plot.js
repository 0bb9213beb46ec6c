// The slow-motion step's pictures: on the card's map, the line after the step (dashed) and
// the arrows from the line now to it; beside it, the neuron's δ map as −δ (purple: the step
// pushes z up, orange: down) with the training points whose δ it gives (or, for regression,
// the training points coloured by their own δ). Geometry is gradient-model.js's.

import { css, diverging, lut } from './colors.js';
import { paintCurve, paintGrid, vectorContext } from './heatmap.js';
import { drawPoints, mappers, strokeSegment } from './draw.js';
import { symmetricBytes } from './card-model.js';

const INK = '#1d2330';
const STEP = '#009e73'; // the step: Okabe–Ito green, apart from the classes' orange and purple

/** An arrow from s to e (px) in `color`; nothing when it is shorter than a pixel. */
function arrow(ctx, s, e, color) {
  const len = Math.hypot(e[0] - s[0], e[1] - s[1]);
  if (len < 1) return;
  const [ux, uy] = [(e[0] - s[0]) / len, (e[1] - s[1]) / len];
  const head = Math.min(7, len * 0.6);
  strokeSegment(ctx, s, [e[0] - ux * head * 0.8, e[1] - uy * head * 0.8], color, 2.2);
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.moveTo(e[0], e[1]);
  ctx.lineTo(e[0] - ux * head - uy * head * 0.6, e[1] - uy * head + ux * head * 0.6);
  ctx.lineTo(e[0] - ux * head + uy * head * 0.6, e[1] - uy * head - ux * head * 0.6);
  ctx.closePath();
  ctx.fill();
}

/** The step on the card's overlay ctx: the line after (dashed) and the arrows, from stepGeometry or cutGeometry. */
export function drawStep(ctx, geo, h, oneD) {
  ctx.save();
  ctx.setLineDash([7, 5]);
  ctx.lineCap = 'round';
  if (oneD) strokeSegment(ctx, [geo.next, 0], [geo.next, h], STEP, 2.2, 5);
  else if (geo.next) strokeSegment(ctx, geo.next[0], geo.next[1], STEP, 2.2, 5);
  ctx.setLineDash([]);
  for (const [s, e] of geo.arrows) arrow(ctx, s, e, STEP);
  ctx.restore();
}

/**
 * The δ picture on canvas + overlay: push = gradient-model.pushOf(…) ({map, dots, M}), grid
 * the answer's grid, points the answer's training points, cls the class shown (null: regression).
 */
export function paintDelta(canvas, overlay, push, grid, points, cls) {
  const oneD = grid.y === null;
  const G = grid.size;
  const { M } = push;
  if (oneD) paintCurve(canvas, push.map ? symmetricBytes(push.map, M) : new Uint8Array(0), -M, M, -M, M, INK);
  else if (push.map) paintGrid(canvas, symmetricBytes(push.map, M), G, G, lut('diverging', -M, M, -M, M));
  else { canvas.width = 1; canvas.height = 1; const c = canvas.getContext('2d'); c.fillStyle = '#fbfbfd'; c.fillRect(0, 0, 1, 1); }
  const { ctx, w, h } = vectorContext(overlay);
  ctx.clearRect(0, 0, w, h);
  const { X, Y } = mappers({ x: grid.x, y: grid.y }, G, w, h);
  const yOf = oneD ? (i) => h - ((push.dots[i] + M) / (2 * M)) * (h - 4) - 2 : (i) => Y(points.x[i][1]);
  const n = push.dots.length;
  const mine = (i) => cls === null || points.y[i] === cls;
  const idx = Array.from({ length: n }, (_, i) => i).filter(mine);
  const fill = cls === null ? (i) => css(diverging(0.5 + 0.5 * (push.dots[i] / M))) : () => INK;
  drawPoints(ctx, idx.length, (k) => X(points.x[idx[k]][0]), (k) => yOf(idx[k]), (k) => fill(idx[k]),
    { r: cls === null ? 3 : 2, ring: cls === null ? INK : '#fff', width: 0.8 });
}
