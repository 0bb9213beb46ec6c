// The neuron card's pictures: the neuron's map large, with the data over it, its line
// w·x + b = 0 and the arrow of w (a first-layer neuron on the view features themselves) or
// the level line of its map where its sum is 0; and a deeper neuron's breakdown, one tile
// per term w_j·h_j, the bias and their sum, on one colour scale. `card` carries what they
// draw: {ref, neuron (card-model.neuronOf), info, net, model, points, p (its weight layer)}.

import { activationScale, css, diverging, lut, outputLut } from './colors.js';
import { paintCurve, paintGrid, sideOf, vectorContext } from './heatmap.js';
import { gridValues } from './maps.js';
import { clipLine, contour, mappers, scatterOnMap, strokeSegment, strokeSegments } from './draw.js';
import { fmtNum } from './format.js';
import { actWords, breakdown, curvedInputs, rawLine, scaleNote, symmetricBytes, zeroLevel } from './card-model.js';
import { viewText } from './vocabulary.js';

const INK = '#1d2330';
const W_BLUE = '#0072b2';

/** Neuron card.ref's map: {lo, hi, bytes, G}, or null. */
export function ownMap({ ref, neuron, info }, grids) {
  const m = neuron.isOutput ? grids.output[ref.index] : grids.neurons[ref.layer - 1] && grids.neurons[ref.layer - 1][ref.index];
  return m ? { ...m, G: sideOf(m, neuron.isOutput ? info.G : info.g) } : null;
}

/** The colour scale [lo, hi] of the neuron's own map m. */
function valueScale({ neuron, info }, m) {
  if (!neuron.isOutput) return activationScale(neuron.act, m.lo, m.hi);
  return actWords(neuron.act).symbol ? [0, 1] : info.yScale;
}

/** Draw the neuron's map on `canvas` and what goes over it on `overlay`; returns its caption. */
export function drawNeuronMap(canvas, overlay, card, grids) {
  const { info, neuron, ref, net } = card;
  const m = ownMap(card, grids);
  const { ctx, w, h } = vectorContext(overlay);
  ctx.clearRect(0, 0, w, h);
  if (!m) return '';
  if (info.oneD) {
    const [a, b] = valueScale(card, m);
    paintCurve(canvas, m.bytes, m.lo, m.hi, a, b, INK);
  } else {
    const table = neuron.isOutput ? outputLut(info.task, m, ref.index, net.sizes[ref.layer], info.yScale) : lut('diverging', m.lo, m.hi, ...valueScale(card, m));
    paintGrid(canvas, m.bytes, m.G, m.G, table);
    scatterOnMap(ctx, info, card.points && card.points.train, m.G, w, h, 2, 500);
  }
  const sigmoidLike = zeroLevel(neuron) === 0.5;
  const line = ref.layer === 1 ? rawLine(card.model, card.p, ref.index, net.inputs, info.features) : null;
  if (line) {
    if (info.oneD) drawCut(ctx, h, line, mappers(info, m.G, w, h));
    else drawLine(ctx, w, h, line, mappers(info, m.G, w, h));
    return info.oneD
      ? viewText('card', sigmoidLike ? 'cut_half' : 'cut_sign', { feature: info.features[0] })
      : viewText('card', sigmoidLike ? 'line_half' : 'line_sign', { features: info.features.join(' and ') });
  }
  const level = zeroLevel(neuron);
  if (!info.oneD && level !== undefined && m.lo < level && m.hi > level) {
    ctx.save();
    strokeSegments(ctx, contour(gridValues(m.bytes, m.lo, m.hi), m.G, level), m.G, w, h, INK, 2);
    ctx.restore();
  }
  if (ref.layer === 1 && !info.oneD) {
    return card.model
      ? viewText('card', 'curved', { inputs: curvedInputs(card.model, net.inputs).join(', '), level })
      : viewText('card', 'contour');
  }
  if (neuron.perClass) return viewText('card', 'per_class', { cls: net.classes[ref.index] });
  if (ref.layer > 1) return viewText('card', 'deeper', { symbol: actWords(neuron.act).symbol || 'the value' });
  return '';
}

