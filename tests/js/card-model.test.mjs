// The neuron card's numbers and words (static/js/card-model.js), against a real session's
// frame (tests/js/fixtures/xor-3-2.json: xor, two hidden layers of 3 and 2 sigmoid neurons).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { neuronOf, leadText, actWords, zeroLevel, formula, curvedInputs, rawLine, breakdown, symmetricBytes } from '../../static/js/card-model.js';
import { useVocabulary } from '../../static/js/vocabulary.js';
import { fixture, frameFixture, step } from './load.mjs';

const vocab = fixture('vocabulary.json');
useVocabulary(vocab);
const { init, frame, grids } = await frameFixture('xor-3-2');
const net = init.network;
const sigmoid = (t) => 1 / (1 + Math.exp(-t));

test('which neuron: its activation, its text, whether it is one of K scores', () => {
  assert.deepEqual(neuronOf(net, { layer: 1, index: 0 }), { isOutput: false, act: 'sigmoid', text: 'first', perClass: false });
  assert.equal(neuronOf(net, { layer: 2, index: 1 }).text, 'deeper');
  assert.deepEqual(neuronOf(net, { layer: 3, index: 0 }), { isOutput: true, act: 'sigmoid', text: 'output', perClass: false });
  const lr = { ...net, sizes: [2, 1] };
  assert.equal(neuronOf(lr, { layer: 1, index: 0 }).text, 'output_alone');
  const blobs = { ...net, sizes: [2, 3], task: 'multiclass' };
  assert.deepEqual(neuronOf(blobs, { layer: 1, index: 2 }), { isOutput: true, act: 'softmax', text: 'output_alone', perClass: true });
  assert.equal(leadText(net, neuronOf(net, { layer: 1, index: 0 })), vocab.texts.card.sigmoid.binary.first);
});

test('activation words and zero levels come from the vocabulary', () => {
  assert.equal(actWords('sigmoid').symbol, 'σ');
  assert.equal(actWords('tanh').formula, vocab.activations.find((a) => a.key === 'tanh').formula);
  assert.deepEqual(actWords('linear'), { symbol: '', name: 'linear', formula: 'linear(z) = z' });
  assert.equal(actWords('softmax').name, 'softmax');
  assert.equal(actWords('identity').symbol, '');
  const level = (act, isOutput = false, perClass = false) => zeroLevel({ act, isOutput, perClass });
  assert.equal(level('sigmoid'), 0.5);
  assert.equal(level('tanh'), 0);
  assert.equal(level('linear'), 0);
  assert.equal(level('relu'), undefined);
  assert.equal(level('identity', true), 0);
  assert.equal(level('softmax', true, true), undefined);
});

test('the formula writes the frame\'s numbers', () => {
  const p = frame.layers[0];
  const text = formula(neuronOf(net, { layer: 1, index: 1 }), p, 1, ['x₁', 'x₂'], 'h1.2', net.classes);
  const w = (v) => String(Number(Math.abs(v).toPrecision(4)));
  const s = (v) => (v < 0 ? '−' : '+');
  assert.equal(text, `h1.2 = σ(${p.weights[0][1] < 0 ? '−' : ''}${w(p.weights[0][1])}·x₁ ${s(p.weights[1][1])} ${w(p.weights[1][1])}·x₂ ${s(p.bias[1])} ${w(p.bias[1])})`);
  const out = formula(neuronOf(net, { layer: 3, index: 0 }), frame.layers[2], 0, ['h2.1', 'h2.2'], 'output', net.classes);
  assert.ok(out.startsWith('P(1) = σ('), out);
  const reg = formula({ isOutput: true, act: 'identity', perClass: false }, frame.layers[2], 0, ['h2.1', 'h2.2'], 'output', null);
  assert.ok(reg.startsWith('ŷ = ') && !reg.includes('('), reg);
  const soft = formula({ isOutput: true, act: 'softmax', perClass: true }, frame.layers[2], 0, ['h', 'g'], 'out a', ['a', 'b', 'c']);
  assert.ok(soft.endsWith('→   P(a) = softmax(z)1'), soft);
});

