// The stream view the page asks for (static/js/view-spec.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { viewSpec, THUMBNAIL } from '../../static/js/view-spec.js';

const info2 = { oneD: false, g: 64 };

test('thumbnails only: every neuron at 24², no hidden points', () => {
  assert.deepEqual(viewSpec({ cardOpen: false, pane: 'output' }, info2), { neurons: 'all', neuron_size: THUMBNAIL, hidden_points: false });
});

test('a card or a view asks for full-size maps; the hidden space for its points', () => {
  assert.equal(viewSpec({ cardOpen: true, pane: 'output' }, info2).neuron_size, 64);
  assert.deepEqual(viewSpec({ cardOpen: false, pane: 'hidden' }, info2), { neurons: 'all', neuron_size: 64, hidden_points: true });
});

test('1-D data keeps its full maps', () => {
  assert.equal(viewSpec({ cardOpen: false, pane: 'output' }, { oneD: true, g: 64 }).neuron_size, 64);
});
