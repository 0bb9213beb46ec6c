// Binary frames (static/js/frames.js readFrame, static/js/maps.js decodeMaps): a real frame
// from the server (?format=binary, tests/js/fixtures/binary-2-3-2-1.bin) reads as the JSON
// frame of the same state, its maps as views into the message, not copies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { FrameStore, readFrame } from '../../static/js/frames.js';
import { decodeMaps } from '../../static/js/maps.js';
import { fixture } from './load.mjs';

const NAME = 'binary-2-3-2-1';

function binary() {
  const b = readFileSync(new URL(`./fixtures/${NAME}.bin`, import.meta.url));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); // an ArrayBuffer, as a WebSocket gives
}

test('the layout: a uint32 header length, a JSON header, a payload aligned to 8', () => {
  const buffer = binary();
  const n = new DataView(buffer).getUint32(0, true);
  assert.equal((4 + n) % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, n)));
  assert.equal(header.type, 'frame');
  const last = header.output[0];
  assert.ok(4 + n + last.offset + last.shape[0] * last.shape[1] <= buffer.byteLength);
});

test('a binary frame reads as the JSON frame of the same state', () => {
  const { frame: json } = fixture(`${NAME}.json`);
  const frame = readFrame(binary());
  for (const key of ['step', 'epoch', 'status', 'metrics', 'checkpoints', 'peek']) assert.deepEqual(frame[key], json[key]);
  assert.deepEqual(frame.layers, json.layers); // float64: the very numbers
  const same = (bin, txt) => {
    const [a, b] = [decodeMaps(bin, []), decodeMaps(txt, [])];
    assert.equal(a.length, b.length);
    a.forEach((m, k) => {
      assert.equal(m.lo, b[k].lo);
      assert.equal(m.hi, b[k].hi);
      assert.deepEqual(m.shape, b[k].shape);
      assert.deepEqual(Array.from(m.bytes), Array.from(b[k].bytes));
    });
  };
  same(frame.output, json.output);
  frame.neurons.forEach((layer, l) => same(layer, json.neurons[l]));
  same(frame.hidden_points.train, json.hidden_points.train);
  same(frame.hidden_points.test, json.hidden_points.test);
});

test('maps are views into the message: decoding copies nothing', () => {
  const buffer = binary();
  const frame = readFrame(buffer);
  const [m] = decodeMaps(frame.neurons[0], []);
  assert.equal(m.bytes.buffer, buffer);
  assert.equal(m.bytes.length, m.shape[0] * m.shape[1]);
  const store = new FrameStore(decodeMaps);
  store.show(frame);
  assert.equal(store.grids().output[0].bytes.buffer, buffer);
});

test('a map outside the view stays null, the others decode', () => {
  const frame = readFrame(binary());
  frame.neurons[0][1] = null;
  const maps = decodeMaps(frame.neurons[0], []);
  assert.equal(maps[1], null);
  assert.ok(maps[0].bytes.length > 0);
});
