// Symmetry: while every neuron of a hidden layer has the same incoming weights and bias (as
// constant initialisation makes them), the page says so and why gradient descent keeps them
// identical; "break the symmetry" adds a little noise to the weights and sends them back.
//
// Public interface (what the page calls):
//   new SymmetryNotice({ onBreak() })   the page adds the noise (withNoise) and sends it
//   update(frame)                       check a frame's weights
//   identicalLayers(layers), withNoise(layers, scale, rand)   pure helpers

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

/** Every weight plus uniform noise of ±`scale`·(typical |w| + 0.1); biases too, a little. */
export function withNoise(layers, scale = 0.1, rand = Math.random) {
  return layers.map(({ weights, bias }) => {
    let m = 0;
    let n = 0;
    for (const row of weights) for (const v of row) { m += Math.abs(v); n++; }
    const eps = scale * (m / (n || 1) + 0.1);
    return {
      weights: weights.map((row) => row.map((v) => v + (2 * rand() - 1) * eps)),
      bias: bias.map((v) => v + (2 * rand() - 1) * eps * 0.5),
    };
  });
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
