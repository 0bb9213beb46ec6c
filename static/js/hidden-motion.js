// The hidden space, moving (Olah's "Neural Networks, Manifolds, and Topology"): the input
// plane carried into the last hidden layer's space one move at a time, as numbers. Each hidden
// layer takes an equal share of t ∈ [0, 1] and makes two straight moves: from its input a to
// its weighted sums z = a·W + b (the affine map), then from z to act(z) (the activation). So
// with one hidden layer t = 0 is the input plane, t = 0.5 is z = x·W + b and t = 1 the hidden
// space. Positions are drawn coordinates: the last layer's through the hidden-space view's own
// projection (exact for two neurons), an earlier layer's on its two neurons or, with more, its
// two main directions. Pure: no DOM; the frame's weights are float64, so t = 1 is exactly where
// POST /predict's activations put the points.

import { topDirection } from './hidden-model.js';

const FN = {
  sigmoid: (z) => 1 / (1 + Math.exp(-z)), tanh: Math.tanh, relu: (z) => (z > 0 ? z : 0), linear: (z) => z,
};

/**
 * How each network input is read off a drawn point: [{col, mean, std}] (col: index into the
 * point's view-feature coordinates), or null when an input is not a drawn feature itself (a
 * transform such as x₁², or a feature not on the map): then there is no input plane to start from.
 */
export function motionInputs(model, viewFeatures, rawKeys) {
  if (!model || !FN[model.activation]) return null;
  const { mean, std } = model.standardize;
  const keys = model.transforms || model.features;
  if (keys.length !== viewFeatures.length) return null;
  const cols = keys.map((k, i) => {
    const f = model.transforms ? rawKeys.indexOf(k) : i; // x1, x2 are the features themselves
    const col = f < 0 ? -1 : viewFeatures.indexOf(model.features[f]);
    return col < 0 ? null : { col, mean: mean[f], std: std[f] || 1 };
  });
  return cols.every(Boolean) && new Set(cols.map((c) => c.col)).size === cols.length ? cols : null;
}

/** Raw view-feature points [[x(, y)], …] → the network's inputs, standardized: rows (n) of D numbers. */
export function standardize(points, cols) {
  return points.map((p) => cols.map((c) => (p[c.col] - c.mean) / c.std));
}

/** The raw view-feature coordinates of a g×g grid over info.x × info.y (row i: i-th y, as the maps), or g points for 1-D. */
export function gridPoints(info, g) {
  const at = ([lo, hi], k) => lo + ((hi - lo) * k) / (g - 1);
  if (!info.y) return Array.from({ length: g }, (_, j) => [at(info.x, j)]);
  const out = [];
  for (let i = 0; i < g; i++) for (let j = 0; j < g; j++) out.push([at(info.x, j), at(info.y, i)]);
  return out;
}

/** The forward pass through the hidden layers: per layer {z, a}, each rows (n) of H numbers (Float64Arrays). */
export function carry(rows, layers, act) {
  const f = FN[act];
  const out = [];
  let a = rows;
  for (const { weights: W, bias: b } of layers.slice(0, -1)) {
    const [D, H] = [W.length, b.length];
    const Wf = Float64Array.from({ length: D * H }, (_, m) => W[Math.floor(m / H)][m % H]); // (D, H) row-major
    const z = new Array(a.length);
    const h = new Array(a.length);
    for (let p = 0; p < a.length; p++) {
      const r = a[p];
      const zr = new Float64Array(H);
      const hr = new Float64Array(H);
      for (let k = 0; k < H; k++) zr[k] = b[k];
      for (let i = 0; i < D; i++) {
        const v = r[i];
        if (v !== 0) for (let k = 0, o = i * H; k < H; k++) zr[k] += v * Wf[o + k];
      }
      for (let k = 0; k < H; k++) hr[k] = f(zr[k]);
      z[p] = zr;
      h[p] = hr;
    }
    out.push({ z, a: h });
    a = h;
  }
  return out;
}

/** The input plane drawn as itself: (x₁, x₂) standardized, or (x, 0) for one feature. */
export function inputKey(rows) {
  return { X: Float32Array.from(rows, (r) => r[0]), Y: Float32Array.from(rows, (r) => (r.length > 1 ? r[1] : 0)) };
}

