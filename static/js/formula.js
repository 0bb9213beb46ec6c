// The hovered neuron's formula for the output map's caption, with the frame's numbers: the
// neuron card's own formula (card-model.js), so the page writes a formula one way.

import { neuronOf, formula } from './card-model.js';

/** "h1.2 = tanh(0.31·x₁ − 1.2·x₂ + 0.05)" for `ref` = {layer, index}; net = init.network. */
export function formulaText(ref, frame, net, nodeName) {
  if (!ref || !frame || !net) return '';
  const p = frame.layers[ref.layer - 1];
  if (!p) return '';
  const names = p.weights.map((_, i) => nodeName(ref.layer - 1, i));
  return formula(neuronOf(net, ref), p, ref.index, names, nodeName(ref.layer, ref.index), net.classes);
}
