// One equivalent layer (static/js/collapse-model.js): the product of the weight matrices and the
// folded bias give a linear network's output at every point, in standardized and in raw units.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { activate, chain, collapse, inRawUnits, largestGap, outputGrid, quantise } from '../../static/js/collapse-model.js';
import { fixture } from './load.mjs';

const { init, frame } = fixture('xor-3-2.json'); // a 2-3-2-1 network: its numbers, read as linear
const layers = frame.layers;

/** The network with every hidden activation linear, forward at standardized input z. */
function linearNet(z) {
  let a = z;
  for (const { weights, bias } of layers) a = bias.map((b, k) => a.reduce((s, v, j) => s + v * weights[j][k], b));
  return a;
}

test('W = W1·W2·W3 and b = (b1·W2 + b2)·W3 + b3 give the linear network at any point', () => {
  const eq = collapse(layers);
  assert.equal(eq.W.length, 2);
  assert.equal(eq.W[0].length, 1);
  for (const z of [[0, 0], [1, -2], [-3.5, 0.25], [10, 7]]) {
    const one = eq.b[0] + eq.W[0][0] * z[0] + eq.W[1][0] * z[1];
    assert.ok(Math.abs(one - linearNet(z)[0]) < 1e-9, `${z}`);
  }
  // the bias alone is the network at z = 0, by hand: (b1·W2 + b2)·W3 + b3
  const [W2, W3] = [layers[1].weights, layers[2].weights];
  const b2 = [0, 1].map((k) => layers[0].bias.reduce((s, v, j) => s + v * W2[j][k], layers[1].bias[k]));
  const b3 = b2.reduce((s, v, j) => s + v * W3[j][0], layers[2].bias[0]);
  assert.ok(Math.abs(eq.b[0] - b3) < 1e-12);
});

test('in raw units the standardization is folded in: the same value at raw points', () => {
  const model = init.model;
  const eq = collapse(layers);
  const raw = inRawUnits(eq, model, init.network.inputs, ['x1', 'x2']);
  assert.deepEqual(raw.names, ['x1', 'x2']);
  const { mean, std } = model.standardize;
  for (const x of [[0, 0], [2, -1], [-4, 3]]) {
    const z = x.map((v, f) => (v - mean[f]) / std[f]);
    const got = raw.b[0] + raw.W[0][0] * x[0] + raw.W[1][0] * x[1];
    assert.ok(Math.abs(got - linearNet(z)[0]) < 1e-9);
  }
  // a regression's target units: ŷ = std_y·(w·z + b) + mean_y
  const reg = inRawUnits(eq, { ...model, target_standardize: { mean: 3, std: 2 } }, init.network.inputs, ['x1', 'x2']);
  const z = [(1 - mean[0]) / std[0], (1 - mean[1]) / std[1]];
  assert.ok(Math.abs(reg.b[0] + reg.W[0][0] + reg.W[1][0] - (2 * linearNet(z)[0] + 3)) < 1e-9);
  // an input that is not a feature itself (x₁²): no raw form
  assert.equal(inRawUnits({ W: [[1], [1], [1]], b: [0] }, { ...model, transforms: ['x1', 'x2', 'x1sq'] }, ['x1', 'x2', 'x1sq'], ['x1', 'x2']), null);
});

test('the one layer over the grid: row i is the i-th y, column j the j-th x; it rounds like the server', () => {
  const info = { G: 5, x: [-2, 2], y: [0, 4], oneD: false, task: 'binary', features: ['x1', 'x2'] };
  const model = { standardize: { mean: [0, 0], std: [1, 1] } };
  const raw = { W: [[1], [-1]], b: [0.5], names: ['x1', 'x2'] };
  const [p] = outputGrid(raw, info, model);
  assert.equal(p.length, 25);
  assert.ok(Math.abs(p[0] - activate('binary', [-2 - 0 + 0.5])[0]) < 1e-12); // x = −2, y = 0
  assert.ok(Math.abs(p[2 * 5 + 4] - activate('binary', [2 - 2 + 0.5])[0]) < 1e-12); // x = 2, y = 2
  const m = quantise(p, 0, 1);
  assert.equal(m.bytes[0], Math.floor(p[0] * 255 + 0.5));
  assert.ok(largestGap([p], [m]) <= 0.5 / 255 + 1e-12);
  const sm = activate('multiclass', [1, 2, 3]);
  assert.ok(Math.abs(sm.reduce((a, b) => a + b) - 1) < 1e-12 && sm[2] > sm[1]);
});

test('the product as it is written', () => {
  const c = chain(layers);
  assert.equal(c.W, 'W₁·W₂·W₃');
  assert.equal(c.b, '(b₁·W₂ + b₂)·W₃ + b₃');
  assert.equal(c.sizes, '(2×3)·(3×2)·(2×1) = (2×1)');
  assert.equal(chain(layers.slice(0, 2)).b, 'b₁·W₂ + b₂');
});
