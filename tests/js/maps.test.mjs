// Maps as bytes (static/js/maps.js): base64 decoding, values, quantising.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { decodeGrid, decodeMaps, gridValues, toBytes } from '../../static/js/maps.js';
import { fixture } from './load.mjs';

test('base64 decodes as Node decodes it, for every padding', () => {
  for (const n of [0, 1, 2, 3, 4, 5, 64, 100]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) % 256);
    const b64 = Buffer.from(bytes).toString('base64');
    assert.deepEqual(decodeGrid(b64), bytes);
  }
});

test('decoding reuses the buffers it is given', () => {
  const { frame } = fixture('sine-5.json');
  const slots = [];
  const a = decodeMaps(frame.neurons[0], slots);
  const b = decodeMaps(frame.neurons[0], slots);
  assert.equal(a[0].bytes, b[0].bytes);
  assert.equal(a.length, 5);
  assert.equal(a[0].bytes.length, 64);
});

test('values and quantising agree with the server: value = lo + (hi − lo)·u/255', () => {
  const v = gridValues(Uint8Array.of(0, 255, 51), -1, 4);
  assert.deepEqual(Array.from(v), [-1, 4, 0]);
  const m = toBytes([[0, 0.5], [1, NaN]], 0, 1);
  assert.deepEqual(Array.from(m.bytes), [0, 128, 255, 0]);
});
