// The stuck-run rule and its fixes (static/js/stuck.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { StuckWatch, fixesFor } from '../../static/js/stuck.js';
import { fixture } from './load.mjs';

const VOCAB = fixture('vocabulary.json');

test('stuck: below 95% with no gain over a point for 150 steps, 3 s after play', () => {
  const w = new StuckWatch();
  let stuck = false;
  for (let step = 0; step <= 400; step += 10) {
    const acc = step < 100 ? 0.5 + step / 500 : 0.7 + (step % 20 ? 0.005 : 0); // a plateau at 70%
    stuck = w.observe(step, acc, step / 30);
    if (step === 240) assert.equal(stuck, false); // 140 steps of plateau: not yet
  }
  assert.equal(stuck, true);
  assert.equal(w.best, 0.7);
});

test('not stuck: steady gains, 95% reached, too early, or a new run', () => {
  const gains = new StuckWatch();
  for (let step = 0; step <= 600; step += 10) assert.equal(gains.observe(step, 0.5 + step / 1300, step / 30), false);
  const good = new StuckWatch();
  for (let step = 0; step <= 600; step += 10) assert.equal(good.observe(step, 0.96, step / 30), false);
  const fast = new StuckWatch(); // 300 steps in under 3 s: wait for the learner to see it
  for (let step = 0; step <= 300; step += 10) assert.equal(fast.observe(step, 0.7, step / 1000), false);
  const again = new StuckWatch();
  for (let step = 0; step <= 300; step += 10) again.observe(step, 0.7, step / 30);
  assert.equal(again.observe(0, 0.5, 20), false); // reset: the count starts over
  assert.equal(again.best, 0.5);
});

test('fixes: the squares first for 2-D data, then a wider first layer, then tanh', () => {
  const info = { oneD: false };
  const s = { inputs: ['x1', 'x2'], layers: [8, 8], act: 'sigmoid' };
  assert.deepEqual(fixesFor(s, VOCAB, info), [
    { key: 'squares', change: { inputs: ['x1', 'x2', 'x1sq', 'x2sq'] } },
    { key: 'wider', change: { layers: [16, 8] } },
  ]);
  const squared = { ...s, inputs: ['x1', 'x2', 'x1sq', 'x2sq'] };
  assert.deepEqual(fixesFor(squared, VOCAB, info).map((f) => f.key), ['wider', 'tanh']);
  assert.deepEqual(fixesFor({ ...s, layers: [] }, VOCAB, { oneD: true }).map((f) => f.key), ['layer']);
  assert.deepEqual(fixesFor({ ...s, layers: [32], act: 'tanh' }, VOCAB, { oneD: true }), []);
  assert.deepEqual(fixesFor({ ...s, layers: [4, 2] }, VOCAB, { oneD: true })[0].change.layers, [8, 8]);
});
