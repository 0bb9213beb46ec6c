// A run that has stopped improving: when a classifier's test accuracy has stayed below 95%
// for 150 steps (no gain of more than a point, one test point in 60) and 3 s since play, the
// page says so and offers the changes that help as one click each. The rule and the fixes
// are measured (tests/bench/bench_first_minute.py's report): on the spiral with the
// playground's start, adding x₁² and x₂² reaches 95% for 19 seeds of 20 (median 80 steps),
// a wider first layer for 20 of 20 (median 220); the rule never fires on circle, XOR or
// two Gaussians there (their longest wait below 95% is 29 steps).
//
// Public interface (what the page calls):
//   new StuckNotice({ onFix(change) })   change: the state fields to update
//   setup(info)                          a new session (init.info)
//   frame(f, state, vocab, now)          a live frame; state: the page state
//   StuckWatch, fixesFor(state, vocab, info)   pure helpers

import { $, el } from './dom.js';
import { viewText } from './vocabulary.js';

const GOOD = 0.95;
const STEPS = 150;
const GAIN = 0.01;
const SECONDS = 3;

/** Whether a run has stalled: fed (step, test accuracy, seconds), it answers after each. */
export class StuckWatch {
  constructor() { this.reset(); }

  reset() {
    this.best = -1;
    this.bestStep = 0;
    this.since = null; // when the watched run started (or went back), in seconds
    this.lastStep = -1;
  }

  /** The frame at `step` with test accuracy `acc` at `now` s: is the run stuck? */
  observe(step, acc, now) {
    if (step < this.lastStep) this.reset(); // reset, rewind: a new run
    this.lastStep = step;
    if (this.since === null) this.since = now;
    if (acc === null || acc === undefined) return false;
    if (acc > this.best + GAIN) { this.best = acc; this.bestStep = step; }
    return acc < GOOD && step - this.bestStep >= STEPS && now - this.since >= SECONDS;
  }
}

/** The one-click changes that help a stalled classifier, best first: [{key, change}]. */
export function fixesFor(s, vocab, info) {
  const fixes = [];
  const squares = ['x1sq', 'x2sq'];
  if (!info.oneD && s.inputs && squares.some((k) => !s.inputs.includes(k))) {
    const inputs = vocab.transforms.map((t) => t.key).filter((k) => s.inputs.includes(k) || squares.includes(k));
    fixes.push({ key: 'squares', change: { inputs } });
  }
  const max = vocab.limits.max_neurons;
  if (s.layers.length && s.layers[0] < max) {
    // the first layer doubled (8-8 → 16-8 measured), no later layer narrower than 8
    const layers = s.layers.map((n, i) => (i === 0 ? Math.min(max, n * 2) : Math.max(n, Math.min(8, max))));
    fixes.push({ key: 'wider', change: { layers } });
  } else if (!s.layers.length) fixes.push({ key: 'layer', change: { layers: [8] } });
  if (s.layers.length && s.act !== 'tanh') fixes.push({ key: 'tanh', change: { act: 'tanh' } });
  return fixes.slice(0, 2);
}

/** The notice above the diagram; onFix(change) applies a fix to the page state. */
export class StuckNotice {
  constructor({ onFix }) {
    this.box = $('stuck');
    this.text = $('stuck-text');
    this.buttons = $('stuck-fixes');
    this.onFix = onFix;
    this.watch = new StuckWatch();
    this.info = null;
    this.shown = false;
    $('stuck-close').addEventListener('click', () => { this.dismissed = true; this.hide(); });
  }

  setup(info) {
    this.info = info;
    this.watch.reset();
    this.dismissed = false;
    this.hide();
  }

  hide() {
    this.shown = false;
    this.box.hidden = true;
  }

  /** A live frame: watch it, and show the notice once the run is stuck. */
  frame(f, state, vocab, now = performance.now() / 1000) {
    if (!this.info || this.info.task === 'regression' || f.peek) return;
    if (f.status !== 'running') { this.watch.since = null; return; } // the 3 s count from play
    const acc = f.metrics ? f.metrics.test_accuracy : null;
    const stuck = this.watch.observe(f.step, acc, now);
    if (!stuck && this.shown) this.hide(); // it moved on after all (a gain, or 95%)
    if (!stuck || this.shown || this.dismissed) return;
    this.shown = true;
    const fixes = fixesFor(state, vocab, this.info);
    this.text.textContent = viewText('stuck', 'stuck', { acc: `${Math.round(this.watch.best * 100)}%`, steps: f.step - this.watch.bestStep });
    this.buttons.replaceChildren(...fixes.map((fix, i) => {
      const b = el('button', i === 0 ? 'small primary' : 'small');
      b.type = 'button';
      b.textContent = viewText('stuck', `fix_${fix.key}`, { layers: (fix.change.layers || []).join('-') });
      b.title = viewText('stuck', `why_${fix.key}`);
      b.addEventListener('click', () => { this.hide(); this.onFix(fix.change); });
      return b;
    }));
    this.box.hidden = false;
  }
}
