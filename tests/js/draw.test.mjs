// The drawing kit's maths (static/js/draw.js) and the colour table by task (static/js/colors.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { extent, mappers, scale, ticks, steady, padded, span, clipLine, contour, jitter, sigmoid, logit, polyline, drawPoints, nearestIndex } from '../../static/js/draw.js';
import { activationScale, outputLut, neuronLut, targetColor, lut, rampLut, classColor, CLASS2 } from '../../static/js/colors.js';
import { useVocabulary } from '../../static/js/vocabulary.js';
import { fixture } from './load.mjs';

useVocabulary(fixture('vocabulary.json'));

const near = (a, b, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps, `${a} ≠ ${b}`);

test('a grid of G cells over [a, b] is drawn half a cell beyond each end', () => {
  assert.deepEqual(extent([0, 9], 10), [-0.5, 9.5]);
  assert.deepEqual(extent([2, 2], 1), [2, 2]);
});

test('mappers put data on pixels: y grows upward, cell centres where they belong', () => {
  const { X, Y, x0, x1 } = mappers({ x: [0, 9], y: [0, 9] }, 10, 100, 200);
  assert.deepEqual([x0, x1], [-0.5, 9.5]);
  near(X(-0.5), 0); near(X(9.5), 100); near(X(0), 5);
  near(Y(-0.5), 200); near(Y(9.5), 0);
  const one = mappers({ x: [0, 1], y: null }, 2, 10, 10); // 1-D: y over 0…1
  near(one.Y(1), 0);
});

test('a scale and its inverse', () => {
  const s = scale(0, 10, 100, 300);
  near(s(5), 200);
  near(s.invert(250), 7.5);
  near(scale(3, 3, 0, 1)(3), 0); // an empty domain does not divide by 0
});

test('ticks are round and cover the range', () => {
  assert.deepEqual(ticks(0, 1, 5), [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1]);
  assert.deepEqual(ticks(-4.3, 4.4, 5), [-4, -2, 0, 2, 4]);
  assert.deepEqual(ticks(1, 1), [1]);
});

test('a steady range grows at once and shrinks slowly', () => {
  assert.deepEqual(steady(null, [0, 1]), [0, 1]);
  assert.deepEqual(steady([0, 1], [-1, 2]), [-1, 2]);
  const s = steady([0, 10], [4, 6], 0.5);
  assert.deepEqual(s, [2, 8]);
});

test('padded and span', () => {
  assert.deepEqual(padded([0, 10], 0.1, 1), [-1, 11]);
  assert.deepEqual(padded([3, 3], 0.1, 1), [2, 4]);
  assert.deepEqual(span([Infinity, -Infinity], [3, -1], Float32Array.of(7)), [-1, 7]);
});

test('a line clipped to a box: its two crossings, or null', () => {
  // x = 0.25 (a vertical line) across the unit box
  assert.deepEqual(clipLine(1, 0, -0.25, [0, 1, 0, 1]), [[0.25, 0], [0.25, 1]]);
  // the diagonal y = x through both corners: each corner once
  const d = clipLine(1, -1, 0, [0, 1, 0, 1]);
  assert.deepEqual(d, [[0, 0], [1, 1]]);
  // a line that misses
  assert.equal(clipLine(1, 1, -5, [0, 1, 0, 1]), null);
});

test('contour: where a plane crosses a level, by linear interpolation', () => {
  // v = j (the column): the level 1.5 is the vertical line j = 1.5 in every row
  const G = 4;
  const values = Float32Array.from({ length: G * G }, (_, k) => k % G);
  const segs = contour(values, G, 1.5);
  assert.equal(segs.length, G - 1);
  for (const [j0, i0, j1, i1] of segs) { near(j0, 1.5); near(j1, 1.5); assert.equal(Math.abs(i1 - i0), 1); }
  assert.deepEqual(contour(values, G, 10), []);
});

test('jitter, sigmoid and logit', () => {
  for (let i = 0; i < 1000; i++) { const j = jitter(i); assert.ok(j >= -0.5 && j < 0.5); }
  assert.equal(jitter(7), jitter(7));
  near(sigmoid(0), 0.5);
  near(logit(sigmoid(1.7)), 1.7, 1e-12);
});

test('polylines and points go to the context they are given', () => {
  const calls = [];
  const ctx = new Proxy({}, { get: (_, k) => (...a) => calls.push([k, ...a]), set: () => true });
  polyline(ctx, 3, (k) => k, (k) => 2 * k);
  assert.deepEqual(calls, [['moveTo', 0, 0], ['lineTo', 1, 2], ['lineTo', 2, 4]]);
  calls.length = 0;
  drawPoints(ctx, 5, (i) => i, () => 0, () => '#000', { r: 2, every: 2 });
  assert.equal(calls.filter((c) => c[0] === 'arc').length, 3);
});

test('an activation is coloured over its own range, or symmetrically around 0', () => {
  assert.deepEqual(activationScale('sigmoid', 0, 1), [0, 1]);
  assert.deepEqual(activationScale('tanh', -0.2, 0.3), [-1, 1]);
  assert.deepEqual(activationScale('relu', 0, 3.5), [-3.5, 3.5]);
  assert.deepEqual(activationScale('linear', -2, 1), [-2, 2]);
  assert.deepEqual(neuronLut('sigmoid', { lo: 0, hi: 1 }), lut('diverging', 0, 1, 0, 1));
});

test('the colour table by task', () => {
  const m = { lo: 0, hi: 1 };
  assert.deepEqual(outputLut('binary', m, 0, 1, [0, 1]), lut('diverging', 0, 1, 0, 1));
  assert.deepEqual(outputLut('binary', m, 0, 1, [0, 1], true), lut('diverging', 0, 1, 0, 1, true));
  assert.deepEqual(outputLut('regression', { lo: -2, hi: 5 }, 0, 1, [-3, 6]), lut('sequential', -2, 5, -3, 6));
  assert.deepEqual(outputLut('multiclass', m, 2, 3, null), rampLut(classColor(2, 3), 0, 1));
  assert.equal(targetColor('binary', 2, [0, 1])(1), CLASS2[1]);
  assert.equal(targetColor('regression', 0, [0, 10])(0), 'rgb(68,1,84)'); // the sequential scale's low end
});

test('the nearest drawn step to the pointer', () => {
  const steps = [0, 10, 20, 40, 80];
  assert.equal(nearestIndex(steps, -5), 0);
  assert.equal(nearestIndex(steps, 14), 1);
  assert.equal(nearestIndex(steps, 16), 2);
  assert.equal(nearestIndex(steps, 61), 4);
  assert.equal(nearestIndex(steps, 1e9), 4);
  assert.equal(nearestIndex([7], 3), 0);
});
