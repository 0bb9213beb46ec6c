// Hidden space: every data point placed by the last hidden layer's outputs, the input grid's
// lines carried into that space, and the output neuron (a logistic regression on these
// features) as a straight boundary with its probability contours. Numbers: hidden-model.js;
// drawing: hidden-plot.js.
//
// Public interface (what the page calls; views.js registers it):
//   new HiddenSpace(root, options)  root: #view-hidden (templates/_views.html); it edits nothing,
//                                   so of the page's options it uses none
//   setup(init, ctx)     a new session's init message (init.network, init.grid, init.points, init.model)
//   draw(frame, grids)   on requestAnimationFrame: frame.hidden_points and .layers, the decoded maps
//   Exposes window.__llHidden (what was drawn, for tests and the bench).

import { classColor, targetColor } from './colors.js';
import { sideOf, vectorContext } from './heatmap.js';
import { decodeMaps } from './maps.js';
import { el, find, option, setText } from './dom.js';
import { clipTo, drawAxes, scale } from './draw.js';
import { fmtShort, weightedSum } from './format.js';
import { frameRange, outputAffine, projectMaps, projection, projections, stripY, valueRange } from './hidden-model.js';
import { backgroundBytes, drawBoundary, drawGrid, drawLevels, drawSets, paintBackground } from './hidden-plot.js';
import { hint, viewText } from './vocabulary.js';
import { Motion } from './hidden-motion-view.js';

const PAD = { l: 46, r: 12, t: 10, b: 40 };
const CHOICES = { strip: 'its one neuron', axes: 'its two neurons', out: 'along the output weights (exact boundary)', pca: 'PCA: two main directions', pick: 'two neurons of my choice' };

/** The hidden-space view; `root` holds its canvas, controls and texts (templates/_views.html). */
export class HiddenSpace {
  constructor(root) {
    this.root = root;
    const q = (s) => root.querySelector(s);
    Object.assign(this, find(root, {
      canvas: '.hs-canvas', body: '.view-body', note: '.view-note', explainer: '.hs-explainer', formula: '.hs-formula',
      legend: '.hs-legend', projSel: '.hs-proj', pickX: '.hs-pick-x', pickY: '.hs-pick-y', pickers: '.hs-pickers',
    }));
    this.bg = document.createElement('canvas');
    this.bgBytes = backgroundBytes();
    this.opts = { grid: true, test: false, contours: true };
    for (const [key, sel] of [['grid', '.hs-opt-grid'], ['test', '.hs-opt-test'], ['contours', '.hs-opt-contours']]) {
      const box = q(sel);
      box.checked = this.opts[key];
      box.addEventListener('change', () => { this.opts[key] = box.checked; this.redraw(); });
    }
    this.projSel.addEventListener('change', () => { this.mode = this.projSel.value; this.resetView(); this.redraw(); });
    for (const s of [this.pickX, this.pickY]) s.addEventListener('change', () => { this.resetView(); this.redraw(); });
    this.motion = new Motion(root, () => this.redraw());
    this.slots = { train: [], test: [] };
    this.on = false;
    this.last = null;
    this.ms = 0;
    new ResizeObserver(() => this.redraw()).observe(this.canvas);
    window.__llHidden = null;
  }

