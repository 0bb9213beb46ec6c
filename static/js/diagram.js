// The network diagram's shape from the state, drawn before the server confirms it (inputs,
// hidden layers, outputs), and the explainer for the activation × task × depth on show,
// from the vocabulary's texts. Pure: no DOM.

import { featureCount, isUpload } from './state.js';

/** NetworkView.build's spec for state `s` (`dataset` once known; `order`: the server's input order). */
export function diagramSpec(s, vocab, dataset = null, order = null) {
  const twoD = featureCount(s, vocab, dataset) === 2;
  const used = dataset ? (isUpload(s) && s.feat.length ? s.feat : dataset.features) : null;
  const rename = (label) => (isUpload(s) && twoD && used ? label.replace('x₁', used[0]).replace('x₂', used[1]) : label);
  const inputs = twoD
    ? vocab.transforms.map((t) => ({ key: t.key, label: rename(t.label), active: s.inputs.includes(t.key), toggle: true }))
    : (used || vocab.transforms.slice(0, 1).map((t) => t.label)).map((f) => ({ key: f, label: f, active: true, toggle: false }));
  let outputs = ['output'];
  if (dataset && dataset.task === 'classification' && dataset.classes) {
    outputs = dataset.classes.length > 2 ? dataset.classes.slice() : [`P(${dataset.classes[1]})`];
  } else if (dataset && dataset.task === 'regression') outputs = [dataset.target];
  return { inputs, hidden: s.layers.slice(), outputs, editable: true, inputOrder: order, maxNeurons: vocab.limits.max_neurons };
}

/** The network explainer for `act` neurons on `task` with `depth` hidden layers. */
export function explainerText(vocab, act, task, depth) {
  const byDepth = (vocab.texts.network[act] || {})[task];
  return byDepth ? byDepth[depth === 0 ? '0' : depth === 1 ? '1' : '2+'] : '';
}

/** The state with one input switched on or off, in the vocabulary's order (null: none would be left). */
export function toggledInputs(s, vocab, key, on) {
  const next = on ? [...s.inputs, key] : s.inputs.filter((k) => k !== key);
  const inputs = vocab.transforms.map((t) => t.key).filter((k) => next.includes(k));
  return inputs.length ? inputs : null;
}

/** The layer sizes with hidden layer `h` grown or shrunk by `d` neurons (1 … max_neurons). */
export function resizedLayer(layers, vocab, h, d) {
  return layers.map((n, k) => (k === h ? Math.max(1, Math.min(vocab.limits.max_neurons, n + d)) : n));
}

/** The layer sizes with a hidden layer added (a copy of the last, or 4) or the last removed. */
export function addedLayer(layers, vocab, d) {
  if (d > 0 && layers.length < vocab.limits.max_hidden_layers) return [...layers, layers.length ? layers[layers.length - 1] : 4];
  if (d < 0) return layers.slice(0, -1);
  return layers;
}
