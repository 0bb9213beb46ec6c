// Play, pause, step and reset: whether the session is running (as the play button shows
// it), a run carried over a rebuild, and the one message a diverged run gets.

/** callbacks of the transport: channel, controls, nav (HistoryNav), say, speed() → [speed, unit], hasSession() → bool. */
export class Transport {
  constructor({ channel, controls, nav, say, speed, hasSession }) {
    Object.assign(this, { channel, controls, nav, say, speed, hasSession });
    this.running = false;
    this.wantPlay = false; // play the next session as soon as it streams (a rebuild while running)
    this.divergedShown = false;
  }

  setRunning(running) {
    this.running = running;
    this.controls.setRunning(running);
  }

  play() {
    if (!this.hasSession()) return;
    this.nav.backToLive();
    this.divergedShown = false;
    this.channel.play(...this.speed());
    this.setRunning(true);
  }

  /** Pause if running (before an edit, a grab of the timeline). */
  pause() {
    if (!this.running) return;
    this.channel.pause();
    this.setRunning(false);
  }

  togglePlay() {
    if (this.running) this.pause(); else this.play();
  }

  step() {
    if (!this.hasSession()) return;
    this.nav.backToLive();
    this.pause();
    this.channel.step(1);
  }

  reset() {
    if (!this.hasSession()) return;
    this.nav.backToLive();
    this.channel.reset();
    this.divergedShown = false;
  }

  /** The speed changed: a running session takes it at once. */
  speedChanged() {
    if (this.running) this.play();
  }

  /** A new session is about to stream: it plays if the old one was playing. */
  carryOver() {
    this.wantPlay = this.running;
    this.setRunning(false);
  }

  /** The stream's init: the session's own status, then a carried-over play. */
  onInit(session) {
    this.setRunning(session.status === 'running');
    if (this.wantPlay && session.status !== 'running') { this.wantPlay = false; this.play(); }
  }

  /** A live frame: follow its status; a diverged run is said once. */
  onFrame(f) {
    if (f.status === 'diverged') {
      this.setRunning(false);
      if (!this.divergedShown) {
        this.divergedShown = true;
        this.say(f.message ? `Training diverged: ${f.message}` : 'Training diverged (the loss became infinite). Lower the learning rate, then reset.');
      }
    } else if ((f.status === 'running') !== this.running) this.setRunning(f.status === 'running');
  }
}
