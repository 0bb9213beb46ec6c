// The hovered neuron's formula for the output map's caption: its weighted sum with the
// frame's numbers, inside its activation's symbol (the vocabulary's). Pure: no DOM.

import { fmtNum } from './format.js';

const SHOWN = 8; // terms written out; the rest are counted

/** The symbol a neuron's formula writes for activation `key` ('' = none). */
function symbolOf(vocab, key) {
  const a = vocab.activations.find((x) => x.key === key);
  if (a) return a.symbol;
  return key === 'identity' ? '' : key;
}

/** "h1.2, a tanh neuron: h1.2 = tanh(0.31·x₁ − 1.2·x₂ + 0.05)" for `ref` = {layer, index}. */
export function formulaText(ref, frame, net, vocab, nodeName) {
  if (!ref || !frame || !net) return '';
  const layer = frame.layers[ref.layer - 1];
  if (!layer) return '';
  const j = ref.index;
  const isOut = ref.layer === frame.layers.length;
  const name = nodeName(ref.layer, j);
  const terms = layer.weights.map((row, i) => [row[j], nodeName(ref.layer - 1, i)]);
  const sign = (w, first) => (first ? (w < 0 ? '−' : '') : (w < 0 ? ' − ' : ' + '));
  const shown = terms.slice(0, SHOWN).map(([w, x], k) => `${sign(w, k === 0)}${fmtNum(Math.abs(w))}·${x}`).join('');
  const more = terms.length > SHOWN ? ` + … (${terms.length - SHOWN} more)` : '';
  const b = layer.bias[j];
  let lead;
  let f;
  if (isOut) {
    const out = vocab.tasks.find((t) => t.key === net.task).output;
    f = symbolOf(vocab, out.activation);
    lead = `${name === 'output' ? 'The output' : `Output ${name}`} (${out.label}):`;
  } else {
    const a = vocab.activations.find((x) => x.key === net.activation);
    f = a.symbol;
    lead = `${name}, a ${a.label} neuron:`;
  }
  return `${lead} ${name} = ${f}(${shown}${more} ${b < 0 ? '−' : '+'} ${fmtNum(Math.abs(b))})`;
}
