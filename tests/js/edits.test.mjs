// Live editing (static/js/edits.js): copies, comparisons, one send per animation frame, and
// an edit kept on show until a frame carries it.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { copyLayers, withParameter, sameLayers, LiveEdit } from '../../static/js/edits.js';

const layers = () => [{ weights: [[1, 2], [3, 4]], bias: [0.5, -0.5] }, { weights: [[1], [1]], bias: [0] }];

test('one parameter changed in a copy, the original untouched', () => {
  const a = layers();
  const b = withParameter(a, 0, 1, 0, 9);
  assert.equal(b[0].weights[1][0], 9);
  assert.equal(a[0].weights[1][0], 3);
  assert.equal(b[1], a[1]); // layers not edited are shared
  const c = withParameter(a, 1, -1, 0, 2);
  assert.deepEqual(c[1].bias, [2]);
  assert.deepEqual(a[1].bias, [0]);
  assert.ok(sameLayers(copyLayers(a), a));
  assert.ok(!sameLayers(b, a));
  assert.ok(sameLayers(withParameter(a, 0, 0, 0, 1 + 1e-12), a));
});

function harness() {
  const sent = [];
  const queue = [];
  let now = 0;
  const edit = new LiveEdit({
    setParameters: (l) => { sent.push(l); },
    schedule: (f) => queue.push(f),
    now: () => now,
  });
  return { edit, sent, frame: () => queue.splice(0).forEach((f) => f()), tick: (ms) => { now += ms; } };
}

test('a drag sends at most once per animation frame: the last layers of the burst', () => {
  const { edit, sent, frame } = harness();
  const a = layers();
  for (let k = 0; k < 5; k++) edit.set(withParameter(a, 0, 0, 0, k));
  assert.equal(sent.length, 0);
  frame();
  assert.equal(sent.length, 1);
  assert.equal(sent[0][0].weights[0][0], 4);
  frame();
  assert.equal(sent.length, 1); // nothing new: nothing sent
  edit.set(withParameter(a, 0, 0, 0, 7));
  edit.flush(); // typed: sent at once
  assert.equal(sent.length, 2);
  frame();
  assert.equal(sent.length, 2);
});

test('an edit stays on show until a frame carries it, a peek, or the hold time', () => {
  const { edit, frame, tick } = harness();
  const a = layers();
  const b = withParameter(a, 0, 0, 0, 5);
  edit.set(b);
  assert.equal(edit.shown(a), b); // not sent yet
  frame();
  assert.equal(edit.shown(a), b); // sent, the frame still has the old numbers
  assert.ok(edit.editing);
  assert.equal(edit.shown(copyLayers(b)).length, 2);
  assert.ok(!edit.editing); // a frame carried it
  edit.set(withParameter(a, 0, 0, 0, 6));
  frame();
  assert.equal(edit.shown(a, true), a); // a peek at the past: the past is shown
  edit.set(withParameter(a, 0, 0, 0, 8));
  frame();
  tick(2001);
  assert.equal(edit.shown(a), a); // refused or lost: after 2 s the frames win
});

test('a refusal goes to onError; begin pauses', async () => {
  const errors = [];
  let paused = 0;
  const edit = new LiveEdit({ setParameters: () => Promise.reject(new Error('no')), pause: () => { paused++; }, onError: (e) => errors.push(e.message), schedule: (f) => f() });
  edit.begin();
  edit.set(layers());
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(errors, ['no']);
  assert.equal(paused, 1);
});
