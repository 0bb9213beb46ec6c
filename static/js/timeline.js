// The timeline: a scrubber over the session's history, at single-step resolution (the server
// replays any past step exactly). Moving it asks for a peek at that step (history-nav.js
// keeps one in flight and sends the latest position when it returns, so the maps follow the
// thumb); "Continue from here" rewinds; "Try something else from here" forks the run at the
// step on show and opens the fork (fork.js). It knows nothing of the stream: it reports what
// the user wants through callbacks.

import { $ } from './dom.js';
import { tryFromHere, bindCompareLink } from './fork.js';

/** Steps a PageUp/PageDown moves: a twentieth of the run. */
const pageOf = (now) => Math.max(1, Math.round(now / 20));

/**
 * The scrubber; `nav` (history-nav.js) carries out grab() → Promise (once training has stopped),
 * peek(step), backToLive(), continueFrom(step). opts: sessionId() → the id on show (or null),
 * hash() → the page's state hash; without sessionId the fork button stays hidden.
 */
export class Timeline {
  constructor(nav, opts = {}) {
    this.nav = nav;
    this.opts = opts;
    this.slider = $('tl-slider');
    this.label = $('tl-label');
    this.btnContinue = $('tl-continue');
    this.btnLive = $('tl-live');
    this.btnFork = $('tl-fork');
    this.root = $('timeline');
    this.checkpoints = [];
    this.now = 0;
    this.viewing = null; // the step shown while scrubbed back; null = live
    this.grabbing = null; // a promise while training stops after a grab
    const grab = () => { if (!this.grabbing) this.grabbing = Promise.resolve(this.nav.grab()).finally(() => { this.grabbing = null; }); };
    this.slider.addEventListener('pointerdown', grab);
    this.slider.addEventListener('keydown', (e) => {
      const page = pageOf(this.now);
      const d = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageDown: -page, PageUp: page }[e.key];
      if (d === undefined && e.key !== 'Home' && e.key !== 'End') return;
      e.preventDefault();
      grab();
      this.grabbing.then(() => {
        const at = this.viewing === null ? this.now : this.viewing;
        this.moveTo(e.key === 'Home' ? 0 : e.key === 'End' ? this.now : at + d);
      });
    });
    this.slider.addEventListener('input', () => {
      const wanted = Number(this.slider.value);
      (this.grabbing || Promise.resolve()).then(() => this.moveTo(wanted));
    });
    this.slider.addEventListener('change', () => this.snapSlider());
    this.btnContinue.addEventListener('click', () => { if (this.viewing !== null) this.nav.continueFrom(this.viewing); });
    this.btnLive.addEventListener('click', () => this.goLive());
    this.btnFork.hidden = !opts.sessionId;
    this.btnFork.addEventListener('click', () => this.fork());
    if (opts.sessionId) bindCompareLink($('tl-compare'), opts.sessionId);
    this.render();
  }

  /** The checkpoint steps (from a history message or a frame) and the live step. */
  setCheckpoints(checkpoints, now) {
    const list = (Array.isArray(checkpoints) ? checkpoints : []).filter((s) => s <= now);
    if (now === this.now && list.length === this.checkpoints.length && list[list.length - 1] === this.checkpoints[this.checkpoints.length - 1]) return;
    this.checkpoints = list;
    this.now = now;
    this.render();
  }

  /** A live frame arrived at `step` (the end of the timeline moves while it is live). */
  setNow(step) {
    if (step === this.now) return;
    this.now = step;
    if (this.viewing === null) this.render();
  }

  /** Show the network at `step` (any whole step from 0 to now); now is live. */
  moveTo(step) {
    const s = Math.max(0, Math.min(this.now, Math.round(step)));
    if (s === this.now) { this.goLive(); return; }
    if (s !== this.viewing) {
      this.viewing = s;
      this.nav.peek(s);
    }
    this.render();
  }

  /** Back to the live network. */
  goLive() {
    const was = this.viewing;
    this.viewing = null;
    this.render();
    if (was !== null) this.nav.backToLive();
  }

  /** Forget the scrubbed step without telling main.js (it already knows: rewind, reset…). */
  leave() {
    this.viewing = null;
    this.render();
  }

  /** Fork the run at the step on show and open the fork in this page. */
  async fork() {
    const id = this.opts.sessionId && this.opts.sessionId();
    if (!id) return;
    this.btnFork.disabled = true;
    try {
      await tryFromHere({ id, step: this.viewing, hash: this.opts.hash ? this.opts.hash() : location.hash });
    } catch (e) {
      this.btnFork.disabled = false;
      this.label.textContent = `No fork could be made: ${e.message}`;
    }
  }

  snapSlider() {
    this.slider.value = String(this.viewing === null ? this.now : this.viewing);
  }

  render() {
    const max = Math.max(1, this.now);
    this.slider.max = String(max);
    this.slider.min = '0';
    this.slider.step = '1';
    if (document.activeElement !== this.slider || this.viewing === null) this.snapSlider();
    const past = this.viewing !== null;
    this.root.classList.toggle('past', past);
    this.root.dataset.step = String(past ? this.viewing : this.now);
    this.btnContinue.disabled = !past;
    this.btnLive.disabled = !past;
    this.label.textContent = past
      ? `Step ${this.viewing.toLocaleString('en-US')} of ${this.now.toLocaleString('en-US')} — the past; training is paused`
      : `Step ${this.now.toLocaleString('en-US')} — now (drag back to replay training)`;
    this.slider.setAttribute('aria-valuetext', past ? `step ${this.viewing} (past)` : `step ${this.now} (now)`);
  }
}
