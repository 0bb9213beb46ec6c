// The hidden space's numbers (static/js/hidden-model.js): projections, PCA, the drawn box and
// the output read on a plane of hidden space, by hand and against a real frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { projections, moments, topDirection, projection, projectMaps, stripY, neuronAxis, frameRange, outputAffine, outputGrid, valueRange } from '../../static/js/hidden-model.js';
import { decodeMaps } from '../../static/js/maps.js';
import { useVocabulary } from '../../static/js/vocabulary.js';
import { fixture, frameFixture, step } from './load.mjs';

useVocabulary(fixture('vocabulary.json'));
const { frame } = await frameFixture('xor-3-2');
const train = decodeMaps(frame.hidden_points.train, []);
const out = frame.layers[2];
const near = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≠ ${b}`);
/** Maps of exact values (bytes 0…255 over lo = 0, hi = 255). */
const exact = (values) => ({ lo: 0, hi: 255, bytes: Uint8Array.from(values) });

test('which projections apply', () => {
  assert.deepEqual(projections(1, false), ['strip']);
  assert.deepEqual(projections(2, true), ['axes']);
  assert.deepEqual(projections(5, false), ['out', 'pca', 'pick']);
  assert.deepEqual(projections(5, true), ['pca', 'pick']);
});

test('two neurons are the axes: every point lands on its hidden values', () => {
  const proj = projection('axes', 2, train, out);
  const P = projectMaps(train, proj);
  for (let i = 0; i < P.X.length; i++) {
    near(P.X[i], train[0].lo + step(train[0]) * train[0].bytes[i], 1e-6);
    near(P.Y[i], train[1].lo + step(train[1]) * train[1].bytes[i], 1e-6);
  }
  // and the output's boundary there is v·h + c = 0
  const [g] = outputAffine('axes', proj, out);
  assert.deepEqual([g.gx, g.gy, g.g0], [out.weights[0][0], out.weights[1][0], out.bias[0]]);
});

test('along the output weights: X = v·h/|v|, so the boundary is the vertical line X = −c/|v|', () => {
  const o = { weights: [[3], [4], [0]], bias: [-10] };
  const maps = [exact([0, 10, 20]), exact([5, 5, 5]), exact([1, 2, 3])];
  const proj = projection('out', 3, maps, o);
  const P = projectMaps(maps, proj);
  [[0, 5], [10, 5], [20, 5]].forEach(([a, b], i) => near(P.X[i], (3 * a + 4 * b) / 5, 1e-5));
  const [g] = outputAffine('out', proj, o);
  assert.deepEqual([g.gx, g.gy, g.g0], [5, 0, -10]); // 5·X − 10 = 0 at X = 2 = −c/|v|
  assert.ok(proj.exact);
});

test('PCA: the main direction of points spread along (1, 2, 0), and the next one across it', () => {
  const ts = [-4, -2, 0, 2, 4];
  const wobble = [3, -6, 6, -6, 3]; // uncorrelated with t, and smaller
  const maps = [exact(ts.map((t) => 100 + t * 10)), exact(ts.map((t) => 100 + t * 20)), exact(wobble.map((e) => 100 + e))];
  const { mu, C } = moments(maps);
  near(mu[0], 100, 1e-9);
  const v = topDirection(C, 3, []);
  const n = Math.hypot(1, 2);
  near(Math.abs(v[0]), 1 / n, 1e-6);
  near(Math.abs(v[1]), 2 / n, 1e-6);
  near(v[2], 0, 1e-6);
  const u = topDirection(C, 3, [v]);
  near(u[0] * v[0] + u[1] * v[1] + u[2] * v[2], 0, 1e-9);
  near(Math.abs(u[2]), 1, 1e-6); // the third neuron's spread is what is left
  // a warm start keeps the sign from frame to frame
  const flipped = topDirection(C, 3, [], Float64Array.from(v, (x) => -x));
  near(flipped[0], -v[0], 1e-9);
  const proj = projection('pca', 3, maps, { weights: [[1], [1], [1]], bias: [0] });
  const P = projectMaps(maps, proj);
  near(P.X.reduce((a, b) => a + b, 0), 0, 1e-3); // centred on the mean
  assert.ok(!proj.exact);
});

test('one neuron: the points spread by class, or at their target', () => {
  const p = { X: new Float32Array(3), Y: new Float32Array(3) };
  stripY(p, [0, 1, 1], 2, false);
  assert.ok(p.Y[0] > 0.1 && p.Y[0] < 0.4 && p.Y[1] > 0.6 && p.Y[1] < 0.9);
  stripY(p, [3.5, -1, 2], 2, true);
  assert.deepEqual(Array.from(p.Y), [3.5, -1, 2]);
});

test('the drawn box: a bounded activation\'s own range on neuron axes, else fitted and steady', () => {
  assert.deepEqual(neuronAxis('sigmoid'), [-0.04, 1.04]);
  assert.deepEqual(neuronAxis('tanh'), [-1.06, 1.06]);
  assert.equal(neuronAxis('relu'), null);
  assert.deepEqual(frameRange([], { mode: 'axes', act: 'sigmoid' }).box, [-0.04, 1.04, -0.04, 1.04]);
  const pts = { X: Float32Array.of(0, 10), Y: Float32Array.of(0, 2) };
  const { box, range } = frameRange([pts], { mode: 'pca', act: 'relu', regression: false, prev: null });
  near(box[1] - box[0], box[3] - box[2]); // one scale on both axes
  near(box[0], -0.6, 1e-6);
  const again = frameRange([{ X: Float32Array.of(4, 5), Y: Float32Array.of(1, 1) }], { mode: 'pick', act: 'relu', regression: false, prev: range });
  assert.ok(again.box[0] < 4 && again.box[1] > 5); // shrinks slowly, not at once
});

test('the output on a plane of hidden space: probability, value, or each class\'s share', () => {
  const n = 2;
  const box = [0, 2, 0, 2]; // cell centres at 0.5 and 1.5
  const buf = () => Array.from({ length: 8 }, () => new Uint8Array(n * n));
  const [p] = outputGrid([{ gx: 1, gy: 0, g0: -1 }], box, n, 'binary', null, [0, 1], buf());
  assert.deepEqual(Array.from(p), [Math.round(255 / (1 + Math.exp(0.5))), Math.round(255 / (1 + Math.exp(-0.5))), Math.round(255 / (1 + Math.exp(0.5))), Math.round(255 / (1 + Math.exp(-0.5)))]);
  const [v] = outputGrid([{ gx: 0, gy: 1, g0: 0 }], box, n, 'regression', { mean: 10, std: 2 }, [10, 14], buf());
  assert.deepEqual(Array.from(v), [Math.round(0.25 * 255), Math.round(0.25 * 255), Math.round(0.75 * 255), Math.round(0.75 * 255)]);
  const K = outputGrid([{ gx: 0, gy: 0, g0: 0 }, { gx: 0, gy: 0, g0: Math.log(3) }], box, n, 'multiclass', null, [0, 1], buf());
  assert.equal(K.length, 2);
  assert.deepEqual(Array.from(K[0]), [64, 64, 64, 64]); // 1 / (1 + 3)
  assert.deepEqual(Array.from(K[1]), [191, 191, 191, 191]);
  assert.deepEqual(valueRange([3, 3]), [2, 4]);
});
