// The hidden space as numbers, without the DOM: the last hidden layer's outputs for every
// drawn point (the frame's hidden_points, one map-encoded column per neuron) and for every
// cell of the neuron grid (the frame's maps of that layer), projected onto two coordinates;
// the projection (two neurons, the output weights' direction, or the points' two main
// directions: PCA, computed here once, as no frame carries it); the drawn box; and the output
// layer read on a plane of that space (the only place the page evaluates a layer: no frame
// has values there).

import { activation } from './vocabulary.js';
import { jitter, padded, sigmoid, steady } from './draw.js';

/** The projections that apply to H neurons: 'strip' (one), 'axes' (two), or out, pca and pick. */
export function projections(H, perClass) {
  if (H === 1) return ['strip'];
  if (H === 2) return ['axes'];
  return perClass ? ['pca', 'pick'] : ['out', 'pca', 'pick'];
}

/** Mean (H) and covariance (H×H, row-major) of n points given as H decoded maps of n bytes. */
export function moments(maps) {
  const H = maps.length;
  const n = H ? maps[0].bytes.length : 0;
  const mu = new Float64Array(H);
  const C = new Float64Array(H * H);
  const hv = new Float64Array(H);
  const s = maps.map((m) => (m.hi - m.lo) / 255);
  for (let i = 0; i < n; i++) for (let j = 0; j < H; j++) mu[j] += (maps[j].lo + s[j] * maps[j].bytes[i]) / n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < H; j++) hv[j] = maps[j].lo + s[j] * maps[j].bytes[i] - mu[j];
    for (let j = 0; j < H; j++) for (let k = 0; k < H; k++) C[j * H + k] += (hv[j] * hv[k]) / n;
  }
  return { mu, C };
}

/** The top eigenvector of the H×H symmetric `C` orthogonal to `against` (power iteration, warm start). */
export function topDirection(C, H, against, start) {
  let v = new Float64Array(H);
  if (start && start.length === H) v.set(start); else for (let j = 0; j < H; j++) v[j] = 1 + j * 0.37;
  const orth = (u) => {
    for (const a of against) { let d = 0; for (let j = 0; j < H; j++) d += u[j] * a[j]; for (let j = 0; j < H; j++) u[j] -= d * a[j]; }
    let n = 0;
    for (let j = 0; j < H; j++) n += u[j] * u[j];
    n = Math.sqrt(n);
    if (n < 1e-12) { u.fill(0); const k = against.length ? (against[0].findIndex((x) => Math.abs(x) < 0.9) + H) % H : 0; u[k] = 1; return u; }
    for (let j = 0; j < H; j++) u[j] /= n;
    return u;
  };
  v = orth(v);
  const next = new Float64Array(H);
  for (let it = 0; it < 40; it++) {
    for (let j = 0; j < H; j++) { let s = 0; for (let k = 0; k < H; k++) s += C[j * H + k] * v[k]; next[j] = s; }
    const u = orth(next.slice());
    let diff = 0;
    for (let j = 0; j < H; j++) diff += Math.abs(u[j] - v[j]);
    v = u;
    if (diff < 1e-7) break;
  }
  if (start && start.length === H) { // keep the sign: the picture must not flip between frames
    let d = 0;
    for (let j = 0; j < H; j++) d += v[j] * start[j];
    if (d < 0) for (let j = 0; j < H; j++) v[j] = -v[j];
  }
  return v;
}

const unit = (H, j) => { const v = new Float64Array(H); v[j] = 1; return v; };
const dot = (a, b) => a.reduce((t, x, j) => t + x * b[j], 0);

/**
 * How hidden vectors h become the drawn coordinates, X = ax·h + ox and Y = ay·h + oy, in
 * `mode` (pick = [a, b]: two neurons' indices), for the output layer `out` and the training
 * points' maps `train`; `basis` = the last frame's {ax, ay} (a warm start that keeps the sign).
 * exact: the output is a function of (X, Y) alone, so its boundary can be drawn.
 */
export function projection(mode, H, train, out, basis = {}, pick = [0, 1]) {
  if (mode === 'strip') return { ax: unit(H, 0), ay: new Float64Array(1), ox: 0, oy: 0, exact: true };
  if (mode === 'axes') return { ax: unit(H, 0), ay: unit(H, 1), ox: 0, oy: 0, exact: true };
  if (mode === 'pick') return { ax: unit(H, pick[0]), ay: unit(H, pick[1]), ox: 0, oy: 0, exact: false };
  const { mu, C } = moments(train);
  const v = out.weights.map((row) => row[0]);
  const isOut = mode === 'out';
  const norm = Math.hypot(...v);
  const ax = isOut ? Float64Array.from(v, (x) => x / (norm || 1)) : topDirection(C, H, [], basis.ax);
  const ay = topDirection(C, H, [ax], basis.ay);
  return { ax, ay, ox: isOut ? 0 : -dot(ax, mu), oy: -dot(ay, mu), exact: isOut, norm: isOut ? norm : 0, c: out.bias[0] };
}

