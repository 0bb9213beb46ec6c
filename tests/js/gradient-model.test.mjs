// The slow-motion step's geometry and numbers (static/js/gradient-model.js), against the
// drawing kit's own mappers (draw.js) and hand-computed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { cutGeometry, foot, sameLayers, magnified, neuronGradient, pixelLine, pushOf, sgdStep, stepArrows, stepGeometry, withNeuron, zoomFor } from '../../static/js/gradient-model.js';
import { mappers } from '../../static/js/draw.js';

const near = (a, b, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`);
const info = { x: [-3, 5], y: [-1, 2] };
const mp = mappers(info, 64, 250, 200);
const onPx = (l, p) => (l.a * p[0] + l.b * p[1] + l.c) / Math.hypot(l.a, l.b);

// a gradient answer's shape (GET /gradient): 2 inputs, 2 hidden neurons, 1 output
const g = {
  layers: [{ weights: [[1, 2], [3, 4]], bias: [5, 6] }, { weights: [[7], [8]], bias: [9] }],
  gradient: [{ weights: [[0.1, 0.2], [0.3, 0.4]], bias: [0.5, 0.6] }, { weights: [[0.7], [0.8]], bias: [0.9] }],
  next_layers: null,
  delta_maps: [[[[[0.1, -0.3]], [[0.2, 0.05]]], [[[0, 0]], [[0, 0]]]]],
  delta_points: [[[0.01, -0.02, 0.4], [0, 0, 0]]],
};

test("one neuron's column of weights, gradient and next weights", () => {
  const n = neuronGradient(g, { layer: 1, index: 1 });
  assert.deepEqual(n.now, { w: [2, 4], b: 6 });
  assert.deepEqual(n.grad, { w: [0.2, 0.4], b: 0.6 });
  assert.equal(n.next, null);
  assert.deepEqual(neuronGradient(g, { layer: 2, index: 0 }).grad, { w: [0.7, 0.8], b: 0.9 });
});

test('a step, magnified, and put back into its layer', () => {
  const now = { w: [2, 4], b: 6 };
  const next = sgdStep(now, { w: [0.2, 0.4], b: 0.6 }, 0.5);
  assert.deepEqual(next, { w: [1.9, 3.8], b: 5.7 });
  const m = magnified(now, next, 10);
  near(m.w[0], 1); near(m.w[1], 2); near(m.b, 3);
  assert.deepEqual(magnified(now, next, 1), next);
  assert.deepEqual(withNeuron(g.layers[0], 1, next), { weights: [[1, 1.9], [3, 3.8]], bias: [5, 5.7] });
});

test('a raw-unit line in pixels goes through the pixels of its raw points', () => {
  const line = { A: 0.7, B: -1.3, C: 0.4 };
  const l = pixelLine(line, mp, 250, 200);
  for (const X of [-2, 0, 3.5]) {
    const Y = -(line.A * X + line.C) / line.B;
    near(onPx(l, [mp.X(X), mp.Y(Y)]), 0, 1e-9);
  }
});

test('the arrows start on the line now and end at the foot of the perpendicular on the next', () => {
  const l = { a: 1, b: 1, c: -10 };
  const f = foot([0, 0], l);
  near(f[0], 5); near(f[1], 5);
  const arrows = stepArrows([0, 0], [10, 0], l, 2);
  assert.deepEqual(arrows.map(([s]) => s), [[2.5, 0], [7.5, 0]]);
  for (const [s, e] of arrows) {
    near(onPx(l, e), 0);
    near((e[0] - s[0]) * 1 - (e[1] - s[1]) * 1, 0); // along the normal (1, 1)
  }
});

test('the geometry of a step in 2-D and in 1-D', () => {
  const now = { A: 1, B: -1, C: 0 }; // X = Y
  const next = { A: 1, B: -1, C: 0.2 };
  const geo = stepGeometry(now, next, mp, 250, 200);
  assert.equal(geo.arrows.length, 3);
  const ln = pixelLine(now, mp, 250, 200);
  const lx = pixelLine(next, mp, 250, 200);
  for (const [s, e] of geo.arrows) { near(onPx(ln, s), 0, 1e-9); near(onPx(lx, e), 0, 1e-9); }
  assert.equal(stepGeometry({ A: 1, B: 0, C: -100 }, next, mp, 250, 200), null); // X = 100: off the map
  const cut = cutGeometry({ A: 2, C: -1 }, { A: 2, C: -2 }, mp, 200);
  near(cut.now, mp.X(0.5)); near(cut.next, mp.X(1));
  for (const [s, e] of cut.arrows) { assert.equal(s[1], e[1]); near(e[0], mp.X(1)); }
  assert.equal(cutGeometry({ A: 0, C: 1 }, { A: 1, C: 0 }, mp, 200), null);
});

test('the magnification is the first of 1, 2, 5, 10… that makes an arrow 14 px long', () => {
  const arrowsAt = (m) => [[[0, 0], [0.3 * m, 0]], [[0, 0], [0.1 * m, 0]]];
  assert.equal(zoomFor(arrowsAt), 50); // 0.3·50 = 15 px
  assert.equal(zoomFor(() => [[[0, 0], [20, 0]]]), 1);
  assert.equal(zoomFor(() => null), 10000);
});

test('the push −δ of a neuron and its one scale over every class and the dots', () => {
  const p = pushOf(g, { layer: 1, index: 0 }, 0);
  assert.deepEqual(Array.from(p.map), [-0.1, 0.3]);
  assert.deepEqual(p.dots, [-0.01, 0.02, -0.4]);
  near(p.M, 0.4);
  assert.deepEqual(Array.from(pushOf(g, { layer: 1, index: 0 }, 1).map), [-0.2, -0.05]);
  const reg = pushOf({ ...g, delta_maps: null }, { layer: 1, index: 1 }, 0);
  assert.equal(reg.map, null);
  assert.equal(reg.M, 1); // all zero: a scale that is not empty
});

test('the same layers: every number equal', () => {
  const copy = JSON.parse(JSON.stringify(g.layers));
  assert.ok(sameLayers(g.layers, copy));
  copy[1].weights[1][0] = 8.000001;
  assert.ok(!sameLayers(g.layers, copy));
  assert.ok(!sameLayers(g.layers, g.layers.slice(1)));
  assert.ok(!sameLayers(null, g.layers));
});
