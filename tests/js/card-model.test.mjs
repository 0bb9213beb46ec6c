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

// ---- how a deeper neuron combines its inputs' regions (AND, OR, a mix)
import { combination, combinationText } from '../../static/js/card-model.js';

/** The neuron's truth table with each input fully on (hi) or off (lo): on[mask] = z > 0. */
function truthTable(w, b, lo, hi) {
  const n = w.length;
  return Array.from({ length: 1 << n }, (_, m) => w.reduce((s, v, j) => s + v * ((m >> j) & 1 ? hi : lo), b) > 0);
}

/** Whether `table` is the AND (or the OR) of the literals of inputs `on` (on) and `off` (off). */
function isGate(gate, table, on, off) {
  const has = (m, j) => ((m >> j) & 1) === 1;
  return table.every((v, m) => {
    const lits = [...on.map((j) => has(m, j)), ...off.map((k) => !has(m, k))];
    return v === (gate === 'and' ? lits.every(Boolean) : lits.some(Boolean));
  });
}

test('combination: the kind it names is the truth table of fully-on/off inputs, and a mix is no AND or OR of any literals', () => {
  let seed = 7;
  const rand = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
  const seen = new Set();
  for (let t = 0; t < 3000; t++) {
    const n = 1 + Math.floor(rand() * 5);
    const w = Array.from({ length: n }, () => (rand() - 0.5) * 10);
    const b = (rand() - 0.5) * 12;
    for (const [lo, hi] of [[0, 1], [-1, 1]]) {
      const c = combination(w, b, [lo, hi]);
      const table = truthTable(w, b, lo, hi);
      seen.add(c.kind);
      assert.deepEqual(c.pushes, w.map((v) => v * (hi - lo)));
      if (c.kind === 'never') assert.ok(table.every((v) => !v));
      else if (c.kind === 'always') assert.ok(table.every((v) => v));
      else if (c.kind !== 'mix') {
        assert.ok(isGate(c.kind, table, c.on, c.off), `${c.kind} ${w} ${b}`);
        assert.ok(c.on.every((j) => w[j] > 0) && c.off.every((j) => w[j] < 0));
      } else {
        // no subset of literals, each input on (w > 0) or off (w < 0), ANDs or ORs to the table
        for (let S = 1; S < 1 << n; S++) {
          const idx = w.map((_, j) => j).filter((j) => (S >> j) & 1);
          const on = idx.filter((j) => w[j] > 0);
          const off = idx.filter((j) => w[j] < 0);
          for (const g of ['and', 'or']) assert.ok(!isGate(g, table, on, off), `mix, yet ${g} ${idx}: ${w} ${b}`);
        }
        assert.ok(table.some(Boolean) && !table.every(Boolean));
      }
    }
  }
  for (const k of ['never', 'always', 'and', 'or', 'mix']) assert.ok(seen.has(k), k);
  assert.equal(combination([1, 2], 0, [0, null]), null); // ReLU: no top to be fully on at
});

test('combination in words: the xor fixture\'s h2.1 is on only inside h1.3\'s half-plane and outside the others\'', () => {
  const p = frame.layers[1];
  const w = p.weights.map((row) => row[0]); // (−3.08, −4.04, 3.36), b = −0.94
  const c = combination(w, p.bias[0], [0, 1]);
  assert.equal(c.kind, 'and');
  assert.deepEqual([c.on, c.off], [[2], [0, 1]]);
  const text = combinationText(c, 'sigmoid', ['h1.1', 'h1.2', 'h1.3'], p.bias[0], 'half');
  assert.ok(text.includes('h1.1 down by 3.08, h1.2 down by 4.045, h1.3 up by 3.356'), text);
  assert.ok(text.includes('only where h1.3 is on and h1.1 and h1.2 are all off: an AND, the intersection of those half-planes (for a negative weight, the outside of its half-plane).'), text);
  const or = combinationText(combination([3, 3], -1, [0, 1]), 'sigmoid', ['h1.1', 'h1.2'], -1, 'half');
  assert.ok(or.endsWith('wherever h1.1 or h1.2 is on: an OR, the union of those half-planes.'), or);
  const orNot = combinationText(combination([6.8, -6.96, 6.78], 1.34, [0, 1]), 'sigmoid', ['h1.1', 'h1.2', 'h1.3'], 1.34, 'half');
  assert.ok(orNot.includes('wherever h1.1 or h1.3 is on, or h1.2 is off: an OR'), orNot);
  const and = combinationText(combination([3, 3], -4, [0, 1]), 'sigmoid', ['h1.1', 'h1.2'], -4, 'half');
  assert.ok(and.endsWith('only where h1.1 and h1.2 are all on: an AND, the intersection of those half-planes.'), and);
  const one = combinationText(combination([5, 0.1], -1, [0, 1]), 'sigmoid', ['h1.1', 'h1.2'], -1, 'half');
  assert.ok(one.endsWith('exactly where h1.1 is on: it follows that one half-plane.'), one);
  assert.ok(combinationText(null, 'relu', ['a'], 0, 'deep').includes('weighted mix of ramps'));
  assert.equal(combinationText(null, 'linear', ['a'], 0, 'deep'), '');
});
