// Linear layers collapse to one: the product of the weight matrices and the folded bias, the
// same layer in the raw units of the features (standardization folded in), and its output over
// the map's grid. Pure: numbers in, numbers out (no DOM).

/** frame.layers [{weights: in×out, bias}, …] → the one layer {W: D×K, b: K} they equal when every hidden activation is linear. */
export function collapse(layers) {
  let W = layers[0].weights.map((row) => row.slice());
  let b = layers[0].bias.slice();
  for (const { weights, bias } of layers.slice(1)) {
    const K = bias.length;
    W = W.map((row) => Array.from({ length: K }, (_, k) => row.reduce((s, w, j) => s + w * weights[j][k], 0)));
    b = Array.from({ length: K }, (_, k) => b.reduce((s, v, j) => s + v * weights[j][k], 0) + bias[k]); // b·W_l + b_l
  }
  return { W, b };
}

/**
 * The one layer {W, b} on the network's inputs as one on the raw features: {W: F×K, b, names}
 * with names the model's features; a regression's target units folded in too. Null when an
 * input is not a feature itself (x₁², x₁·x₂, sin …): then only the standardized form exists.
 * rawKeys: the transform keys that are the features themselves (vocabulary rawInputs()).
 */
export function inRawUnits(eq, model, inputs, rawKeys) {
  if (!model) return null;
  const { mean, std } = model.standardize;
  const F = model.features.length;
  const K = eq.b.length;
  const t = model.target_standardize;
  const [ys, ym] = t ? [t.std, t.mean] : [1, 0];
  const W = Array.from({ length: F }, () => new Array(K).fill(0));
  const b = eq.b.map((v) => v * ys + ym);
  for (let i = 0; i < inputs.length; i++) {
    const f = model.transforms ? rawKeys.indexOf(inputs[i]) : model.features.indexOf(inputs[i]);
    if (f < 0) return null;
    const s = std[f] || 1;
    for (let k = 0; k < K; k++) {
      W[f][k] += (eq.W[i][k] / s) * ys;
      b[k] -= (eq.W[i][k] * mean[f] / s) * ys;
    }
  }
  return { W, b, names: model.features.slice() };
}

/** The output activation of `task` on scores z (K numbers): σ, softmax, or z itself. */
export function activate(task, z) {
  if (task === 'binary') return [1 / (1 + Math.exp(-z[0]))];
  if (task === 'regression') return z.slice();
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / s);
}

/**
 * The raw one layer's output at every cell of the output grid (info: {G, x, y, oneD, task,
 * features}; row i = i-th y from the bottom, column j = j-th x), every feature not drawn held
 * at its training mean as the maps hold it: K Float64Arrays of G·G (G for 1-D) values.
 */
export function outputGrid(raw, info, model) {
  const G = info.G;
  const rows = info.oneD ? 1 : G;
  const K = raw.b.length;
  const fx = raw.names.indexOf(info.features[0]);
  const fy = info.oneD ? -1 : raw.names.indexOf(info.features[1]);
  const base = raw.b.slice();
  raw.names.forEach((_, f) => { if (f !== fx && f !== fy) for (let k = 0; k < K; k++) base[k] += raw.W[f][k] * model.standardize.mean[f]; });
  const out = Array.from({ length: K }, () => new Float64Array(rows * G));
  const at = (range, n, i) => range[0] + ((range[1] - range[0]) * i) / (n - 1 || 1);
  for (let i = 0; i < rows; i++) {
    const y = fy < 0 ? 0 : at(info.y, G, i);
    for (let j = 0; j < G; j++) {
      const x = at(info.x, G, j);
      const z = base.map((v, k) => v + raw.W[fx][k] * x + (fy < 0 ? 0 : raw.W[fy][k] * y));
      const p = activate(info.task, z);
      for (let k = 0; k < K; k++) out[k][i * G + j] = p[k];
    }
  }
  return out;
}

/** Values as one 8-bit map over [lo, hi], as the server quantises: {lo, hi, bytes}. */
export function quantise(values, lo, hi) {
  const bytes = new Uint8Array(values.length);
  const k = 255 / (hi - lo || 1);
  for (let i = 0; i < values.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.floor((values[i] - lo) * k + 0.5)));
  return { lo, hi, bytes };
}

/** The largest |values − map| over every cell, as a share of the map's range (maps: decoded {lo, hi, bytes}). */
export function largestGap(values, maps) {
  let gap = 0;
  maps.forEach((m, k) => {
    const s = (m.hi - m.lo) / 255;
    const span = m.hi - m.lo || 1;
    for (let i = 0; i < m.bytes.length; i++) gap = Math.max(gap, Math.abs(values[k][i] - (m.lo + s * m.bytes[i])) / span);
  });
  return gap;
}

const SUB = '₀₁₂₃₄₅₆₇₈₉';
const sub = (n) => String(n).split('').map((d) => SUB[Number(d)]).join('');

/** How the product is written for L weight layers: {W: 'W₁·W₂·W₃', b: '(b₁·W₂ + b₂)·W₃ + b₃', sizes: '(2×8)·(8×8)·(8×1) = (2×1)'}. */
export function chain(layers) {
  const L = layers.length;
  const W = Array.from({ length: L }, (_, l) => `W${sub(l + 1)}`).join('·');
  let b = `b${sub(1)}`;
  for (let l = 2; l <= L; l++) b = `${l > 2 ? `(${b})` : b}·W${sub(l)} + b${sub(l)}`;
  const dims = layers.map((p) => `(${p.weights.length}×${p.bias.length})`).join('·');
  return { W, b, sizes: `${dims} = (${layers[0].weights.length}×${layers[L - 1].bias.length})` };
}
