// The 1-D sum of neurons (static/js/sums-model.js) against real frames: the weighted maps add
// up to the output map the server sent, within the maps' rounding; steps by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { sums, valueRange, stepOf, withStep, placeSteps } from '../../static/js/sums-model.js';
import { frameFixture, step } from './load.mjs';

const sine = await frameFixture('sine-5');
const interval = await frameFixture('interval-3');
const sigmoid = (t) => 1 / (1 + Math.exp(-t));

test('regression: Σ v_j·h_j + c in target units is the output map, within the rounding', () => {
  const { init, frame, grids } = sine;
  const d = sums(frame.layers, grids.neurons[0], grids.output[0], init.grid, init.model);
  const { mean, std } = init.model.target_standardize;
  const out = frame.layers[1];
  assert.equal(d.xs.length, init.grid.size);
  assert.equal(d.xs[0], init.grid.x[0]);
  assert.ok(Math.abs(d.xs[99] - init.grid.x[1]) < 1e-12);
  assert.ok(Math.abs(d.bias - (out.bias[0] * std + mean)) < 1e-12);
  // by hand: the maps' rounding bound
  const bound = grids.neurons[0].reduce((q, m, j) => q + Math.abs(out.weights[j][0] * std) * step(m), step(grids.output[0]));
  assert.ok(Math.abs(d.quant - bound) < 1e-12);
  let worst = 0;
  for (let k = 0; k < d.xs.length; k++) {
    const total = d.comps.reduce((t, c) => t + c[k], d.bias);
    assert.ok(Math.abs(total - d.sum[k]) < 1e-9);
    worst = Math.max(worst, Math.abs(d.sum[k] - d.output[k]));
    // each term is v_j·y_std times a sigmoid's value: between 0 and v_j·y_std
    d.comps.forEach((c, j) => {
      const vj = out.weights[j][0] * std;
      assert.ok(c[k] >= Math.min(0, vj) - 1e-9 && c[k] <= Math.max(0, vj) + 1e-9);
    });
  }
  assert.ok(worst <= d.quant / 2, `${worst} > ${d.quant / 2}`);
  assert.ok(worst < 0.02); // and it is small: the picture is the output
});

test('two classes: σ(sum) is the output probability, within the rounding', () => {
  const { init, frame, grids } = interval;
  assert.equal(init.model.target_standardize, null);
  const d = sums(frame.layers, grids.neurons[0], grids.output[0], init.grid, init.model);
  for (let k = 0; k < d.xs.length; k++) assert.ok(Math.abs(sigmoid(d.sum[k]) - d.output[k]) <= d.quant / 2, k);
});

test('a map read between its cells is interpolated linearly', () => {
  const ramp = { lo: 0, hi: 1, bytes: Uint8Array.of(0, 255) }; // 0 at x0, 1 at x1
  const flat = { lo: 0, hi: 2, bytes: new Uint8Array(5) };
  const layers = [{ weights: [[1]], bias: [0] }, { weights: [[2]], bias: [0.5] }];
  const d = sums(layers, [ramp], flat, { x: [0, 4] }, { target_standardize: null });
  assert.deepEqual(Array.from(d.comps[0]), [0, 0.5, 1, 1.5, 2]);
  assert.deepEqual(Array.from(d.sum), [0.5, 1, 1.5, 2, 2.5]);
});

test('the value range takes in the shown curves, the bias and 0', () => {
  const d = { sum: [1, 2], bias: -1, comps: [[5, 6], [-9, 0]] };
  assert.deepEqual(valueRange(d, (j) => j === 0, [], false), [-1 - 0.42, 6 + 0.42]);
  const r = valueRange({ sum: [100], bias: 0, comps: [] }, () => true, [], true);
  assert.ok(Math.abs(r[1] - 31.8) < 1e-9); // logits are drawn within ±30 (and a margin)
});

test('a neuron as a step, and back: the bias puts the step at x = s in raw units', () => {
  const { init, frame } = sine;
  const model = init.model;
  const [mean] = model.standardize.mean;
  const [sd] = model.standardize.std;
  const ys = model.target_standardize.std;
  const p = stepOf(frame.layers, 2, model, init.grid);
  const w = frame.layers[0].weights[0][2];
  assert.equal(p.w, w);
  assert.ok(Math.abs(mean + sd * (-frame.layers[0].bias[2] / w) - p.s) < 1e-12);
  const L = withStep(frame.layers, 2, { s: 1.25, v: 0.5 }, model, init.grid);
  assert.ok(Math.abs(L[0].bias[2] - (-w * (1.25 - mean)) / sd) < 1e-12);
  assert.ok(Math.abs(L[1].weights[2][0] - 0.5 / ys) < 1e-12);
  assert.equal(frame.layers[1].weights[2][0], sine.frame.layers[1].weights[2][0]); // not mutated
  const c = withStep(frame.layers, -1, { c: 2 }, model, init.grid);
  assert.ok(Math.abs(c[1].bias[0] * ys + model.target_standardize.mean - 2) < 1e-12);
  const back = stepOf(L, 2, model, init.grid);
  assert.ok(Math.abs(back.s - 1.25) < 1e-9 && Math.abs(back.v - 0.5) < 1e-12);
});

test('Nielsen\'s construction: evenly spaced steps whose heights follow the data', () => {
  const { init, frame } = sine;
  const model = init.model;
  const points = { x: [[-3], [-1], [1], [3]], y: [0, 1, 3, 6] };
  const L = placeSteps(frame.layers, points, model, init.grid, false);
  const steps = [0, 1, 2, 3, 4].map((j) => stepOf(L, j, model, init.grid));
  steps.forEach((p, j) => assert.ok(Math.abs(p.s - (-3 + (6 * (j + 1)) / 6)) < 1e-9)); // edges at −2, −1, 0, 1, 2
  const heights = steps.reduce((t, p) => t + p.v, 0);
  const { ys, ym } = { ys: model.target_standardize.std, ym: model.target_standardize.mean };
  const c = L[1].bias[0] * ys + ym;
  assert.ok(Math.abs(c - 0) < 1e-9); // the first level: the mean of the points left of the first edge
  assert.ok(Math.abs(c + heights - 6) < 1e-9); // and the last
});
