// The symmetry notice's pure helpers (static/js/symmetry.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { identicalLayers, redrawIdentical } from '../../static/js/symmetry.js';

test('a hidden layer of identical neurons is found; the output layer is not a hidden one', () => {
  const same = [{ weights: [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]], bias: [0, 0, 0] }, { weights: [[1], [1], [1]], bias: [0] }];
  assert.deepEqual(identicalLayers(same), [{ layer: 1, size: 3 }]);
  const apart = [{ weights: [[0.5, 0.6]], bias: [0, 0] }, { weights: [[1], [1]], bias: [0] }];
  assert.deepEqual(identicalLayers(apart), []);
});

test('an identical layer is drawn afresh within Xavier\'s range; every other weight is kept', () => {
  const layers = [{ weights: [[6.7, 6.7], [6.7, 6.7]], bias: [-3, -3] }, { weights: [[4], [4]], bias: [1] }];
  const found = identicalLayers(layers);
  let k = 0;
  const rand = () => [0.1, 0.9, 0.3, 0.7][k++ % 4];
  const { layers: out, redrawn } = redrawIdentical(layers, found, rand);
  const range = Math.sqrt(6 / (2 + 2));
  assert.deepEqual(redrawn, [{ layer: 1, size: 2, range }]);
  const want = [[0.1, 0.9], [0.3, 0.7]].map((row) => row.map((u) => (2 * u - 1) * range));
  assert.deepEqual(out[0].weights, want);
  assert.deepEqual(out[0].bias, [0, 0]);
  assert.deepEqual(out[1], layers[1]);
  assert.deepEqual(identicalLayers(out), []);
  assert.deepEqual(layers[0].weights, [[6.7, 6.7], [6.7, 6.7]]); // the frame's layers are not touched
});
