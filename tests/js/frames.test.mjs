// The frame store and the run's record (static/js/frames.js, static/js/record.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { FrameStore, describeInit, inputMaps } from '../../static/js/frames.js';
import { RunRecord } from '../../static/js/record.js';

// a stand-in for plotkit.decodeMaps: "decodes" a map's data (a list) into a reused slot
let decodes = 0;
function decodeMaps(maps, slots) {
  return maps.map((m, k) => {
    decodes++;
    slots[k] = slots[k] && slots[k].length === m.data.length ? slots[k] : new Uint8Array(m.data.length);
    slots[k].set(m.data);
    return { lo: m.lo, hi: m.hi, bytes: slots[k] };
  });
}
const map = (...data) => ({ lo: 0, hi: 1, data });
const frame = (step, extra = {}) => ({ step, output: [map(step, 1)], neurons: [[map(step), map(step + 1)]], metrics: {}, ...extra });

test('a shown frame is decoded once, into buffers reused by the next', () => {
  const store = new FrameStore(decodeMaps);
  assert.equal(store.grids(), null);
  store.show(frame(1));
  assert.equal(store.dirty, true);
  decodes = 0;
  const a = store.grids();
  assert.equal(store.grids(), a);
  assert.equal(decodes, 3);
  assert.deepEqual([...a.output[0].bytes], [1, 1]);
  const buffer = a.neurons[0][1].bytes;
  store.show(frame(2));
  const b = store.grids();
  assert.equal(b.neurons[0][1].bytes, buffer); // the same buffer, new bytes
  assert.deepEqual([...buffer], [3]);
});

test('live, shown and drawn are kept apart', () => {
  const store = new FrameStore(decodeMaps);
  const live = frame(10);
  const past = frame(2, { peek: true });
  store.setLive(live);
  store.show(past);
  assert.equal(store.live, live);
  assert.equal(store.shown, past);
  assert.equal(store.drawn, null);
  store.markDrawn();
  assert.equal(store.drawn, past);
  assert.equal(store.dirty, false);
  store.show(null); // nothing to show: no change
  assert.equal(store.shown, past);
  store.clear();
  assert.equal(store.live, null);
  assert.equal(store.shown, null);
});

test('an init message described for the views', () => {
  const msg = {
    grid: { size: 100, neuron_size: 64, x: [-1, 1], y: null, features: ['x'] },
    points: { train: { x: [[0]], y: [3, -2] }, test: { x: [], y: [5] } },
    network: { task: 'regression', classes: null, activation: 'tanh' },
    model: { target: 'y' },
    input_maps: [{ name: 'x', ...map(7) }],
  };
  const info = describeInit(msg);
  assert.equal(info.oneD, true);
  assert.deepEqual(info.yScale, [-2, 5]);
  assert.equal(info.target, 'y');
  assert.deepEqual([info.G, info.g, info.activation], [100, 64, 'tanh']);
  assert.deepEqual(inputMaps(msg, decodeMaps).map((m) => [m.name, [...m.bytes]]), [['x', [7]]]);
  const flat = describeInit({ ...msg, points: { train: { y: [4, 4] }, test: { y: [] } } });
  assert.deepEqual(flat.yScale, [3, 5]);
});

test('the record: history, then the metrics of live frames past it, as CSV', () => {
  const r = new RunRecord();
  r.setHistory({ steps: [0, 5], train_loss: [1, 0.5], test_loss: [1.1, null], train_accuracy: [0.5, 0.75], test_accuracy: [0.4, 0.7], checkpoints: [0] });
  r.frame({ step: 5, metrics: { train_loss: 9 }, checkpoints: [0] }); // already recorded
  r.frame({ step: 8, metrics: { train_loss: 0.25, test_loss: 0.3, train_accuracy: 1, test_accuracy: 0.9 }, checkpoints: [0, 8] });
  assert.deepEqual(r.checkpoints, [0, 8]);
  assert.equal(r.lastStep(), 8);
  assert.equal(r.csv(), 'step,train_loss,test_loss,train_accuracy,test_accuracy\n0,1,1.1,0.5,0.4\n5,0.5,,0.75,0.7\n8,0.25,0.3,1,0.9\n');
  r.setHistory({ steps: [0], train_loss: [1], test_loss: [1], checkpoints: [0] }); // a rewind: the history replaces it
  assert.equal(r.csv(), 'step,train_loss,test_loss\n0,1,1\n');
  assert.deepEqual(r.checkpoints, [0]);
});
