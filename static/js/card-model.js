// The neuron card's numbers and words, without the DOM: which activation a neuron has, its
// formula, symbol, definition, lead text and zero level (from the vocabulary); its line
// w·x + b = 0 in the raw units of the view features (from init.model's standardization); and
// a deeper neuron's sum taken apart into the maps w_j·h_j it adds up (from the frame's maps).

import { activation, rawInputs, taskOutput, transformLabel, viewText, vocabulary } from './vocabulary.js';
import { fmtNum, weightedSum } from './format.js';
import { lineInRaw } from './units.js';

/**
 * Neuron `ref` = {layer (1 = first hidden, last = output), index} of network `net` (the init's
 * {sizes, inputs, activation, task, classes}): whether it is an output, its activation's key,
 * and which of the vocabulary's card texts describes it (first, deeper, output, output_alone).
 */
export function neuronOf(net, ref) {
  const isOutput = ref.layer === net.sizes.length - 1;
  const out = taskOutput(net.task);
  const depth = ref.layer === 1 ? 0 : 1;
  return {
    isOutput,
    act: isOutput ? out.activation : net.activation,
    text: isOutput ? ['output_alone', 'output'][depth] : ['first', 'deeper'][depth],
    perClass: isOutput && out.units === 'K', // one of K scores that softmax turns into probabilities
  };
}

/** The card's lead sentence: the vocabulary's, for this network's activation and task. */
export function leadText(net, neuron) {
  return vocabulary().texts.card[net.activation][net.task][neuron.text];
}

/**
 * How activation `key` is written: {symbol ('' = the sum as it is), name, formula}. A hidden
 * activation's words are the vocabulary's; an output's come from its task, and an output
 * without a bounded range (regression's) leaves the sum as it is.
 */
export function actWords(key) {
  const a = activation(key);
  if (a) return { symbol: a.symbol, name: a.symbol || a.label, formula: a.formula };
  const out = vocabulary().tasks.map((t) => t.output).find((o) => o.activation === key);
  const bounded = out.range[0] !== null || out.range[1] !== null;
  return { symbol: bounded ? out.label : '', name: bounded ? out.label : '', formula: out.formula };
}

/**
 * The value a neuron's map has where its sum is 0: the middle of its activation's range when
 * that is bounded (σ: 0.5, tanh: 0), 0 when it is unbounded both ways (linear, identity);
 * none for a one-sided range (ReLU) or a per-class output (it depends on the other scores).
 */
export function zeroLevel(neuron) {
  if (neuron.perClass) return undefined;
  const a = activation(neuron.act);
  const r = a ? a.range : outputRange(neuron.act);
  if (r[0] !== null && r[1] !== null) return (r[0] + r[1]) / 2;
  return r[0] === null && r[1] === null ? 0 : undefined;
}

function outputRange(key) {
  return vocabulary().tasks.map((t) => t.output).find((o) => o.activation === key).range;
}

/**
 * The neuron's formula with the live numbers: p = its weight layer {weights, bias}, index its
 * column, names of its inputs, name its own; classes for an output's probability.
 */
export function formula(neuron, p, index, names, name, classes) {
  const sum = weightedSum(p.weights.map((row, i) => [row[index], names[i]]), p.bias[index]);
  const { symbol, name: fn } = actWords(neuron.act);
  if (neuron.perClass) return `z${index + 1} = ${sum}   →   P(${classes[index]}) = ${fn}(z)${index + 1}`;
  if (!symbol && neuron.isOutput) return `${name === 'output' ? 'ŷ' : name} = ${sum}`;
  const lhs = neuron.isOutput && classes && classes.length === 2 ? `P(${classes[1]})` : name;
  return `${lhs} = ${fn}(${sum})`;
}

/** The inputs of a first-layer neuron that are not a view feature itself (x₁², sin x₂…), labelled. */
export function curvedInputs(model, inputs) {
  if (!model || !model.transforms) return [];
  const raw = rawInputs();
  return inputs.filter((k) => !raw.includes(k)).map(transformLabel);
}

/**
 * A first-layer neuron's zero line in the raw view features: A·X + B·Y + C = 0, or null when
 * one of its inputs is curved (then w·x + b = 0 is a curve in the plane). p = its layer,
 * index its column, inputs the network's input keys, features the two view features.
 */
export function rawLine(model, p, index, inputs, features) {
  if (!model) return null;
  const feats = model.features;
  const raw = rawInputs();
  const terms = [];
  for (let i = 0; i < inputs.length; i++) {
    const f = model.transforms ? raw.indexOf(inputs[i]) : feats.indexOf(inputs[i]);
    if (f < 0) return null;
    terms.push({ f, w: p.weights[i][index] });
  }
  const vy = features.length > 1 ? feats.indexOf(features[1]) : -1;
  return lineInRaw(model, terms, p.bias[index], feats.indexOf(features[0]), vy);
}

/**
 * A deeper neuron's sum map by map: terms[j] = w_j·h_j over the previous layer's decoded maps
 * ({lo, hi, bytes}), the bias b, their sum z (its pre-activation), and M, the largest |value|
 * of them all (one colour scale for every tile).
 */