  /** A new session: decide whether the view applies and how to project. */
  setup(init) {
    const sizes = init.network.sizes;
    this.L = sizes.length - 2; // 1-based number of the last hidden layer
    this.H = this.L > 0 ? sizes[this.L] : 0;
    this.task = init.network.task;
    this.classes = init.network.classes || [];
    this.activation = init.network.activation;
    this.oneD = init.grid.y === null || init.grid.y === undefined;
    this.g = init.grid.neuron_size;
    this.labels = { train: init.points.train.y || [], test: init.points.test.y || [] };
    this.target = init.model ? init.model.target_standardize : null;
    this.values = this.task === 'regression' ? valueRange(this.labels.train) : [0, 1];
    this.last = null;
    window.__llHidden = null;
    this.on = this.H > 0;
    this.body.hidden = !this.on;
    this.note.hidden = this.on;
    this.motion.setup(init, this.on ? this.L : 0);
    if (!this.on) {
      setText(this.note, viewText('hidden', `alone_${this.task}`));
      return;
    }
    // projections: two neurons are the axes; more: along the output weights, PCA, or a chosen pair
    const modes = projections(this.H, this.task === 'multiclass');
    this.projSel.replaceChildren(...modes.map((m) => {
      const o = option(m, CHOICES[m]);
      if (m === 'pca') o.title = hint('pca'); // the jargon, explained on hover
      return o;
    }));
    this.projSel.title = modes.includes('pca') ? hint('pca') : '';
    this.projSel.disabled = modes.length === 1;
    this.mode = modes[0];
    for (const [s, k] of [[this.pickX, 0], [this.pickY, 1]]) {
      s.replaceChildren(...Array.from({ length: this.H }, (_, j) => option(String(j), this.name(j))));
      s.value = String(Math.min(k, this.H - 1));
    }
    this.resetView();
    this.renderLegend();
    const carried = viewText('hidden', this.oneD ? 'carried_1d' : 'carried_2d');
    const linear = this.activation === 'linear' ? '_linear' : ''; // linear neurons cannot bend the plane
    setText(this.explainer, viewText('hidden', `explainer_${this.task}${linear}`, { carried }));
  }

  name(j) { return `h${this.L}.${j + 1}`; }

  resetView() {
    this.range = null;
    this.basis = {};
    this.pickers.hidden = this.mode !== 'pick';
  }

  redraw() {
    if (this.last) this.draw(this.last.frame, this.last.grids);
  }

  renderLegend() {
    const K = this.classes.length;
    const items = this.task === 'regression'
      ? [['grad', 'points: target value (dark low, yellow high)']]
      : this.classes.map((c, k) => [classColor(k, K), `class ${c}`]);
    this.legend.replaceChildren(...items.map(([color, text]) => {
      const s = el('span');
      const i = el('i', color === 'grad' ? 'grad' : '', s);
      if (color !== 'grad') i.style.background = color;
      s.append(document.createTextNode(text));
      return s;
    }));
  }

  /** The axes' titles for the projection on show. */
  titles() {
    const [a, b] = [Number(this.pickX.value), Number(this.pickY.value)];
    return {
      strip: [`${this.name(0)} (the one hidden neuron)`, this.task === 'regression' ? 'target value' : 'class (spread out)'],
      axes: [this.name(0), this.name(1)],
      pick: [this.name(a), this.name(b)],
      out: ['along the output weights: v·h / |v|', 'main spread across them'],
      pca: ['first principal direction', 'second principal direction'],
    }[this.mode];
  }

