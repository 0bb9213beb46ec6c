// The model's standardization (static/js/units.js), by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { rawFeature, standardFeature, targetScale, lineInRaw } from '../../static/js/units.js';

const model = { standardize: { mean: [1, -2, 5], std: [2, 0.5, 0] }, target_standardize: { mean: 10, std: 3 } };

test('features go to raw units and back', () => {
  assert.equal(rawFeature(model, 0, 1.5), 4);
  assert.equal(standardFeature(model, 1, -1), 2);
  assert.equal(standardFeature(model, 2, 7), 2); // a constant column has std 1
});

test('the target: raw = ys·output + ym, or the output itself', () => {
  assert.deepEqual(targetScale(model), { ys: 3, ym: 10 });
  assert.deepEqual(targetScale({ target_standardize: null }), { ys: 1, ym: 0 });
});

test('a line over standardized features, in raw view units', () => {
  // 2·z0 − 1·z1 + 3 = 0 with z0 = (X − 1)/2, z1 = (Y + 2)/0.5: X − 2Y + (−1 − 4 + 3) = 0
  const { A, B, C } = lineInRaw(model, [{ f: 0, w: 2 }, { f: 1, w: -1 }, { f: 2, w: 9 }], 3, 0, 1);
  assert.deepEqual([A, B, C], [1, -2, -2]);
});
