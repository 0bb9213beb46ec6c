// Runs side by side, the maths (static/js/runs-model.js): TensorBoard's debiased EMA against a
// hand computation, the configs' differences in words, the spread and the agreement of final
// losses, the page's hash, the shared step slider and the round-robin chunks.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  smooth, spread, agree, configDiff, runNames, sameSplit, parseRunsHash, seedsHash,
  sliderSteps, stepShown, nextChunk, indexAt, DEFAULT_SEEDS, DEFAULT_STEPS, MAX_SEEDS,
} from '../../static/js/runs-model.js';

const close = (a, b, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('smoothing is the debiased EMA, by hand', () => {
  // w = 0.5: last = 0.5·last + 0.5·v; shown = last / (1 − 0.5^k)
  // v = 4: last 2, /0.5 → 4; v = 2: last 2, /0.75 → 2.6667; v = 8: last 5, /0.875 → 5.7143
  const out = smooth([4, 2, 8], 0.5);
  close(out[0], 4);
  close(out[1], 2 / 0.75);
  close(out[2], 5 / 0.875);
  // w = 0 is no smoothing; a constant stays constant at any weight (the debiasing)
  assert.deepEqual(smooth([3, 1, 2], 0), [3, 1, 2]);
  for (const v of smooth([0.7, 0.7, 0.7, 0.7], 0.99)) close(v, 0.7, 1e-12);
});

test('smoothing passes gaps through without letting them into the average', () => {
  const out = smooth([4, null, 2], 0.5);
  assert.equal(out[1], null);
  close(out[2], 2 / 0.75); // as if the gap were not there
  assert.ok(Number.isNaN(smooth([NaN], 0.5)[0]));
});

test('spread: min, max, max − min and the order of the finite values', () => {
  const s = spread([0.31, 0.05, NaN, 0.12]);
  assert.equal(s.min, 0.05);
  assert.equal(s.max, 0.31);
  close(s.spread, 0.26);
  assert.deepEqual(s.order, [1, 3, 0]);
  assert.deepEqual(spread([null]), { min: null, max: null, spread: null, order: [] });
});

test('agreement is a relative spread of at most 1e-6, over every run', () => {
  const lr = [0.3265733162080359, 0.32657331620803626, 0.3265733162076633];
  assert.equal(agree(spread(lr), 3), true);
  assert.equal(agree(spread([0.05, 0.31]), 2), false);
  assert.equal(agree(spread([0.05, NaN]), 2), false); // a diverged run is no agreement
});

const words = {
  fields: { learning_rate: 'learning rate', hidden_layers: 'hidden layers', activation: 'activation', seed: 'seed', init_value: 'initial weight' },
  values: { none_hidden: 'none (logistic regression)', hidden: '{sizes}', batch_size_null: 'full batch', default: 'default' },
  run: 'run {n}',
};
const label = (kind, key) => ({ tanh: 'tanh', relu: 'ReLU', adam: 'Adam' }[key] || key);
const base = { dataset_id: 'd1', hidden_layers: [4], activation: 'tanh', optimizer: 'adam', learning_rate: 0.03, batch_size: null, l1: 0, l2: 0, init: 'xavier', init_value: 0.5, seed: 0, test_fraction: 0.2, transforms: null };

test('config diff: only the fields that differ, in words', () => {
  const d = configDiff([base, { ...base, learning_rate: 0.3 }], words, label);
  assert.deepEqual(d, [{ key: 'learning_rate', label: 'learning rate', values: ['0.03', '0.3'] }]);
  assert.deepEqual(runNames(d, 2, words), ['learning rate 0.03', 'learning rate 0.3']);
  const e = configDiff([base, { ...base, hidden_layers: [], activation: 'relu' }, { ...base, hidden_layers: [8, 8] }], words, label);
  assert.deepEqual(e.map((x) => x.key), ['hidden_layers', 'activation']);
  assert.deepEqual(e[0].values, ['4', 'none (logistic regression)', '8-8']);
  assert.deepEqual(e[1].values, ['tanh', 'ReLU', 'tanh']);
});

test('config diff: the initial weight only for constant, the activation only with a hidden layer', () => {
  assert.deepEqual(configDiff([base, { ...base, init_value: 1 }], words, label), []);
  const lr = { ...base, hidden_layers: [] };
  assert.deepEqual(configDiff([lr, { ...lr, activation: 'relu' }], words, label), []);
  assert.deepEqual(runNames([], 2, words), ['run 1', 'run 2']);
});

test('the same split needs the same dataset, seed, test share and target', () => {
  assert.equal(sameSplit([base, { ...base, learning_rate: 1 }]), true);
  assert.equal(sameSplit([base, { ...base, seed: 1 }]), false);
  assert.equal(sameSplit([base, { ...base, test_fraction: 0.3 }]), false);
});

test('the hash: ids, or seeds with the playground setup after them', () => {
  assert.deepEqual(parseRunsHash('#ids=a,b,a,,c'), { mode: 'ids', ids: ['a', 'b', 'c'] });
  assert.deepEqual(parseRunsHash('#seeds=4&data=gauss&layers='), { mode: 'seeds', seeds: 4, steps: DEFAULT_STEPS, rest: 'data=gauss&layers=' });
  assert.deepEqual(parseRunsHash('seeds=99&steps=250&data=xor'), { mode: 'seeds', seeds: MAX_SEEDS, steps: 250, rest: 'data=xor' });
  assert.equal(parseRunsHash('#seeds=x').seeds, DEFAULT_SEEDS);
  assert.equal(parseRunsHash('').mode, null);
  assert.equal(seedsHash(4, 500, 'data=xor'), 'seeds=4&steps=500&data=xor');
  assert.deepEqual(parseRunsHash(`#${seedsHash(4, 500, 'data=xor')}`).rest, 'data=xor');
});

test('the shared slider: every checkpoint and latest step; each run its last one at or before', () => {
  const a = { step: 300, checkpoints: [0, 100, 200, 296] };
  const b = { step: 120, checkpoints: [0, 64, 112] };
  assert.deepEqual(sliderSteps([a, b]), [0, 64, 100, 112, 120, 200, 296, 300]);
  assert.equal(stepShown(a, 150), 100);
  assert.equal(stepShown(b, 150), 120); // past its end: its latest step
  assert.equal(stepShown(a, 300), 300);
  assert.equal(stepShown(b, 63), 0);
});

test('round-robin chunks: each run in turn, the last chunk short, a stopped run skipped', () => {
  assert.deepEqual(nextChunk([0, 0], 120, 50, 0), [0, 50]);
  assert.deepEqual(nextChunk([50, 0], 120, 50, 1), [1, 50]);
  assert.deepEqual(nextChunk([100, 100], 120, 50, 0), [0, 20]);
  assert.deepEqual(nextChunk([120, null, 100], 120, 50, 0), [2, 20]);
  assert.equal(nextChunk([120, null], 120, 50, 0), null);
});

test('indexAt: the last step at or before, by bisection', () => {
  const steps = [0, 1, 2, 4, 8, 16];
  assert.equal(indexAt(steps, 5), 3);
  assert.equal(indexAt(steps, 16), 5);
  assert.equal(indexAt(steps, 99), 5);
  assert.equal(indexAt(steps, -1), 0);
  assert.equal(indexAt([], 3), 0);
});
