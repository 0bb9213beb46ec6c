// Runs side by side, the maths: the page's hash (which runs), TensorBoard's smoothing of a
// loss curve, the configs' differences in words, the spread of final losses and whether the
// runs agree, and which step each run shows. Pure: numbers and words in, numbers and words out.

import { fill } from './format.js';

export const MAX_SEEDS = 16;
export const DEFAULT_SEEDS = 8;
export const DEFAULT_STEPS = 1000;
export const MAX_STEPS = 100000;
const AGREE = 1e-6; // relative spread at or below which final losses count as the same

const int = (text, lo, hi, fallback) => {
  const x = Number(text);
  return Number.isInteger(x) ? Math.min(hi, Math.max(lo, x)) : fallback;
};

/**
 * What a /runs hash asks for: {mode: 'ids', ids} (existing sessions), {mode: 'seeds', seeds,
 * steps, rest} (the playground's setup in `rest`, trained from seeds 0…K−1), or {mode: null}.
 */
export function parseRunsHash(hash) {
  const parts = String(hash || '').replace(/^#/, '').split('&').filter(Boolean);
  const get = (key) => {
    const p = parts.filter((x) => x.startsWith(`${key}=`)).pop();
    return p === undefined ? undefined : p.slice(key.length + 1);
  };
  const ids = get('ids');
  if (ids !== undefined) {
    const list = [...new Set(ids.split(',').map((x) => decodeURIComponent(x).trim()).filter(Boolean))];
    return { mode: 'ids', ids: list };
  }
  const seeds = get('seeds');
  if (seeds === undefined) return { mode: null };
  const rest = parts.filter((x) => !x.startsWith('seeds=') && !x.startsWith('steps=')).join('&');
  return {
    mode: 'seeds',
    seeds: int(seeds, 2, MAX_SEEDS, DEFAULT_SEEDS),
    steps: int(get('steps'), 1, MAX_STEPS, DEFAULT_STEPS),
    rest,
  };
}

/** A seeds hash (without '#'): `seeds=K&steps=N&` + the playground's hash. */
export function seedsHash(seeds, steps, rest) {
  return `seeds=${seeds}&steps=${steps}${rest ? `&${rest}` : ''}`;
}

/**
 * TensorBoard's smoothing: an exponential moving average with weight w in [0, 1), debiased
 * (divided by 1 − w^k after k points) so the start is not pulled toward 0. A missing or
 * non-finite value is passed through and does not enter the average.
 */
export function smooth(values, w) {
  let last = 0;
  let k = 0;
  return values.map((v) => {
    if (v === null || v === undefined || !Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    k++;
    return w > 0 ? last / (1 - w ** k) : v;
  });
}

/** {min, max, spread, order}: `order` the indices of the finite values, smallest first. */
export function spread(values) {
  const order = values.map((v, i) => [v, i]).filter(([v]) => Number.isFinite(v))
    .sort((a, b) => a[0] - b[0]).map(([, i]) => i);
  if (!order.length) return { min: null, max: null, spread: null, order };
  const min = values[order[0]];
  const max = values[order[order.length - 1]];
  return { min, max, spread: max - min, order };
}

/** Whether final losses agree: their spread at most 1e-6 of their size (all finite). */
export function agree(s, n) {
  if (s.spread === null || s.order.length !== n) return false;
  return s.spread <= AGREE * Math.max(Math.abs(s.max), 1e-12);
}

// ---------------------------------------------------------------- configs in words

/** The SessionConfig fields a person may want compared, in the order they are listed. */
export const FIELDS = ['dataset_id', 'target', 'features', 'transforms', 'view_features', 'hidden_layers',
  'activation', 'init', 'init_value', 'optimizer', 'learning_rate', 'batch_size', 'l1', 'l2', 'seed', 'test_fraction'];

/**
 * A config field's value in words. `words`: the page's words (values.none_hidden, …);
 * `label(kind, key)`: a vocabulary label (kind 'activation' | 'optimizer' | 'init' | 'transform').
 */
export function valueText(key, v, words, label) {
  const w = words.values;
  if (v === null || v === undefined) return w[`${key}_null`] ?? w.default;
  switch (key) {
    case 'hidden_layers': return v.length ? fill(w.hidden, { sizes: v.join('-') }) : w.none_hidden;
    case 'activation': case 'optimizer': case 'init': return label(key, v);
    case 'transforms': return v.map((t) => label('transform', t)).join(', ');
    case 'features': case 'view_features': return v.join(', ');
    case 'test_fraction': return `${Math.round(v * 1000) / 10}%`;
    default: return String(v);
  }
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The fields whose values differ across `configs`: [{key, label, values: [text per run]}].
 * The initial value matters only for the constant initialisation; the activation only with a
 * hidden layer.
 */
export function configDiff(configs, words, label) {
  const out = [];
  for (const key of FIELDS) {
    const vals = configs.map((c) => c[key]);
    if (vals.every((v) => same(v, vals[0]))) continue;
    if (key === 'init_value' && configs.every((c) => c.init !== 'constant')) continue;
    if (key === 'activation' && configs.every((c) => !(c.hidden_layers || []).length)) continue;
    out.push({ key, label: words.fields[key] || key, values: vals.map((v) => valueText(key, v, words, label)) });
  }
  return out;
}

/** Whether the runs' train/test splits are the same rows: same dataset, seed, share and target. */
export function sameSplit(configs) {
  return ['dataset_id', 'seed', 'test_fraction', 'target'].every((k) => configs.every((c) => same(c[k], configs[0][k])));
}

/**
 * Each run's legend name, by what differs: "learning rate 0.01" (several differences joined
 * by ", "), or words.run ("run {n}") when the configs are the same.
 */
export function runNames(diff, n, words) {
  return Array.from({ length: n }, (_, i) => {
    const parts = diff.filter((d) => d.key !== 'dataset_id').map((d) => `${d.label} ${d.values[i]}`);
    return parts.length ? parts.join(', ') : fill(words.run, { n: i + 1 });
  });
}

// ---------------------------------------------------------------- steps

/** The steps the shared step slider offers: every run's checkpoints and latest step, sorted. */
export function sliderSteps(runs) {
  const all = new Set();
  for (const r of runs) {
    for (const s of r.checkpoints || []) all.add(s);
    all.add(r.step);
  }
  return [...all].sort((a, b) => a - b);
}

/**
 * The step run `r` ({step, checkpoints}) shows when the slider is at `s`: its latest step from
 * there on, else its last checkpoint at or before `s` (0 when none is).
 */
export function stepShown(r, s) {
  if (s >= r.step) return r.step;
  let best = 0;
  for (const c of r.checkpoints || []) if (c <= s && c > best) best = c;
  return best;
}

/** Round-robin chunks: the next [run index, steps] to train, or null when all reached `total`. */
export function nextChunk(done, total, chunk, from = 0) {
  const n = done.length;
  for (let k = 0; k < n; k++) {
    const i = (from + k) % n;
    if (done[i] !== null && done[i] < total) return [i, Math.min(chunk, total - done[i])];
  }
  return null;
}

/** The index of the last of the sorted `steps` at or before `s` (0 when none is). */
export function indexAt(steps, s) {
  let lo = 0;
  let hi = steps.length - 1;
  if (hi < 0 || s < steps[0]) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (steps[mid] <= s) lo = mid; else hi = mid - 1;
  }
  return lo;
}
