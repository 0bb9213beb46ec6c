// The neuron card's numbers and words, without the DOM: which activation a neuron has, its
// formula, symbol, definition, lead text and zero level (from the vocabulary); its line
// w·x + b = 0 in the raw units of the view features (from init.model's standardization); and
// a deeper neuron's sum taken apart into the maps w_j·h_j it adds up (from the frame's maps).

import { activation, rawInputs, taskOutput, transformLabel, vocabulary } from './vocabulary.js';
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
