// The slow-motion step's numbers, without the DOM: one neuron's weights, gradient and next
// weights read from a gradient answer (GET /gradient), the line now and after the step in
// pixel space, the arrows from the one to the other (magnified when one step moves the line
// by less than a few pixels: the factor is said on screen), and its δ map as −δ (the push).

import { clipLine } from './draw.js';

/**
 * Neuron `ref` = {layer (1 = first hidden), index} of gradient answer g: {now, grad, next},
 * each {w: [per input], b} (next null when the next step would diverge).
 */
export function neuronGradient(g, ref) {
  const L = ref.layer - 1;
  const j = ref.index;
  const col = (layers) => (layers ? { w: layers[L].weights.map((row) => row[j]), b: layers[L].bias[j] } : null);
  return { now: col(g.layers), grad: col(g.gradient), next: col(g.next_layers) };
}

/** Whether two networks' layers ([{weights, bias}]) hold the same numbers. */
export function sameLayers(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  return a.every((l, i) => l.bias.length === b[i].bias.length
    && l.bias.every((v, j) => v === b[i].bias[j])
    && l.weights.every((row, r) => row.every((v, j) => v === b[i].weights[r][j])));
}

/** A plain gradient step of one neuron: {w − η·dw, b − η·db}. */
export function sgdStep(now, grad, eta) {
  return { w: now.w.map((v, i) => v - eta * grad.w[i]), b: now.b - eta * grad.b };
}

/** Neuron a moved m times as far toward neuron b: a + m·(b − a). */
export function magnified(a, b, m) {
  return { w: a.w.map((v, i) => v + m * (b.w[i] - v)), b: a.b + m * (b.b - a.b) };
}

/** Weight layer `layer` ({weights: in×out, bias}) with column j set to neuron n = {w, b}. */
export function withNeuron(layer, j, n) {
  return {
    weights: layer.weights.map((row, i) => row.map((v, k) => (k === j ? n.w[i] : v))),
    bias: layer.bias.map((v, k) => (k === j ? n.b : v)),
  };
}

/**
 * The raw-unit line A·X + B·Y + C = 0 as a·px + b·py + c = 0 in the pixels of a w×h map whose
 * mappers (draw.js) are m = {x0, x1, y0, y1} (y grows upward in raw units, downward in px).
 */
export function pixelLine({ A, B, C }, m, w, h) {
  const sx = (m.x1 - m.x0) / w;
  const sy = (m.y1 - m.y0) / h;
  return { a: A * sx, b: -B * sy, c: A * m.x0 + B * m.y0 + B * sy * h + C };
}

/** The foot of the perpendicular from point s = [x, y] to pixel line l = {a, b, c}. */
export function foot(s, { a, b, c }) {
  const n2 = a * a + b * b;
  const t = (a * s[0] + b * s[1] + c) / (n2 || 1);
  return [s[0] - t * a, s[1] - t * b];
}

/** k arrows from evenly spaced points of segment [p, q] (the line now, px) to line l (px): [[from, to]…]. */
export function stepArrows(p, q, l, k = 3) {
  return Array.from({ length: k }, (_, i) => {
    const t = (i + 0.5) / k;
    const s = [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
    return [s, foot(s, l)];
  });
}

const ZOOMS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

/**
 * The magnification to draw a step at: the first of 1, 2, 5, 10… at which `arrowsAt(m)` (the
 * arrows for the step magnified m times) has an arrow of at least `px` pixels.
 */
export function zoomFor(arrowsAt, px = 14) {
  for (const m of ZOOMS) {
    const arrows = arrowsAt(m);
    if (arrows && Math.max(...arrows.map(([s, e]) => Math.hypot(e[0] - s[0], e[1] - s[1]))) >= px) return m;
  }
  return ZOOMS[ZOOMS.length - 1];
}

/** The 1-D cut point −C/A of a line (null when A = 0). */
export function cutPoint({ A, C }) {
  return A ? -C / A : null;
}

/**
 * Neuron ref's δ as −δ, the push gradient descent gives its z (> 0: up): the map of class c
 * (classification; null for regression), the dots at the shown training points, and M, the
 * largest |δ| of the neuron's maps and dots (one symmetric colour scale for every class).
 */
export function pushOf(g, ref, c) {
  const L = ref.layer - 1;
  const j = ref.index;
  const maps = g.delta_maps ? g.delta_maps[L][j] : null;
  const dots = g.delta_points[L][j].map((d) => -d);
  let M = 0;
  for (const d of dots) M = Math.max(M, Math.abs(d));
  if (maps) for (const m of maps) for (const row of m) for (const d of row) M = Math.max(M, Math.abs(d));
  const map = maps ? Float64Array.from(maps[c].flat(), (d) => -d) : null;
  return { map, dots, M: M || 1 };
}

/**
 * Where to draw a step of a first-layer neuron in 2-D: the line now and the line after
 * (raw units, {A, B, C}) on a map with mappers mp (draw.js) of w×h px → {now: [p, q], next:
 * [p, q] or null (off the map), arrows}, in px; null when the line now misses the map.
 */
export function stepGeometry(now, next, mp, w, h) {
  const box = [mp.x0, mp.x1, mp.y0, mp.y1];
  const px = (pt) => [mp.X(pt[0]), mp.Y(pt[1])];
  const seg = clipLine(now.A, now.B, now.C, box);
  if (!seg) return null;
  const [p, q] = seg.map(px);
  const segNext = clipLine(next.A, next.B, next.C, box);
  return { now: [p, q], next: segNext ? segNext.map(px) : null, arrows: stepArrows(p, q, pixelLine(next, mp, w, h)) };
}

/** The same in 1-D: the cut point now and after (px along x), one arrow across at each of k heights. */
export function cutGeometry(now, next, mp, h, k = 3) {
  const a = cutPoint(now);
  const b = cutPoint(next);
  if (a === null || b === null) return null;
  const [xa, xb] = [mp.X(a), mp.X(b)];
  return { now: xa, next: xb, arrows: Array.from({ length: k }, (_, i) => [[xa, ((i + 0.5) / k) * h], [xb, ((i + 0.5) / k) * h]]) };
}