/** 1-D: the cut point −C/A of the line, dashed across the map. */
function drawCut(ctx, h, { A, C }, { X }) {
  if (!A) return;
  const x = X(-C / A);
  ctx.save();
  ctx.setLineDash([6, 4]);
  strokeSegment(ctx, [x, 0], [x, h], INK, 2);
  ctx.restore();
}

/** 2-D: the line A·X + B·Y + C = 0 across the map, and the arrow of w where the sum grows. */
function drawLine(ctx, w, h, { A, B, C }, { X, Y, x0, x1, y0, y1 }) {
  const seg = clipLine(A, B, C, [x0, x1, y0, y1]);
  if (!seg) return;
  const p = [X(seg[0][0]), Y(seg[0][1])];
  const q = [X(seg[1][0]), Y(seg[1][1])];
  ctx.save();
  ctx.lineCap = 'round';
  strokeSegment(ctx, p, q, INK, 2.2, 5);
  // w: the direction in which the sum grows, in pixel space (perpendicular to the line)
  let gx = (A * (x1 - x0)) / w;
  let gy = (-B * (y1 - y0)) / h;
  const n = Math.hypot(gx, gy) || 1;
  gx /= n;
  gy /= n;
  const mx = (p[0] + q[0]) / 2;
  const my = (p[1] + q[1]) / 2;
  const len = Math.min(48, w / 6);
  const ex = mx + gx * len;
  const ey = my + gy * len;
  strokeSegment(ctx, [mx, my], [ex, ey], W_BLUE, 3);
  ctx.fillStyle = W_BLUE;
  ctx.beginPath();
  ctx.moveTo(ex + gx * 8, ey + gy * 8);
  ctx.lineTo(ex - gy * 6, ey + gx * 6);
  ctx.lineTo(ex + gy * 6, ey - gx * 6);
  ctx.closePath();
  ctx.fill();
  ctx.font = 'bold 13px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.lineWidth = 3;
  ctx.strokeStyle = 'rgba(255,255,255,.9)';
  ctx.strokeText('w', ex + gx * 18, ey + gy * 18);
  ctx.fillText('w', ex + gx * 18, ey + gy * 18);
  ctx.restore();
}

/**
 * A deeper neuron's sum, map by map, on tiles = {inputs: [{canvas, cap}], bias, z}: each
 * w_j·h_j, the bias and their sum on one scale. Returns the scale's note (null: nothing drawn).
 */
export function drawBreakdown(tiles, card, grids, names) {
  const { ref, neuron, info, p } = card;
  const prev = grids.neurons[ref.layer - 2];
  if (!prev) return null;
  const b = p.bias[ref.index];
  if (prev.some((m) => !m)) return null; // a frame of the thumbnails' view: no maps of this layer
  const g = sideOf(prev[0], info.g);
  const parts = breakdown(prev, p.weights.map((row) => row[ref.index]), b);
  const { M } = parts;
  const paint = (canvas, values) => {
    const bytes = symmetricBytes(values, M);
    if (info.oneD) paintCurve(canvas, bytes, -M, M, -M, M, INK);
    else paintGrid(canvas, bytes, g, g, lut('diverging', -M, M, -M, M));
  };
  tiles.inputs.forEach((t, i) => {
    paint(t.canvas, parts.terms[i]);
    t.cap.textContent = `${fmtNum(p.weights[i][ref.index])} × ${names[i]}`;
  });
  const c = tiles.bias.canvas;
  c.width = 1;
  c.height = 1;
  const ctx = c.getContext('2d');
  ctx.fillStyle = css(diverging(0.5 + 0.5 * (b / M)));
  ctx.fillRect(0, 0, 1, 1);
  tiles.bias.cap.textContent = `b = ${fmtNum(b)}`;
  paint(tiles.z.canvas, parts.z);
  tiles.z.cap.textContent = `z (then ${actWords(neuron.act).symbol || 'as is'})`;
  return scaleNote(M);
}
