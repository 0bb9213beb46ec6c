// Editing the network's parameters live, shared by every view that lets the learner do it
// (the neuron card, the 1-D sums built by hand): a copy of the layers with one number
// changed, sent through the page's setParameters(layers) at most once per animation frame,
// and kept on show until a frame carries it. The views never talk to the server themselves.

/** A copy of [{weights (in×out), bias}, …], with only those two fields. */
export function copyLayers(layers) {
  return layers.map((l) => ({ weights: l.weights.map((row) => row.slice()), bias: l.bias.slice() }));
}

/** A copy of `layers` with the weight from unit i to unit j of layer l set to v (i < 0: j's bias). */
export function withParameter(layers, l, i, j, v) {
  const out = layers.slice();
  const { weights, bias } = layers[l];
  out[l] = i < 0
    ? { weights, bias: Object.assign(bias.slice(), { [j]: v }) }
    : { weights: weights.map((row, k) => (k === i ? Object.assign(row.slice(), { [j]: v }) : row)), bias };
  return out;
}

/** Whether two parameter lists hold the same numbers, within `tol`. */
export function sameLayers(a, b, tol = 1e-9) {
  if (!a || !b || a.length !== b.length) return false;
  const close = (x, y) => x.length === y.length && x.every((v, k) => Math.abs(v - y[k]) <= tol);
  return a.every((l, k) => close(l.bias, b[k].bias) && l.weights.length === b[k].weights.length
    && l.weights.every((row, i) => close(row, b[k].weights[i])));
}

const nextFrame = (f) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(f) : setTimeout(f, 16));
const clock = () => (typeof performance === 'object' ? performance.now() : Date.now());

/**
 * One view's live edits. options: setParameters(layers) (the page sends them; may return a
 * promise, whose refusal goes to onError), pause() (the page pauses training), onError(err);
 * schedule(fn) and now() for tests; `hold` ms an edit stays on show without a frame of it.
 */
export class LiveEdit {
  constructor({ setParameters, pause = () => {}, onError = () => {}, schedule = nextFrame, now = clock, hold = 2000 }) {
    Object.assign(this, { setParameters, pause, onError, schedule, now, hold });
    this.clear();
  }

  /** Forget any edit (a new session). */
  clear() {
    this.edit = null; // the layers on show until a frame carries them
    this.waiting = null; // the layers not sent yet
    this.sentAt = -Infinity;
    this.scheduled = false;
  }

  /** The learner starts editing: training pauses (the page decides how). */
  begin() {
    this.pause();
  }

  /** Show `layers` at once; send them at the next animation frame (the last of a burst). */
  set(layers) {
    this.edit = layers;
    this.waiting = layers;
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => { this.scheduled = false; this.flush(); });
  }

  /** Send what waits now (a value was typed, a drag ended). */
  flush() {
    const layers = this.waiting;
    if (!layers) return;
    this.waiting = null;
    this.sentAt = this.now();
    const sent = this.setParameters(layers);
    if (sent && typeof sent.catch === 'function') sent.catch((e) => this.onError(e));
  }

  /** An edit is on show that no frame has carried yet. */
  get editing() {
    return this.edit !== null;
  }

  /**
   * The layers to show with a frame's `layers`: the edit, until a frame carries it, or
   * `hold` ms pass after the last send, or the frame is a peek at the past; then the frame's.
   */
  shown(layers, peek = false) {
    if (this.edit && !this.waiting) {
      if (peek || sameLayers(layers, this.edit) || this.now() - this.sentAt > this.hold) this.edit = null;
    }
    return this.edit || layers;
  }
}