test('a first-layer neuron\'s line in raw units is where its map is 0.5', () => {
  const j = 0;
  const { A, B, C } = rawLine(init.model, frame.layers[0], j, net.inputs, init.grid.features);
  // by hand: z = Σ w_f·(x_f − mean_f)/std_f + b, zero on the line
  const { mean, std } = init.model.standardize;
  const W = frame.layers[0].weights;
  const b = frame.layers[0].bias[j];
  for (const X of [-3, 0, 2.5]) {
    const Y = -(A * X + C) / B;
    const z = (W[0][j] * (X - mean[0])) / std[0] + (W[1][j] * (Y - mean[1])) / std[1] + b;
    assert.ok(Math.abs(z) < 1e-9, z);
  }
  // and the map the server sent agrees: every clearly-decided cell is on the line's right side
  const m = grids.neurons[0][j];
  const g = init.grid.neuron_size;
  const [x0, x1] = init.grid.x;
  const [y0, y1] = init.grid.y;
  let checked = 0;
  for (let i = 0; i < g; i++) {
    for (let k = 0; k < g; k++) {
      const v = m.lo + step(m) * m.bytes[i * g + k];
      if (Math.abs(v - 0.5) < 0.02) continue;
      const X = x0 + ((x1 - x0) * k) / (g - 1);
      const Y = y0 + ((y1 - y0) * i) / (g - 1);
      assert.equal(A * X + B * Y + C > 0, v > 0.5, `cell ${i},${k}`);
      checked++;
    }
  }
  assert.ok(checked > g * g * 0.8);
});

test('with transforms: the raw inputs are the view features; a curved one has no line', () => {
  const model = { ...init.model, transforms: ['x1', 'x2'] };
  const plain = rawLine(init.model, frame.layers[0], 2, net.inputs, init.grid.features);
  assert.deepEqual(rawLine(model, frame.layers[0], 2, ['x1', 'x2'], init.grid.features), plain);
  const curved = { ...init.model, transforms: ['x1', 'x2', 'x1sq'] };
  const p = { weights: [...frame.layers[0].weights, [1, 1, 1]], bias: frame.layers[0].bias };
  assert.equal(rawLine(curved, p, 0, ['x1', 'x2', 'x1sq'], init.grid.features), null);
  assert.deepEqual(curvedInputs(curved, ['x1', 'x2', 'x1sq']), ['x₁²']);
  assert.deepEqual(curvedInputs(init.model, net.inputs), []);
  assert.equal(rawLine(null, p, 0, net.inputs, init.grid.features), null);
});

test('a deeper neuron\'s sum of weighted maps is its pre-activation: σ(z) is its own map', () => {
  const j = 1;
  const p = frame.layers[1];
  const prev = grids.neurons[0];
  const { terms, z, M } = breakdown(prev, p.weights.map((row) => row[j]), p.bias[j]);
  assert.equal(terms.length, 3);
  const own = grids.neurons[1][j];
  // rounding: each input map is within half a step; σ' ≤ 1/4; the own map within half a step
  const tol = p.weights.reduce((t, row, i) => t + Math.abs(row[j]) * step(prev[i]), 0) / 8 + step(own) / 2 + 1e-6;
  for (let k = 0; k < z.length; k++) {
    const sum = terms.reduce((t, v) => t + v[k], p.bias[j]);
    assert.ok(Math.abs(sum - z[k]) < 1e-4);
    const v = own.lo + step(own) * own.bytes[k];
    assert.ok(Math.abs(sigmoid(z[k]) - v) <= tol, `cell ${k}: ${sigmoid(z[k])} vs ${v}`);
    for (const arr of [...terms, z]) assert.ok(Math.abs(arr[k]) <= M);
  }
  assert.deepEqual(Array.from(symmetricBytes(Float32Array.of(-2, 0, 2, 5), 2)), [0, 128, 255, 255]);
});