  /** Paint the frame: points, carried grid, boundary and contours. */
  draw(frame, grids) {
    if (!this.on) return;
    this.last = { frame, grids };
    const hp = frame.hidden_points;
    const layers = frame.layers;
    const maps = grids.neurons[this.L - 1];
    // a frame of another view (no hidden points, or thumbnails-sized maps) waits for the next
    if (!hp || !hp.train || !layers || !maps || maps.some((m) => !m || sideOf(m, this.g) !== this.g)) return;
    const t0 = performance.now();
    const out = layers[layers.length - 1];
    const regression = this.task === 'regression';
    const sets = { train: decodeMaps(hp.train, this.slots.train), test: this.opts.test ? decodeMaps(hp.test, this.slots.test) : [] };
    const proj = projection(this.mode, this.H, sets.train, out, this.basis, [Number(this.pickX.value), Number(this.pickY.value)]);
    this.basis = { ax: proj.ax, ay: proj.ay };
    // project every point and every neuron-grid cell: X = kx·u + KX per decoded byte u
    const P = { train: projectMaps(sets.train, proj), test: projectMaps(sets.test, proj) };
    const cells = this.opts.grid && this.mode !== 'strip' ? projectMaps(grids.neurons[this.L - 1], proj) : null;
    if (this.mode === 'strip') for (const name of ['train', 'test']) stripY(P[name], this.labels[name], Math.max(2, this.classes.length), regression);
    const fitted = frameRange(cells ? [P.train, P.test, cells] : [P.train, P.test], { mode: this.mode, act: this.activation, regression, prev: this.range });
    this.range = fitted.range;
    const box = fitted.box;
    const { ctx, w, h } = vectorContext(this.canvas);
    ctx.clearRect(0, 0, w, h);
    const r = { x: PAD.l, y: PAD.t, w: w - PAD.l - PAD.r, h: h - PAD.t - PAD.b };
    if (r.w < 20 || r.h < 20) return;
    const color = targetColor(this.task, this.classes.length, this.values);
    this.motion.describe(this.mode, proj.exact);
    if (this.motion.moving()) { // a moment on the way from the input plane: no output drawn yet
      const stripped = this.mode === 'strip' ? P.train.Y : null;
      this.motion.draw(ctx, r, frame, proj, stripped, box, { grid: this.opts.grid, labels: this.labels, color });
      setText(this.formula, this.caption(out, proj.exact));
      this.ms = performance.now() - t0;
      this.expose(frame, proj, null, P, out, box);
      return;
    }
    const X = scale(box[0], box[1], r.x, r.x + r.w);
    const Y = scale(box[2], box[3], r.y + r.h, r.y);
    // the output as a background, where it is a function of the two drawn coordinates
    const g = proj.exact ? outputAffine(this.mode, proj, out) : null;
    if (g && (!regression || this.target)) {
      paintBackground(ctx, r, box, g, this.bg, this.bgBytes, { task: this.task, target: this.target, values: this.values, K: out.bias.length });
    }
    const [xTitle, yTitle] = this.titles();
    drawAxes(ctx, r, X, Y, [box[0], box[1]], [box[2], box[3]], { xTitle, yTitle });
    clipTo(ctx, r);
    if (cells) drawGrid(ctx, cells, this.g, this.oneD, X, Y);
    let line = null;
    if (g && g.length === 1 && this.task === 'binary') line = drawBoundary(ctx, box, g[0], X, Y, this.opts.contours);
    if (g && regression && this.target && this.opts.contours) drawLevels(ctx, box, g[0], X, Y, this.target, this.values);
    drawSets(ctx, this.opts.test ? [['train', '#fff'], ['test', '#1d2330']] : [['train', '#fff']], P, this.labels, color, X, Y);
    ctx.restore();
    setText(this.formula, this.caption(out, proj.exact));
    this.ms = performance.now() - t0;
    this.expose(frame, proj, line, P, out, box);
  }

  /** The output neuron's formula over these features, and what the line is. */
  caption(out, exact) {
    const H = this.H;
    // a regression's output in the target's own units: ŷ = (Σ v_j·h_j + c)·std + mean, folded in
    const [k, m] = this.task === 'regression' && this.target ? [this.target.std, this.target.mean] : [1, 0];
    const lin = weightedSum(out.weights.map((row, j) => [row[0] * k, this.name(j)]), out.bias[0] * k + m, { fmt: fmtShort, max: 6 });
    const dashed = this.opts.contours;
    const t = this.task;
    let f = t === 'multiclass'
      ? viewText('hidden', exact ? 'caption_multiclass' : 'caption_multiclass_projected', { k: out.bias.length })
      : viewText('hidden', `caption_${t}`, { sum: lin, dashed: dashed ? viewText('hidden', `dashed_${t}`) : '' });
    if (!exact && t !== 'multiclass') f += viewText('hidden', this.mode === 'pca' ? 'projected_pca' : 'projected_pair', { h: H });
    else if (this.mode === 'out') f += viewText('hidden', 'along_output');
    return f;
  }

  /** For tests and the curious: what was drawn, in the plot's coordinates. */
  expose(frame, proj, line, P, out, box) {
    const stripped = this.mode === 'strip' ? P.train.Y : null;
    const motion = this.motion;
    const labels = this.labels.train;
    const pts = P.train;
    window.__llHidden = {
      step: frame.step, mode: this.mode, exact: proj.exact, H: this.H, layer: this.L, line,
      proj: { ax: Array.from(proj.ax), ay: Array.from(proj.ay), ox: proj.ox, oy: proj.oy },
      motion: motion.on ? { t: motion.t, raw: motion.raw, at: (t) => motion.positions(t, frame, proj, stripped, box), text: motion.text.textContent } : null,
      output: { v: out.weights.map((row) => row.slice()), c: out.bias.slice() }, ms: this.ms,
      get points() { return Array.from(pts.X, (x, i) => [x, pts.Y[i], labels[i]]); },
    };
  }
}
