// Symmetry: while every neuron of a hidden layer has the same incoming weights and bias (as
// constant initialisation makes them), the page says so and why gradient descent keeps them
// identical; "break the symmetry" draws those layers' incoming weights afresh at random.
//
// Public interface (what the page calls):
//   new SymmetryNotice({ onBreak() })   the page redraws the weights (redrawIdentical) and sends them
//   update(frame)                       check a frame's weights
//   breakSymmetry(layers, page)         draw the identical layers apart and send them
//   brokenText(redrawn)                 what was done, to say
//   identicalLayers(layers), redrawIdentical(layers, found, rand)   pure helpers

import { $ } from './dom.js';
import { viewText } from './vocabulary.js';

/** Hidden layers (1-based) of a frame whose neurons are all identical, with their sizes. */
export function identicalLayers(layers) {
  const out = [];
  for (let l = 0; l < layers.length - 1; l++) {
    const { weights: W, bias: b } = layers[l];
    const n = b.length;
    if (n < 2) continue;
    const same = (u, v) => Number.isFinite(u) && Number.isFinite(v) && Math.abs(u - v) <= 1e-9 * (1 + Math.abs(u));
    let all = true;
    for (let j = 1; j < n && all; j++) {
      if (!same(b[j], b[0])) all = false;
      for (let i = 0; i < W.length && all; i++) if (!same(W[i][j], W[i][0])) all = false;
    }
    if (all) out.push({ layer: l + 1, size: n });
  }
  return out;
}

/**
 * The layers with each identical hidden layer's incoming weights drawn afresh at random,
 * uniform within ±√(6 / (fan_in + fan_out)) (Xavier's range), and its biases set to 0; every
 * other weight is kept. Small noise is not enough once a run has stalled: the identical
 * neurons have grown large, saturated weights and stay together for thousands of steps.
 * Returns { layers, redrawn: [{ layer, size, range }] }; `found` is identicalLayers' answer.
 */
export function redrawIdentical(layers, found, rand = Math.random) {
  const redrawn = [];
  const out = layers.map(({ weights, bias }, l) => {
    const hit = found.find((f) => f.layer === l + 1);
    if (!hit) return { weights: weights.map((row) => [...row]), bias: [...bias] };
    const range = Math.sqrt(6 / (weights.length + bias.length));
    redrawn.push({ ...hit, range });
    return { weights: weights.map((row) => row.map(() => (2 * rand() - 1) * range)), bias: bias.map(() => 0) };
  });
  return { layers: out, redrawn };
}

/** The notice above the diagram; onBreak() adds the noise (main.js sends it to the server). */
export class SymmetryNotice {
  constructor({ onBreak }) {
    this.box = $('symmetry');
    this.text = $('symmetry-text');
    this.button = $('btn-break-symmetry');
    this.key = '';
    this.button.addEventListener('click', () => onBreak());
  }

  /** Check a frame's weights; show the notice while some layer's neurons are identical. */
  update(frame) {
    const found = frame && frame.layers ? identicalLayers(frame.layers) : [];
    const key = found.map((f) => `${f.layer}:${f.size}`).join(',');
    if (key === this.key) return;
    this.key = key;
    this.box.hidden = !found.length;
    if (!found.length) return;
    const which = found.length === 1
      ? viewText('symmetry', 'one', { size: found[0].size, layer: found[0].layer })
      : viewText('symmetry', 'several', { layers: found.map((f) => f.layer).join(', ') });
    this.text.textContent = viewText('symmetry', 'why', { which });
  }
}

/** What "break the symmetry" did, for the page to say. */
export function brokenText(redrawn) {
  return redrawn.map(({ layer, size, range }) => viewText('symmetry', 'broken', {
    layer, size, range: range.toFixed(2),
  })).join(' ') + ' ' + viewText('symmetry', 'broken_then');
}

/**
 * Draw the identical layers of `layers` (the live frame's) apart and send them through
 * page.setParameters; say what was done; a running run keeps running from there.
 * page = { running, pause(), play(), setParameters(layers) → Promise, say(text, kind) }.
 */
export function breakSymmetry(layers, page) {
  const { layers: apart, redrawn } = redrawIdentical(layers, identicalLayers(layers));
  if (!redrawn.length) return;
  if (page.running) page.pause();
  page.setParameters(apart).then(() => {
    page.say(brokenText(redrawn), 'info');
    if (page.running) page.play();
  }, () => {}); // a refusal is said by the stream's error handler
}
