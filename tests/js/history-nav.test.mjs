// The history-navigation state machine (static/js/history-nav.js), with fake timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { HistoryNav, WAIT_MS } from '../../static/js/history-nav.js';

/** A machine with recorded callbacks and a clock the test moves by hand. */
function rig({ running = false } = {}) {
  const log = { sent: [], shown: [], live: 0, past: [], paused: 0 };
  const clock = { now: 0, timers: new Map(), next: 1 };
  const timers = {
    setTimeout: (fn, ms) => { const id = clock.next++; clock.timers.set(id, [clock.now + ms, fn]); return id; },
    clearTimeout: (id) => clock.timers.delete(id),
  };
  const advance = (ms) => {
    clock.now += ms;
    for (const [id, [at, fn]] of [...clock.timers]) if (at <= clock.now) { clock.timers.delete(id); fn(); }
  };
  const state = { running };
  const nav = new HistoryNav({
    send: (m) => log.sent.push(m),
    running: () => state.running,
    pause: () => { log.paused++; state.running = false; },
    show: (f) => log.shown.push(f.step),
    showLive: () => log.live++,
    setPast: (s) => log.past.push(s),
  }, timers);
  return { nav, log, advance, clock, state };
}

const frame = (step, extra = {}) => ({ step, status: 'paused', ...extra });

test('live by default: live frames are shown', () => {
  const { nav } = rig();
  assert.equal(nav.viewing, null);
  assert.equal(nav.onLiveFrame(frame(3)), true);
});

test('a grab pauses a running session and resolves once a frame says it stopped', async () => {
  const { nav, log } = rig({ running: true });
  let done = false;
  const grabbed = nav.grab().then(() => { done = true; });
  assert.equal(log.paused, 1);
  nav.onLiveFrame(frame(10, { status: 'running' }));
  await Promise.resolve();
  assert.equal(done, false);
  nav.onLiveFrame(frame(12));
  await grabbed;
  assert.equal(done, true);
});

test('a grab of a paused session resolves at once; a lost pause gives up after its wait', async () => {
  await rig().nav.grab();
  const { nav, advance } = rig({ running: true });
  let done = false;
  nav.grab().then(() => { done = true; });
  advance(WAIT_MS.pause - 1);
  await Promise.resolve();
  assert.equal(done, false);
  advance(1);
  await Promise.resolve();
  assert.equal(done, true);
});

test('peeks: one at a time, only the last one wanted is asked next', () => {
  const { nav, log } = rig();
  nav.peek(0);
  nav.peek(5);
  nav.peek(9);
  assert.deepEqual(log.sent, [{ type: 'peek', step: 0 }]);
  assert.equal(nav.viewing, 9);
  assert.deepEqual(log.past, [0, 5, 9]);
  nav.onPeekFrame(frame(0, { peek: true }));
  assert.deepEqual(log.sent.at(-1), { type: 'peek', step: 9 });
  assert.deepEqual(log.shown, [0]);
  nav.onPeekFrame(frame(9, { peek: true }));
  assert.equal(log.sent.length, 2);
  assert.deepEqual(log.shown, [0, 9]);
});

test('live frames are not shown while the past is', () => {
  const { nav } = rig();
  nav.peek(4);
  assert.equal(nav.onLiveFrame(frame(20)), false);
  nav.backToLive();
  assert.equal(nav.viewing, null);
  assert.equal(nav.onLiveFrame(frame(21)), true);
});

test('a peek answered after going back to live is dropped', () => {
  const { nav, log } = rig();
  nav.peek(4);
  nav.backToLive();
  assert.equal(log.live, 1);
  assert.deepEqual(log.past.at(-1), null);
  nav.onPeekFrame(frame(4, { peek: true }));
  assert.deepEqual(log.shown, []);
});

test('an unanswered peek times out, and the wanted one is asked then', () => {
  const { nav, log, advance } = rig();
  nav.peek(1);
  nav.peek(2);
  advance(WAIT_MS.peek);
  assert.deepEqual(log.sent.map((m) => m.step), [1, 2]);
});

test('a refused peek frees the way for the next', () => {
  const { nav, log } = rig();
  nav.peek(1);
  nav.onError();
  nav.peek(3);
  assert.deepEqual(log.sent.map((m) => m.step), [1, 3]);
});

test('continue from here: rewind, then live again with the frame at that step', () => {
  const { nav, log } = rig();
  nav.peek(40);
  nav.continueFrom(40);
  assert.deepEqual(log.sent.at(-1), { type: 'rewind', step: 40 });
  assert.equal(nav.viewing, 40);
  assert.equal(nav.onLiveFrame(frame(100)), false); // a frame from before the rewind
  assert.equal(nav.onLiveFrame(frame(40)), true);
  assert.equal(nav.viewing, null);
  assert.equal(log.past.at(-1), null);
});

test('a rewind whose frame never comes goes back to live after its wait', () => {
  const { nav, log, advance, clock } = rig();
  nav.continueFrom(7);
  advance(WAIT_MS.rewind);
  assert.equal(nav.viewing, null);
  assert.equal(log.live, 1);
  assert.equal(clock.timers.size, 0); // one timer, none left behind
});

test('leave forgets the past without showing anything', () => {
  const { nav, log, clock } = rig();
  nav.peek(3);
  nav.leave();
  assert.equal(nav.viewing, null);
  assert.equal(log.live, 0);
  assert.equal(clock.timers.size, 0);
});

test('scrubbing step by step: one peek in flight, then the latest position, ≥ 15 a second', () => {
  const { nav, log } = rig();
  for (let s = 100; s > 40; s--) nav.peek(s); // a drag across 60 single steps before any answer
  assert.deepEqual(log.sent, [{ type: 'peek', step: 100 }]);
  nav.onPeekFrame(frame(100, { peek: true }));
  assert.deepEqual(log.sent.at(-1), { type: 'peek', step: 41 }); // the thumb's latest, not each step passed
  nav.onPeekFrame(frame(41, { peek: true }));
  assert.equal(log.sent.length, 2);
  assert.deepEqual(log.shown, [100, 41]);
  // answers every 50 ms while the thumb moves on: every answer brings the next ask
  for (let k = 0; k < 15; k++) {
    nav.peek(40 - k);
    nav.onPeekFrame(frame(40 - k, { peek: true }));
  }
  assert.equal(log.shown.length, 17);
});

// fork.js: the links "Try something else from here" opens (pure parts; the fork is injected)
import { forkLink, compareLink, forkedFrom, tryFromHere } from '../../static/js/fork.js';

test('a fork opens in this page, adopted, remembering the run it came from', async () => {
  const loc = { origin: 'http://127.0.0.1:8000', pathname: '/', assigned: null, assign(u) { this.assigned = u; } };
  const asked = [];
  const made = await tryFromHere({ id: 'src1', step: 37, hash: '#data=xor&lr=0.03', loc, fork: async (id, step) => { asked.push([id, step]); return { id: 'f2' }; } });
  assert.equal(made.id, 'f2');
  assert.deepEqual(asked, [['src1', 37]]);
  assert.equal(loc.assigned, 'http://127.0.0.1:8000/?session=f2&from=src1#data=xor&lr=0.03');
  assert.equal(forkLink(loc, 'f2', 'src1', ''), 'http://127.0.0.1:8000/?session=f2&from=src1');
  assert.equal(forkedFrom('?session=f2&from=src1'), 'src1');
  assert.equal(forkedFrom('?from=<script>'), null);
  assert.equal(forkedFrom(''), null);
  assert.equal(compareLink('src1', 'f2'), '/runs#ids=src1,f2');
});
