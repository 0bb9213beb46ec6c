// The symmetry notice's pure helpers (static/js/symmetry.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { identicalLayers, withNoise } from '../../static/js/symmetry.js';

test('a hidden layer of identical neurons is found; the output layer is not a hidden one', () => {
  const same = [{ weights: [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]], bias: [0, 0, 0] }, { weights: [[1], [1], [1]], bias: [0] }];
  assert.deepEqual(identicalLayers(same), [{ layer: 1, size: 3 }]);
  const apart = [{ weights: [[0.5, 0.6]], bias: [0, 0] }, { weights: [[1], [1]], bias: [0] }];
  assert.deepEqual(identicalLayers(apart), []);
});

test('noise tells them apart and leaves the original alone', () => {
  const layers = [{ weights: [[0.5, 0.5]], bias: [0, 0] }, { weights: [[1], [1]], bias: [0] }];
  let k = 0;
  const noisy = withNoise(layers, 0.1, () => [0.1, 0.9, 0.5, 0.5, 0.5, 0.5][k++ % 6]);
  assert.deepEqual(identicalLayers(noisy), []);
  assert.deepEqual(layers[0].weights, [[0.5, 0.5]]);
});