/** Project decoded maps (one per hidden neuron, n bytes each) to {X, Y} Float32Arrays of n. */
export function projectMaps(maps, proj) {
  if (!maps.length) return { X: new Float32Array(0), Y: new Float32Array(0) };
  const n = maps[0].bytes.length;
  const X = new Float32Array(n);
  const Y = new Float32Array(n);
  let KX = proj.ox;
  let KY = proj.oy;
  for (let j = 0; j < maps.length; j++) {
    const s = (maps[j].hi - maps[j].lo) / 255;
    const kx = proj.ax[j] || 0;
    const ky = proj.ay[j] || 0;
    KX += kx * maps[j].lo;
    KY += ky * maps[j].lo;
    if (kx === 0 && ky === 0) continue;
    const b = maps[j].bytes;
    const fx = kx * s;
    const fy = ky * s;
    for (let i = 0; i < n; i++) { X[i] += fx * b[i]; Y[i] += fy * b[i]; }
  }
  for (let i = 0; i < n; i++) { X[i] += KX; Y[i] += KY; }
  return { X, Y };
}

/** One hidden neuron: spread the points up by class (K classes), or place them at their target. */
export function stripY(p, labels, K, regression) {
  for (let i = 0; i < p.Y.length; i++) {
    const y = labels[i];
    p.Y[i] = regression ? y : (y + 0.5) / K + jitter(i) * (0.6 / K);
  }
}

/** A bounded activation's drawn range on a neuron's axis: its own range and a little more. */
export function neuronAxis(key) {
  const a = activation(key);
  if (!a || a.range[0] === null || a.range[1] === null) return null;
  const [lo, hi] = a.range;
  const m = Math.max(0.04, 0.03 * (hi - lo));
  return [lo - m, hi + m];
}

/**
 * The drawn box [x0, x1, y0, y1] for projected point sets `sets` (and the grid's cells): on
 * two neuron axes of a bounded activation, its range; else fitted to what is drawn, with one
 * scale on both axes where distances mean something (out, pca), kept steady against `prev`
 * ({x, y}). Returns {box, range} (range: the next frame's prev).
 */
export function frameRange(sets, { mode, act, regression, prev }) {
  const fixed = neuronAxis(act);
  if (mode === 'axes' && fixed) return { box: [...fixed, ...fixed], range: prev };
  const ext = [Infinity, -Infinity, Infinity, -Infinity];
  for (const { X, Y } of sets) {
    for (let i = 0; i < X.length; i++) {
      if (X[i] < ext[0]) ext[0] = X[i];
      if (X[i] > ext[1]) ext[1] = X[i];
      if (Y[i] < ext[2]) ext[2] = Y[i];
      if (Y[i] > ext[3]) ext[3] = Y[i];
    }
  }
  if (!(ext[1] >= ext[0])) return { box: [0, 1, 0, 1], range: prev };
  if (mode === 'strip' && fixed) [ext[0], ext[1]] = [Math.min(ext[0], fixed[0]), Math.max(ext[1], fixed[1])];
  if (mode === 'strip' && !regression) [ext[2], ext[3]] = [0, 1];
  let xr = padded([ext[0], ext[1]], 0.06, 0.5);
  let yr = padded([ext[2], ext[3]], 0.06, 0.5);
  if (mode === 'out' || mode === 'pca') { // same scale on both axes: distances stay true
    const span = Math.max(xr[1] - xr[0], yr[1] - yr[0]);
    const mid = (a) => (a[0] + a[1]) / 2;
    xr = [mid(xr) - span / 2, mid(xr) + span / 2];
    yr = [mid(yr) - span / 2, mid(yr) + span / 2];
  }
  xr = steady(prev && prev.x, xr);
  yr = steady(prev && prev.y, yr);
  return { box: [xr[0], xr[1], yr[0], yr[1]], range: { x: xr, y: yr } };
}

/** The output's pre-activations as affine functions of (X, Y): [{gx, gy, g0}] per output unit. */
export function outputAffine(mode, proj, out) {
  if (mode === 'out') return [{ gx: proj.norm, gy: 0, g0: proj.c }];
  const W = out.weights;
  return out.bias.map((b, k) => ({ gx: W[0][k], gy: W.length > 1 && mode !== 'strip' ? W[1][k] : 0, g0: b }));
}

/**
 * The output over an n×n grid of the box, as map bytes per channel (row 0 = lowest Y):
 * P(second class) (binary), the value placed on [lo, hi] in target units (regression: target
 * = {mean, std}), or each class's probability (multiclass: softmax of the K scores, ≤ 8 kept).
 */
export function outputGrid(g, box, n, task, target, [lo, hi], into) {
  const K = g.length;
  const z = new Float64Array(K);
  const kept = Math.min(K, 8);
  for (let i = 0; i < n; i++) {
    const y = box[2] + ((i + 0.5) / n) * (box[3] - box[2]);
    for (let j = 0; j < n; j++) {
      const x = box[0] + ((j + 0.5) / n) * (box[1] - box[0]);
      let m = -Infinity;
      for (let k = 0; k < K; k++) { z[k] = g[k].gx * x + g[k].gy * y + g[k].g0; if (z[k] > m) m = z[k]; }
      const cell = i * n + j;
      if (task === 'binary') into[0][cell] = Math.round(sigmoid(z[0]) * 255);
      else if (task === 'regression') into[0][cell] = Math.max(0, Math.min(255, Math.round(((z[0] * target.std + target.mean - lo) / (hi - lo || 1)) * 255)));
      else {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Math.exp(z[k] - m);
        for (let k = 0; k < kept; k++) into[k][cell] = Math.round((Math.exp(z[k] - m) / sum) * 255);
      }
    }
  }
  return into.slice(0, task === 'multiclass' ? kept : 1);
}

/** [lo, hi] of the targets (a constant one widened by 1 each way). */
export function valueRange(ys) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of ys) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return lo < hi ? [lo, hi] : [lo - 1, lo + 1];
}
