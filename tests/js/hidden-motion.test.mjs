// The hidden space, moving (static/js/hidden-motion.js): the inputs it starts from, the forward
// pass, the keys and the straight moves between them, by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { motionInputs, standardize, gridPoints, carry, inputKey, project, layerProjection, keys, segment, at, keyBox, boxAt } from '../../static/js/hidden-motion.js';

const near = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≠ ${b}`);
const model = (over) => ({ activation: 'sigmoid', features: ['x1', 'x2'], transforms: ['x1', 'x2'], standardize: { mean: [1, -2], std: [2, 4] }, ...over });
const RAW = ['x1', 'x2'];

test('the motion starts from the drawn features, standardized, or not at all', () => {
  assert.deepEqual(motionInputs(model(), ['x1', 'x2'], RAW), [{ col: 0, mean: 1, std: 2 }, { col: 1, mean: -2, std: 4 }]);
  assert.equal(motionInputs(model({ transforms: ['x1', 'x2', 'x1sq'] }), ['x1', 'x2'], RAW), null); // x₁² is no plane
  assert.equal(motionInputs(model({ transforms: ['x2'] }), ['x1', 'x2'], RAW), null);
  // a CSV: features by name, the map's order may differ from the model's
  const csv = model({ features: ['b', 'a'], transforms: null });
  assert.deepEqual(motionInputs(csv, ['a', 'b'], RAW).map((c) => c.col), [1, 0]);
  assert.equal(motionInputs(model({ features: ['a', 'b', 'c'], transforms: null, standardize: { mean: [0, 0, 0], std: [1, 1, 1] } }), ['a', 'b'], RAW), null);
  assert.deepEqual(standardize([[3, 2]], motionInputs(model(), ['x1', 'x2'], RAW)), [[1, 1]]);
});

test('the grid: rows of constant y from the bottom, as the maps', () => {
  const g = gridPoints({ x: [0, 2], y: [10, 20] }, 3);
  assert.deepEqual(g.slice(0, 3), [[0, 10], [1, 10], [2, 10]]);
  assert.deepEqual(g[8], [2, 20]);
  assert.deepEqual(gridPoints({ x: [0, 1], y: null }, 3), [[0], [0.5], [1]]);
});

const LAYERS = [
  { weights: [[1, -1], [2, 0.5]], bias: [0.5, -1] }, // 2 → 2
  { weights: [[3], [-2]], bias: [0.1] }, // → output
];

test('the forward pass is z = a·W + b, then the activation', () => {
  const [{ z, a }] = carry([[1, 2]], LAYERS, 'tanh');
  assert.deepEqual(Array.from(z[0]), [1 + 4 + 0.5, -1 + 1 - 1]);
  near(a[0][0], Math.tanh(5.5));
  near(a[0][1], Math.tanh(-1));
  assert.deepEqual(Array.from(carry([[1, 2]], LAYERS, 'relu')[0].a[0]), [5.5, 0]);
});

test('one hidden layer: t = 0 the inputs, 0.5 the weighted sums, 1 the activations, straight between', () => {
  const rows = [[1, 2], [-1, 0.5]];
  const carried = carry(rows, LAYERS, 'sigmoid');
  const axes = { ax: [1, 0], ay: [0, 1], ox: 0, oy: 0 };
  const ks = keys(rows, carried, axes, []);
  assert.equal(ks.length, 3);
  const pairs = (p) => Array.from(p.X, (x, i) => [x, p.Y[i]]);
  assert.deepEqual(pairs(at(ks, 0)), pairs(inputKey(rows)));
  const z = carried[0].z;
  pairs(at(ks, 0.5)).forEach(([x, y], i) => { near(x, z[i][0], 1e-6); near(y, z[i][1], 1e-6); });
  const h = carried[0].a;
  pairs(at(ks, 1)).forEach(([x, y], i) => { near(x, h[i][0], 1e-6); near(y, h[i][1], 1e-6); });
  // a quarter of the way: halfway from x to z
  pairs(at(ks, 0.25)).forEach(([x, y], i) => { near(x, (rows[i][0] + z[i][0]) / 2, 1e-6); near(y, (rows[i][1] + z[i][1]) / 2, 1e-6); });
  // three quarters: halfway from z to σ(z)
  pairs(at(ks, 0.75)).forEach(([x], i) => near(x, (z[i][0] + h[i][0]) / 2, 1e-6));
});

test('deeper: each layer an equal share of t; a wide earlier layer on its main directions', () => {
  const deep = [{ weights: [[1, 0, 2], [0, 1, -1]], bias: [0, 0, 1] }, { weights: [[1, 0], [0, 1], [1, 1]], bias: [0, 0] }, { weights: [[1], [1]], bias: [0] }];
  const rows = [[0, 0], [1, 0], [0, 1], [2, 3]];
  const carried = carry(rows, deep, 'tanh');
  const earlier = [layerProjection(carried[0].a)];
  const ks = keys(rows, carried, { ax: [1, 0], ay: [0, 1], ox: 0, oy: 0 }, earlier);
  assert.equal(ks.length, 5);
  assert.deepEqual(segment(5, 0.5), { k: 2, s: 0 }); // t = 0.5: the first layer's activations
  const p = at(ks, 0.5);
  const e = project(carried[0].a, earlier[0]);
  assert.deepEqual(Array.from(p.X), Array.from(e.X));
  // PCA: unit directions, orthogonal, centred on the points' mean
  const { ax, ay } = earlier[0];
  near(Math.hypot(...ax), 1, 1e-9);
  near(ax.reduce((s, v, j) => s + v * ay[j], 0), 0, 1e-9);
  near(e.X.reduce((s, v) => s + v, 0), 0, 1e-5);
  assert.deepEqual(Array.from(at(ks, 1).X), Array.from(Float32Array.from(carried[1].a, (r) => r[0])));
  // one neuron in an earlier layer: (h, 0)
  const one = layerProjection([[0.3], [0.7]]);
  assert.deepEqual(Array.from(project([[0.3]], one).Y), [0]);
});

test('with one last neuron the view spreads the points up, at every key of that layer', () => {
  const one = [{ weights: [[1], [1]], bias: [0] }, { weights: [[1]], bias: [0] }];
  const rows = [[1, 2], [3, 4]];
  const ks = keys(rows, carry(rows, one, 'sigmoid'), { ax: [1], ay: [0], ox: 0, oy: 0 }, [], Float32Array.of(0.25, 0.75));
  assert.deepEqual(Array.from(ks[1].Y), [0.25, 0.75]);
  assert.deepEqual(Array.from(ks[2].Y), [0.25, 0.75]);
  assert.deepEqual(Array.from(ks[1].X), [3, 7]);
});

test('the box moves with the points', () => {
  const b = keyBox({ X: Float32Array.of(0, 10), Y: Float32Array.of(5, 5) });
  near(b[0], -0.6, 1e-6); near(b[1], 10.6, 1e-6);
  assert.deepEqual(b.slice(2), [4.5, 5.5]);
  assert.deepEqual(boxAt([[0, 1, 0, 1], [2, 3, 2, 3], [4, 5, 4, 5]], 0.25), [1, 2, 1, 2]);
  assert.deepEqual(boxAt([[0, 1, 0, 1], [2, 3, 2, 3]], 1), [2, 3, 2, 3]);
});
