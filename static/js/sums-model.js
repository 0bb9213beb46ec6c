// The 1-D sum of neurons as numbers, without the DOM and without running the network: the
// output of a net with one feature is Σ v_j·h_j(x) + c over its last hidden layer, where
// h_j are the neuron maps every frame carries and v, c the output's weights and bias. In the
// target's units (init.model's target_standardize), that sum is what the output map shows
// (through σ for two classes). And the hand-building of one layer of sigmoid neurons as steps:
// where each one steps (in x's own units), how steep, how high.

import { rawFeature, standardFeature, targetScale } from './units.js';
import { copyLayers } from './edits.js';

/** Map m ({lo, hi, bytes} over n cells along x) at t in [0, 1], between its cells. */
function sample(m, t) {
  const n = m.bytes.length;
  const p = t * (n - 1);
  const i = Math.min(n - 2, Math.floor(p));
  const f = p - i;
  const u = m.bytes[i] + (m.bytes[i + 1] - m.bytes[i]) * f;
  return m.lo + ((m.hi - m.lo) * u) / 255;
}

const step = (m) => (m.hi - m.lo) / 255;

/**
 * The sum at the output grid's x (grid = init.grid: size, x): xs; comps[j] = v_j·h_j(x) in
 * target units (h_j read off the frame's map of last-hidden neuron j); bias = c in target
 * units; sum = bias + Σ comps; output = the output map's values; quant = how far sum and
 * output may differ from the maps' 8-bit rounding alone (the output's step and each term's).
 */
export function sums(layers, hidden, out, grid, model) {
  const N = out.bytes.length;
  const [x0, x1] = grid.x;
  const { ys, ym } = targetScale(model);
  const last = layers[layers.length - 1];
  const v = last.weights.map((row) => row[0] * ys);
  const bias = last.bias[0] * ys + ym;
  const xs = new Float64Array(N);
  const sum = new Float64Array(N).fill(bias);
  const comps = hidden.map(() => new Float64Array(N));
  for (let k = 0; k < N; k++) {
    const t = k / (N - 1);
    xs[k] = x0 + (x1 - x0) * t;
    for (let j = 0; j < hidden.length; j++) {
      comps[j][k] = v[j] * sample(hidden[j], t);
      sum[k] += comps[j][k];
    }
  }
  const output = Float64Array.from(out.bytes, (u) => out.lo + step(out) * u);
  const quant = hidden.reduce((q, m, j) => q + Math.abs(v[j]) * step(m), step(out));
  return { xs, comps, bias, sum, output, quant };
}

/** The plot's value range: 0, the sum, the bias, the shown terms and (regression) the targets. */
export function valueRange(d, shown, targets, binary) {
  let lo = 0;
  let hi = binary ? 1 : 0;
  const take = (arr) => { for (const v of arr) { if (v < lo) lo = v; if (v > hi) hi = v; } };
  if (!binary) take(targets);
  take(d.sum);
  take([d.bias]);
  d.comps.forEach((c, j) => { if (shown(j)) take(c); });
  if (binary) { lo = Math.max(lo, -30); hi = Math.min(hi, 30); }
  const pad = (hi - lo) * 0.06 || 1;
  return [lo - pad, hi + pad];
}

/**
 * Neuron j of a one-hidden-layer sigmoid net as a step: where it steps, s (x's own units),
 * its steepness w (per standardized x) and its height v (in the drawn units).
 */
export function stepOf(layers, j, model, grid) {
  const w = layers[0].weights[0][j];
  const b = layers[0].bias[j];
  const s = Math.abs(w) > 1e-9 ? rawFeature(model, 0, -b / w) : (grid.x[0] + grid.x[1]) / 2;
  return { s, w, v: layers[1].weights[j][0] * targetScale(model).ys };
}

/** A copy of the layers with neuron j's step set from drawn units ({s, w, v}), or (j < 0) the bias c. */
export function withStep(layers, j, { s, w, v, c }, model, grid) {
  const L = copyLayers(layers);
  const { ys, ym } = targetScale(model);
  if (j < 0) {
    L[1].bias[0] = (c - ym) / ys;
    return L;
  }
  const cur = stepOf(layers, j, model, grid);
  const ww = w ?? cur.w;
  L[0].weights[0][j] = ww;
  L[0].bias[j] = -ww * standardFeature(model, 0, s ?? cur.s); // a step at raw x = s
  L[1].weights[j][0] = (v ?? cur.v) / ys;
  return L;
}

/**
 * Nielsen's construction from the data: H steps evenly spaced over the points' x, each as
 * high as the data's rise there (in logits for two classes, probabilities kept in 5…95%).
 */
export function placeSteps(layers, points, model, grid, binary) {
  const { x, y } = points;
  const H = layers[0].bias.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of x) { if (p[0] < lo) lo = p[0]; if (p[0] > hi) hi = p[0]; }
  const edges = Array.from({ length: H }, (_, j) => lo + ((hi - lo) * (j + 1)) / (H + 1));
  const total = new Float64Array(H + 1);
  const counts = new Float64Array(H + 1);
  x.forEach((p, i) => { let k = 0; while (k < H && p[0] >= edges[k]) k++; total[k] += y[i]; counts[k]++; });
  const level = Array.from(total, (s, k) => (counts[k] ? s / counts[k] : NaN));
  for (let k = 0; k <= H; k++) if (!Number.isFinite(level[k])) level[k] = k ? level[k - 1] : 0;
  const clamp = (p) => Math.min(0.95, Math.max(0.05, p));
  const units = level.map(binary ? (p) => Math.log(clamp(p) / (1 - clamp(p))) : (v) => v);
  const sd = model.standardize.std[0];
  const w = 10 / (((hi - lo) / (H + 1)) / sd || 1);
  let out = withStep(layers, -1, { c: units[0] }, model, grid);
  for (let j = 0; j < H; j++) out = withStep(out, j, { s: edges[j], w, v: units[j + 1] - units[j] }, model, grid);
  return out;
}
