// The hidden space, moving: the slider and play control under the hidden-space plot, the one
// sentence that says what the motion is for the network on show, and the drawing of a moment
// t < 1 (points and carried grid between the keys of hidden-motion.js). At t = 1 the view
// draws the hidden space as it always does, with the output's line. Used by hiddenspace.js.

import { at, boxAt, carry, gridPoints, keyBox, keys, layerProjection, motionInputs, segment, standardize } from './hidden-motion.js';
import { drawGrid, drawnCells, drawSets } from './hidden-plot.js';
import { clipTo, drawAxes, scale } from './draw.js';
import { find, setText } from './dom.js';
import { activation, rawInputs, transformLabel, viewText } from './vocabulary.js';

const SECONDS = 4; // a play from t = 0 to t = 1
const say = (key, values) => viewText('motion', key, values);

/** The motion's controls and state; `redraw()` repaints the view at the current t. */
export class Motion {
  constructor(root, redraw) {
    Object.assign(this, find(root, { box: '.hs-motion', play: '.hs-play', slider: '.hs-t', value: '.hs-t-value', text: '.hs-motion-text', name: '.hs-t-name' }));
    this.redraw = redraw;
    this.t = 1;
    this.on = false;
    this.cache = null;
    setText(this.name, say('label'));
    this.play.title = say('play');
    this.play.setAttribute('aria-label', say('play'));
    this.slider.setAttribute('aria-label', say('slider'));
    this.slider.addEventListener('input', () => { this.stop(); this.set(Number(this.slider.value)); });
    this.play.addEventListener('click', () => (this.timer ? this.stop() : this.start()));
  }

  /** A new session: whether the motion applies, and the standardized points and grid it starts from. */
  setup(init, L) {
    this.stop();
    this.cache = null;
    const model = init.model;
    const features = init.grid.features || [];
    const cols = L > 0 ? motionInputs(model, features, rawInputs()) : null;
    this.on = Boolean(cols);
    this.box.hidden = L === 0 || !this.on;
    this.text.hidden = L === 0;
    this.set(1);
    if (!this.on) {
      if (L > 0) setText(this.text, say('off_inputs', { inputs: init.network.inputs.map(transformLabel).join(', ') }));
      return;
    }
    this.L = L;
    this.task = init.network.task;
    this.act = init.network.activation;
    this.oneD = !init.grid.y;
    this.g = init.grid.neuron_size;
    this.inputs = init.network.inputs.map(transformLabel);
    this.raw = init.points.train.x; // the training points drawn, in the features' own units
    this.rows = standardize(this.raw, cols);
    const grid = gridPoints(init.grid, this.g);
    this.drawn = drawnCells(this.g, this.oneD); // only the cells on the grid's drawn lines are carried
    this.cells = standardize(this.drawn.map((c) => grid[c]), cols);
    this.full = { X: new Float32Array(grid.length), Y: new Float32Array(grid.length) };
    this.sizes = init.network.sizes;
  }

  /** Whether the view is drawn by the motion (t < 1) rather than as the hidden space itself. */
  moving() { return this.on && this.t < 1; }

  set(t) {
    this.t = Math.min(1, Math.max(0, t));
    this.slider.value = String(this.t);
    setText(this.value, this.t.toFixed(2));
    this.redraw();
  }

  start() {
    if (!this.on) return;
    const from = this.t >= 1 ? 0 : this.t;
    const t0 = performance.now() - from * SECONDS * 1000;
    this.play.setAttribute('aria-pressed', 'true');
    setText(this.play, '❚❚');
    const tick = (now) => {
      const t = (now - t0) / (SECONDS * 1000);
      this.set(t);
      this.timer = t < 1 ? requestAnimationFrame(tick) : null;
      if (!this.timer) this.stop();
    };
    this.timer = requestAnimationFrame(tick);
  }

  stop() {
    if (this.timer) cancelAnimationFrame(this.timer);
    this.timer = null;
    this.play.setAttribute('aria-pressed', 'false');
    setText(this.play, '▶');
  }

  /** The sentence for the network on show, drawn in `mode` (the view's projection), `exact` or not. */
  describe(mode, exact) {
    if (!this.on) return;
    const a = activation(this.act);
    const linear = !a || !a.symbol;
    const act = linear ? 'h = z' : `${a.symbol}(z)`;
    const H = this.sizes[this.L];
    let s = say(this.oneD ? 'start_1d' : 'start_2d', { inputs: this.inputs.join(', ') });
    s += say(`${this.L > 1 ? 'deep' : 'one'}${linear ? '_linear' : ''}`, { act, n: this.L });
    s += say(exact ? `end_${this.task}` : 'end_projected');
    const how = mode === 'strip' && this.task === 'regression' ? 'strip_regression' : mode;
    s += say(how, { h: H, act, where: this.L > 1 ? say('where_last') : '' });
    if (this.sizes.slice(1, this.L).some((h) => h > 2)) s += say('earlier');
    setText(this.text, s);
  }

