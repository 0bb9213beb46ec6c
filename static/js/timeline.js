// The timeline: a scrubber over the session's history. Its positions are the steps the server
// kept a checkpoint for (the stream tells them), plus "now". Moving it asks for a peek at
// that step; "continue from here" rewinds. It knows nothing of the stream: it reports what
// the user wants through callbacks (history-nav.js carries it out).

import { $ } from './dom.js';

/** The scrubber; `nav` (history-nav.js) carries out grab() → Promise (once training has stopped), peek(step), backToLive(), continueFrom(step). */
export class Timeline {
  constructor(nav) {
    this.nav = nav;
    this.slider = $('tl-slider');
    this.label = $('tl-label');
    this.ticks = $('tl-ticks');
    this.btnContinue = $('tl-continue');
    this.btnLive = $('tl-live');
    this.root = $('timeline');
    this.checkpoints = [];
    this.now = 0;
    this.viewing = null; // the step shown while scrubbed back; null = live
    this.grabbing = null; // a promise while the history is fetched after a grab
    const grab = () => { if (!this.grabbing) this.grabbing = Promise.resolve(this.nav.grab()).finally(() => { this.grabbing = null; }); };
    this.slider.addEventListener('pointerdown', grab);
    this.slider.addEventListener('keydown', (e) => {
      const d = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1 }[e.key];
      if (d === undefined && e.key !== 'Home' && e.key !== 'End') return;
      e.preventDefault();
      grab();
      this.grabbing.then(() => {
        const stops = this.stops();
        const at = stops.indexOf(this.viewing === null ? this.now : this.viewing);
        const k = e.key === 'Home' ? 0 : e.key === 'End' ? stops.length - 1 : Math.max(0, Math.min(stops.length - 1, at + d));
        this.moveTo(stops[k]);
      });
    });
    this.slider.addEventListener('input', () => {
      const wanted = Number(this.slider.value);
      (this.grabbing || Promise.resolve()).then(() => this.moveTo(wanted));
    });
    this.slider.addEventListener('change', () => this.snapSlider());
    this.btnContinue.addEventListener('click', () => { if (this.viewing !== null) this.nav.continueFrom(this.viewing); });
    this.btnLive.addEventListener('click', () => this.goLive());
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

  /** The steps the scrubber can stop at, ascending. */
  stops() {
    const s = this.checkpoints.filter((c) => c < this.now);
    s.push(this.now);
    return s;
  }

  nearest(step) {
    let best = this.now;
    for (const s of this.stops()) if (Math.abs(s - step) < Math.abs(best - step)) best = s;
    return best;
  }

  /** Show the network at `step` (snapped to a checkpoint); the last stop is live. */
  moveTo(step) {
    const s = this.nearest(step);
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
    this.btnContinue.disabled = !past;
    this.btnLive.disabled = !past;
    this.label.textContent = past
      ? `Step ${this.viewing.toLocaleString('en-US')} of ${this.now.toLocaleString('en-US')} — the past; training is paused`
      : `Step ${this.now.toLocaleString('en-US')} — now (drag back to replay training)`;
    this.slider.setAttribute('aria-valuetext', past ? `step ${this.viewing} (past)` : `step ${this.now} (now)`);
    // checkpoint ticks under the slider
    const n = this.checkpoints.length;
    if (this.ticksKey !== `${n}:${max}:${this.checkpoints[n - 1]}`) {
      this.ticksKey = `${n}:${max}:${this.checkpoints[n - 1]}`;
      this.ticks.replaceChildren();
      for (const c of this.checkpoints) {
        const t = document.createElement('i');
        t.style.left = `${(c / max) * 100}%`;
        this.ticks.appendChild(t);
      }
    }
  }
}