/** Rows of H numbers → drawn {X, Y} by proj {ax, ay, ox, oy} (hidden-model.projection's form). */
export function project(rows, proj) {
  const X = new Float32Array(rows.length);
  const Y = new Float32Array(rows.length);
  rows.forEach((r, i) => {
    let x = proj.ox || 0;
    let y = proj.oy || 0;
    for (let j = 0; j < r.length; j++) { x += (proj.ax[j] || 0) * r[j]; y += (proj.ay[j] || 0) * r[j]; }
    X[i] = x;
    Y[i] = y;
  });
  return { X, Y };
}

/** An earlier hidden layer's drawing: its one neuron (h, 0), its two neurons, or its points' two main directions (PCA). */
export function layerProjection(a, start = {}) {
  const H = a.length ? a[0].length : 0;
  const unit = (j) => Float64Array.from({ length: H }, (_, k) => (k === j ? 1 : 0));
  if (H <= 2) return { ax: unit(0), ay: H === 2 ? unit(1) : new Float64Array(H), ox: 0, oy: 0 };
  const n = a.length;
  const mu = new Float64Array(H);
  for (const r of a) for (let j = 0; j < H; j++) mu[j] += r[j] / n;
  const C = new Float64Array(H * H);
  for (const r of a) for (let j = 0; j < H; j++) for (let k = 0; k < H; k++) C[j * H + k] += ((r[j] - mu[j]) * (r[k] - mu[k])) / n;
  const ax = topDirection(C, H, [], start.ax);
  const ay = topDirection(C, H, [ax], start.ay);
  const dot = (u) => u.reduce((s, x, j) => s + x * mu[j], 0);
  return { ax, ay, ox: -dot(ax), oy: -dot(ay) };
}

/**
 * The key positions of the motion: [input, z₁, a₁, z₂, a₂, …], each {X, Y}; the last layer's
 * drawn by `last` (the view's projection), earlier ones by `earlier[l]` (layerProjection's).
 * `stripY`: with one last neuron, the Y the view spreads the points to (kept at every key of it).
 */
export function keys(rows, carried, last, earlier, stripY = null) {
  const out = [inputKey(rows)];
  carried.forEach(({ z, a }, l) => {
    const proj = l === carried.length - 1 ? last : earlier[l];
    for (const m of [z, a]) {
      const p = project(m, proj);
      if (stripY && l === carried.length - 1) p.Y.set(stripY);
      out.push(p);
    }
  });
  return out;
}

/** Where the motion is at t ∈ [0, 1]: key segment k (of keys.length − 1 equal shares) and s ∈ [0, 1] along it. */
export function segment(n, t) {
  const u = Math.min(1, Math.max(0, t)) * (n - 1);
  const k = Math.min(n - 2, Math.floor(u));
  return { k, s: u - k };
}

/** The positions at t: each point on the straight line between its two neighbouring keys. */
export function at(ks, t) {
  const { k, s } = segment(ks.length, t);
  const [p, q] = [ks[k], ks[k + 1]];
  const X = new Float32Array(p.X.length);
  const Y = new Float32Array(p.Y.length);
  for (let i = 0; i < X.length; i++) { X[i] = p.X[i] + s * (q.X[i] - p.X[i]); Y[i] = p.Y[i] + s * (q.Y[i] - p.Y[i]); }
  return { X, Y };
}

/** A box [x0, x1, y0, y1] around the positions of a key, padded by 6% (at least ±0.5 when flat). */
export function keyBox({ X, Y }) {
  const ext = (v) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of v) { if (x < lo) lo = x; if (x > hi) hi = x; }
    if (!(hi >= lo)) return [-1, 1];
    const pad = hi > lo ? (hi - lo) * 0.06 : 0.5;
    return [lo - pad, hi + pad];
  };
  return [...ext(X), ...ext(Y)];
}

/** The box at t: between its two neighbouring keys' boxes, as the points are. */
export function boxAt(boxes, t) {
  const { k, s } = segment(boxes.length, t);
  return boxes[k].map((v, i) => v + s * (boxes[k + 1][i] - v));
}