  /**
   * The keys for this frame (cached while the frame and the projection stay): every training
   * point's and grid cell's position at the input, then at z and act(z) of each hidden layer.
   * proj: the view's projection of the last layer; stripY: its spread of the points (one neuron).
   */
  keysFor(frame, proj, stripY, lastBox) {
    const c = this.cache;
    const id = [proj.ox, proj.oy, ...proj.ax, ...proj.ay].join();
    if (c && c.frame === frame && c.id === id) return c;
    const points = carry(this.rows, frame.layers, this.act);
    const cells = stripY ? null : carry(this.cells, frame.layers, this.act);
    const earlier = points.slice(0, -1).map(({ a }, l) => layerProjection(a, c && c.earlier ? c.earlier[l] : {}));
    const P = keys(this.rows, points, proj, earlier, stripY);
    const G = cells ? keys(this.cells, cells, proj, earlier) : null;
    const boxes = P.map((p, k) => {
      if (k === P.length - 1) return lastBox; // t = 1: the hidden space's own box
      const b = G ? union(keyBox(p), keyBox(G[k])) : keyBox(p);
      return stripY ? b : square(b); // one scale on both axes: the picture undistorted
    });
    this.cache = { frame, id, points: P, grid: G, boxes, earlier };
    return this.cache;
  }

  /** Paint the moment t < 1 in rect r of ctx: the training points and the carried grid. */
  draw(ctx, r, frame, proj, stripY, lastBox, { grid, labels, color }) {
    const k = this.keysFor(frame, proj, stripY, lastBox);
    const box = boxAt(k.boxes, this.t);
    const X = scale(box[0], box[1], r.x, r.x + r.w);
    const Y = scale(box[2], box[3], r.y + r.h, r.y);
    const { k: seg, s } = segment(k.points.length, this.t);
    const t = this.t.toFixed(2);
    const titles = this.t === 0
      ? this.inputs.map((n) => `${n} (standardized)`)
      : [s === 0 ? say('title_at', { t, at: this.keyName(seg) }) : say('title_moving', { t, from: this.keyName(seg), to: this.keyName(seg + 1) }), ''];
    drawAxes(ctx, r, X, Y, [box[0], box[1]], [box[2], box[3]], { xTitle: titles[0], yTitle: this.oneD ? '' : titles[1] || '' });
    clipTo(ctx, r);
    if (grid && k.grid) drawGrid(ctx, this.scatter(at(k.grid, this.t)), this.g, this.oneD, X, Y);
    const P = { train: at(k.points, this.t) };
    drawSets(ctx, [['train', '#fff']], P, labels, color, X, Y);
    ctx.restore();
    return P.train;
  }

  /** The carried cells placed back at their places in the g×g grid drawGrid reads. */
  scatter({ X, Y }) {
    this.drawn.forEach((c, m) => { this.full.X[c] = X[m]; this.full.Y[c] = Y[m]; });
    return this.full;
  }

  /** Key j's name: x, then z and act(z) of each layer (numbered when there are several). */
  keyName(j) {
    if (j === 0) return 'x';
    const l = this.L > 1 ? String(Math.ceil(j / 2)).replace(/\d/g, (d) => '₀₁₂₃₄₅₆₇₈₉'[d]) : '';
    const a = activation(this.act);
    const z = `z${l}`;
    return j % 2 || !a || !a.symbol ? z : `${a.symbol}(${z})`;
  }

  /** For tests: the training points' positions at t, as [[X, Y], …] (keysFor's arguments). */
  positions(t, frame, proj, stripY, lastBox) {
    const p = at(this.keysFor(frame, proj, stripY, lastBox).points, t);
    return Array.from(p.X, (x, i) => [x, p.Y[i]]);
  }
}

/** The smallest box holding boxes a and b. */
function union(a, b) {
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.max(a[3], b[3])];
}

/** A box widened to one scale on both axes (its centre kept). */
function square([x0, x1, y0, y1]) {
  const span = Math.max(x1 - x0, y1 - y0);
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  return [cx - span / 2, cx + span / 2, cy - span / 2, cy + span / 2];
}
