// Navigating the run's history: the page shows the live network, or the past (a peek at a
// step), or is rewinding to a step until the frame of it arrives. One state machine, one
// timer: whatever the page waits for (training to stop after a grab, a peek's answer, a
// rewind's frame) has one deadline, after which the page stops waiting. Pure: it sends and
// shows through its callbacks; timers are injectable for tests.
//
//   live ──peek(s)──▶ past(s) ──continueFrom(s)──▶ rewinding(s) ──frame at s──▶ live
//     ▲                 │ live() / backToLive()                │ deadline
//     └─────────────────┴──────────────────────────────────────┘

export const WAIT_MS = { pause: 5000, peek: 3000, rewind: 4000 };

/**
 * callbacks: send(msg) (peek, rewind), running() → bool, pause(), show(frame) (a peek's frame),
 * showLive() (back to the live frame), setPast(step | null).
 */
export class HistoryNav {
  constructor(cb, timers = globalThis) {
    this.cb = cb;
    this.timers = timers;
    this.timer = 0;
    this.mode = 'live';
    this.step = null;
    this.inflight = null; // the step of the peek the server is answering
    this.wanted = null; // a step asked for meanwhile (only the last one counts)
    this.pausing = null; // resolves a grab once training has stopped
  }

  /** The step on show when it is not the live one (null: live). */
  get viewing() { return this.mode === 'live' ? null : this.step; }

  wait(what, then) {
    this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => { this.timer = 0; then(); }, WAIT_MS[what]);
  }

  stopWaiting() {
    this.timers.clearTimeout(this.timer);
    this.timer = 0;
  }

  /** The user took the scrubber: pause; resolves once training has stopped. */
  grab() {
    if (!this.cb.running()) return Promise.resolve();
    this.cb.pause();
    return new Promise((resolve) => {
      this.pausing = resolve;
      this.wait('pause', () => this.paused());
    });
  }

  paused() {
    const resolve = this.pausing;
    this.pausing = null;
    if (resolve) resolve();
  }

  /** Show the network as it was at `step`. */
  peek(step) {
    this.mode = 'past';
    this.step = step;
    this.cb.setPast(step);
    if (this.inflight === null) this.ask(step); else this.wanted = step;
  }

  ask(step) {
    this.inflight = step;
    this.wanted = null;
    this.cb.send({ type: 'peek', step });
    this.wait('peek', () => { this.inflight = null; if (this.wanted !== null) this.ask(this.wanted); });
  }

  /** A peek's frame arrived. */
  onPeekFrame(frame) {
    this.inflight = null;
    if (this.timer && !this.pausing) this.stopWaiting();
    if (this.mode !== 'past') return; // back to live meanwhile
    if (this.wanted !== null && this.wanted !== frame.step) this.ask(this.wanted);
    this.cb.show(frame);
  }

  /** A live frame arrived; whether it is to be shown (only while live). */
  onLiveFrame(frame) {
    if (this.pausing && frame.status !== 'running') { this.stopWaiting(); this.paused(); }
    if (this.mode === 'rewinding' && frame.step === this.step) { this.stopWaiting(); this.leave(); }
    return this.mode === 'live';
  }

  /** The server refused a control: a peek it was answering is not coming. */
  onError() {
    this.inflight = null;
  }

  /** Go back to the past step on show for good: rewind, then live from there. */
  continueFrom(step) {
    this.mode = 'rewinding';
    this.step = step;
    this.wanted = null;
    this.cb.send({ type: 'rewind', step });
    this.wait('rewind', () => { if (this.mode === 'rewinding') this.backToLive(); });
  }

  /** Forget the past without a word to the server (a new session, a rewind's frame). */
  leave() {
    this.mode = 'live';
    this.step = null;
    this.wanted = null;
    if (!this.pausing) this.stopWaiting();
    this.cb.setPast(null);
  }

  /** Back to the live network (play, step, reset, the "now" button). */
  backToLive() {
    if (this.mode === 'live') return;
    this.leave();
    this.cb.showLive();
  }
}