export function breakdown(maps, weights, b) {
  const n = maps.length ? maps[0].bytes.length : 0;
  const z = new Float32Array(n).fill(b);
  let M = Math.abs(b);
  const terms = maps.map((m, j) => {
    const w = weights[j];
    const s = (m.hi - m.lo) / 255;
    const v = new Float32Array(n);
    for (let k = 0; k < n; k++) { v[k] = w * (m.lo + s * m.bytes[k]); z[k] += v[k]; }
    return v;
  });
  for (const arr of [...terms, z]) for (let k = 0; k < n; k++) { const a = Math.abs(arr[k]); if (a > M) M = a; }
  return { terms, z, M: M || 1 };
}

/** Values in [−M, M] as map bytes (−M ↦ 0, 0 ↦ 127.5, M ↦ 255). */
export function symmetricBytes(values, M) {
  const bytes = new Uint8Array(values.length);
  for (let k = 0; k < values.length; k++) bytes[k] = Math.max(0, Math.min(255, Math.round(((values[k] + M) / (2 * M)) * 255)));
  return bytes;
}

/** The breakdown's colour note. */
export function scaleNote(M) {
  return `colour: −${fmtNum(M)} … 0 … +${fmtNum(M)}, one scale for every tile`;
}

/**
 * How a deeper neuron combines its inputs' regions, read off its weights w and bias b as if
 * each input neuron were fully on (its activation's top, hi) or off (its bottom, lo). Where
 * input j is on rather than off it adds its push w_j·(hi − lo) to z, and the neuron is on
 * where z > 0. Call "input j is on" input j's literal when w_j > 0 and "input j is off" its
 * literal when w_j < 0 (its region's outside): every literal that holds raises z by |push|, from
 * z_none (no literal holds) to z_all (all do), so a few sums decide the whole truth table:
 *   never   z_all ≤ 0: off however the inputs are set
 *   always  z_none > 0: on however they are set
 *   and     on exactly where every literal of S holds (the others do not matter), an
 *           intersection; S can only be those whose loss alone turns z_all off: |push| ≥ z_all
 *   or      on exactly where some literal of S holds, a union; S can only be those that alone
 *           turn z_none on: |push| > −z_none
 *   mix     neither: no single AND or OR of whole regions says where
 * Null for inputs with no top and bottom (ReLU: unbounded; linear: no bends at all).
 * range: the inputs' activation range [lo, hi]. → {pushes, kind, on, off}: on and off the
 * inputs of S whose literal is "on" (w > 0) and "off" (w < 0).
 */
export function combination(w, b, [lo, hi]) {
  if (lo === null || hi === null || !w.length) return null;
  const pushes = w.map((v) => v * (hi - lo));
  const a = pushes.map(Math.abs);
  const zNone = w.reduce((s, v) => s + v * (v > 0 ? lo : hi), b); // P off, N on
  const zAll = a.reduce((s, v) => s + v, zNone);
  const split = (S) => ({ on: S.filter((j) => w[j] > 0), off: S.filter((j) => w[j] < 0) });
  const result = (kind, S = []) => ({ pushes, kind, ...split(S) });
  if (zAll <= 0) return result('never');
  if (zNone > 0) return result('always');
  const idx = w.map((_, j) => j).filter((j) => w[j] !== 0);
  const and = idx.filter((j) => a[j] >= zAll);
  if (and.length && zNone + and.reduce((s, j) => s + a[j], 0) > 0) return result('and', and);
  const or = idx.filter((j) => a[j] > -zNone);
  if (or.length && zAll - or.reduce((s, j) => s + a[j], 0) <= 0) return result('or', or);
  return result('mix');
}

/**
 * The card's words for combination(): how each input pushes and which AND / OR (if any) the
 * neuron computes. c: combination(…) or null; act: the inputs' activation key; names: the
 * inputs' names; b: the bias; where: 'half' (first-layer half-planes), 'ray' (1-D) or 'deep'.
 */
export function combinationText(c, act, names, b, where) {
  const region = viewText('card', `region_${where}`);
  const regions = viewText('card', `regions_${where}`);
  if (!c) return act === 'relu' ? viewText('card', 'combine_unbounded', { regions }) : '';
  const [lo, hi] = activation(act).range;
  const list = c.pushes.map((p, j) => viewText('card', p >= 0 ? 'push_up' : 'push_down', { name: names[j], by: fmtNum(Math.abs(p)) }));
  const pushes = viewText('card', 'combine_pushes', { hi: fmtNum(hi), lo: fmtNum(lo), region, list: list.join(', '), b: fmtNum(b) });
  if (c.kind !== 'and' && c.kind !== 'or') return `${pushes} ${viewText('card', `combine_${c.kind}`, { regions })}`;
  const kind = c.on.length + c.off.length === 1 ? 'one' : c.kind; // one literal: AND and OR alike
  // each side: "h1.1 and h1.3 are all on" (AND) or "h1.1 or h1.3 is on" (OR)
  const word = c.kind === 'and' ? ' and ' : ' or ';
  const side = (idx, state) => {
    if (!idx.length) return null;
    const many = idx.length > 1 && c.kind === 'and' ? 'many' : 'one';
    return viewText('card', `literal_${state}_${many}`, { names: idx.map((j) => names[j]).join(word) });
  };
  const parts = [side(c.on, 'on'), side(c.off, 'off')].filter(Boolean);
  const negated = c.off.length ? viewText('card', 'combine_outside', { region }) : '';
  return `${pushes} ${viewText('card', `combine_${kind}`, { parts: parts.join(viewText('card', `join_${c.kind}`)), region, regions, negated })}`;
}
