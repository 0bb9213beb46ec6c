// Hidden space: every data point placed by the last hidden layer's outputs, the input grid's
// lines carried into that space, and the output neuron (a logistic regression on these
// features) as a straight boundary with its probability contours.

import { classColor, css, lut, sequential } from './colors.js';
import { paintClasses, paintGrid, vectorContext } from './heatmap.js';
import { decodeMaps } from './maps.js';
import { clipLine, drawAxes, logit, scale, sigmoid, steady } from './draw.js';
import { fmtShort as fmt } from './format.js';

const LEVELS = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9]; // probability contours beside P = 0.5
const BG = 56; // background cells per side
const PAD = { l: 46, r: 12, t: 10, b: 40 };
const GRID_EVERY = 4; // draw every 4th row and column of the neuron grid

/** The hidden-space view; `root` holds its canvas, controls and texts (templates/_views.html). */
export class HiddenSpace {
  constructor(root) {
    this.root = root;
    const q = (s) => root.querySelector(s);
    this.canvas = q('.hs-canvas');
    this.body = q('.view-body');
    this.note = q('.view-note');
    this.explainer = q('.hs-explainer');
    this.formula = q('.hs-formula');
    this.legend = q('.hs-legend');
    this.projSel = q('.hs-proj');
    this.pickX = q('.hs-pick-x');
    this.pickY = q('.hs-pick-y');
    this.pickers = q('.hs-pickers');
    this.bg = document.createElement('canvas');
    this.opts = { grid: true, test: false, contours: true };
    for (const [key, sel] of [['grid', '.hs-opt-grid'], ['test', '.hs-opt-test'], ['contours', '.hs-opt-contours']]) {
      const box = q(sel);
      box.checked = this.opts[key];
      box.addEventListener('change', () => { this.opts[key] = box.checked; this.redraw(); });
    }
    this.projSel.addEventListener('change', () => { this.mode = this.projSel.value; this.resetView(); this.redraw(); });
    for (const s of [this.pickX, this.pickY]) s.addEventListener('change', () => { this.resetView(); this.redraw(); });
    this.slots = { train: [], test: [] };
    this.on = false;
    this.last = null;
    this.text = {};
    this.stats = { ms: 0 };
    new ResizeObserver(() => this.redraw()).observe(this.canvas);
    window.__llHidden = null;
  }

  /** A new session: decide whether the view applies and how to project. */
  setup(init, ctx) {
    const sizes = init.network.sizes;
    this.L = sizes.length - 2; // 1-based number of the last hidden layer
    this.H = this.L > 0 ? sizes[this.L] : 0;
    this.task = init.network.task;
    this.classes = init.network.classes || [];
    this.activation = init.network.activation;
    this.oneD = init.grid.y === null || init.grid.y === undefined;
    this.g = init.grid.neuron_size;
    this.labels = { train: init.points.train.y || [], test: init.points.test.y || [] };
    this.last = null;
    this.target = null;
    window.__llHidden = null;
    this.on = this.H > 0;
    this.body.hidden = !this.on;
    this.note.hidden = this.on;
    if (!this.on) {
      this.setText(this.note, 'No hidden layer: the output neuron is a logistic regression on the inputs themselves, so there is no hidden space to show. Add a hidden layer to see the inputs carried into it.');
      return;
    }
    if (this.task === 'regression' && ctx.model) ctx.model.then((m) => { this.target = m.target_standardize; this.redraw(); }).catch(() => {});
    // projections: two neurons are the axes; more: along the output weights, PCA, or a chosen pair
    const opts = [];
    if (this.H === 1) opts.push(['strip', 'its one neuron']);
    else if (this.H === 2) opts.push(['axes', 'its two neurons']);
    else {
      if (this.task !== 'multiclass') opts.push(['out', 'along the output weights (exact boundary)']);
      opts.push(['pca', 'PCA: two main directions'], ['pick', 'two neurons of my choice']);
    }
    this.projSel.replaceChildren(...opts.map(([v, t]) => { const o = document.createElement('option'); o.value = v; o.textContent = t; return o; }));
    this.projSel.disabled = opts.length === 1;
    this.mode = opts[0][0];
    for (const [s, k] of [[this.pickX, 0], [this.pickY, 1]]) {
      s.replaceChildren(...Array.from({ length: this.H }, (_, j) => { const o = document.createElement('option'); o.value = String(j); o.textContent = this.name(j); return o; }));
      s.value = String(Math.min(k, this.H - 1));
    }
    this.resetView();
    this.renderLegend();
    const carried = this.oneD ? 'the grey curve is the x axis carried into this space' : 'the grey grid is the input plane carried into this space';
    const what = {
      binary: `The output neuron is a logistic regression on these features, so its boundary here is a straight line. As training goes, the hidden layer bends the inputs (${carried}) until the two classes fall on either side of that line.`,
      multiclass: `The output is a softmax regression on these features: every pair of classes is split by a straight line here. As training goes, the hidden layer bends the inputs (${carried}) until the classes can be told apart by lines.`,
      regression: `The output is a linear regression on these features: its prediction changes along one direction only (shading; dashed lines of equal prediction). The hidden layer bends the inputs (${carried}) so that the targets line up along it.`,
    }[this.task];
    this.setText(this.explainer, `Each point is a training example, placed by what the last hidden layer outputs for it. ${what}`);
  }

  name(j) { return `h${this.L}.${j + 1}`; }

  resetView() {
    this.range = null;
    this.basis = null;
    this.pickers.hidden = this.mode !== 'pick';
  }

  redraw() {
    if (this.last) this.draw(this.last.frame, this.last.grids);
  }

  setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  renderLegend() {
    const items = [];
    const K = this.classes.length;
    if (this.task === 'regression') items.push(['grad', 'points: target value (dark low, yellow high)']);
    else this.classes.forEach((c, k) => items.push([classColor(k, K), `class ${c}`]));
    this.legend.replaceChildren(...items.map(([color, text]) => {
      const s = document.createElement('span');
      const i = document.createElement('i');
      if (color === 'grad') i.className = 'grad'; else i.style.background = color;
      s.append(i, document.createTextNode(text));
      return s;
    }));
  }

  /** Paint the frame: points, carried grid, boundary and contours. */
  draw(frame, grids) {
    if (!this.on) return;
    this.last = { frame, grids };
    const hp = frame.hidden_points;
    const layers = frame.layers;
    if (!hp || !hp.train || !layers || !grids.neurons[this.L - 1]) return;
    const t0 = performance.now();
    const H = this.H;
    const out = layers[layers.length - 1];
    const K = out.bias.length;
    const sets = { train: decodeMaps(hp.train, this.slots.train), test: this.opts.test ? decodeMaps(hp.test, this.slots.test) : [] };
    const proj = this.projection(sets.train, out);
    const exact = proj.exact;
    // project every point and every neuron-grid cell: X = kx·u + KX per decoded byte u
    const P = {};
    for (const name of ['train', 'test']) P[name] = this.projectMaps(sets[name], proj);
    const cells = this.opts.grid && this.mode !== 'strip' ? this.projectMaps(grids.neurons[this.L - 1], proj) : null;
    if (this.mode === 'strip') for (const name of ['train', 'test']) this.stripY(P[name], this.labels[name]);
    const box = this.frameRange(P, cells);
    // canvas
    const { ctx, w, h } = vectorContext(this.canvas);
    ctx.clearRect(0, 0, w, h);
    const r = { x: PAD.l, y: PAD.t, w: w - PAD.l - PAD.r, h: h - PAD.t - PAD.b };
    if (r.w < 20 || r.h < 20) return;
    const X = scale(box[0], box[1], r.x, r.x + r.w);
    const Y = scale(box[2], box[3], r.y + r.h, r.y);
    // the output as a background, where it is a function of the two drawn coordinates
    const g = exact ? this.outputAffine(proj, out) : null;
    if (g) this.paintBackground(ctx, r, box, g, K);
    drawAxes(ctx, r, X, Y, [box[0], box[1]], [box[2], box[3]], { xTitle: proj.xTitle, yTitle: proj.yTitle });
    ctx.save();
    ctx.beginPath();
    ctx.rect(r.x, r.y, r.w, r.h);
    ctx.clip();
    if (cells) this.drawGrid(ctx, cells, X, Y);
    let line = null;
    if (g && K === 1 && this.task === 'binary') line = this.drawBoundary(ctx, box, g, X, Y);
    if (g && this.task === 'regression') this.drawLevels(ctx, box, g, X, Y);
    this.drawPoints(ctx, P, X, Y);
    ctx.restore();
    this.caption(proj, out, exact);
    this.stats.ms = performance.now() - t0;
    this.expose(frame, proj, line, P, out);
  }

  /** How hidden vectors become the two drawn coordinates: X = ax·h + ox, Y = ay·h + oy. */
  projection(train, out) {
    const H = this.H;
    const e = (j) => { const v = new Float64Array(H); v[j] = 1; return v; };
    const v = out.weights.map((row) => row[0]);
    const c = out.bias[0];
    if (this.mode === 'strip') return { ax: e(0), ay: new Float64Array(1), ox: 0, oy: 0, exact: true, xTitle: `${this.name(0)} (the one hidden neuron)`, yTitle: this.task === 'regression' ? 'target value' : 'class (spread out)' };
    if (this.mode === 'axes') return { ax: e(0), ay: e(1), ox: 0, oy: 0, exact: true, xTitle: this.name(0), yTitle: this.name(1) };
    if (this.mode === 'pick') {
      const a = Number(this.pickX.value);
      const b = Number(this.pickY.value);
      return { ax: e(a), ay: e(b), ox: 0, oy: 0, exact: false, xTitle: this.name(a), yTitle: this.name(b) };
    }
    // statistics of the training points in hidden space
    const n = train.length ? train[0].bytes.length : 0;
    const mu = new Float64Array(H);
    const C = new Float64Array(H * H);
    const hv = new Float64Array(H);
    const s = train.map((m) => (m.hi - m.lo) / 255);
    for (let i = 0; i < n; i++) for (let j = 0; j < H; j++) mu[j] += (train[j].lo + s[j] * train[j].bytes[i]) / n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < H; j++) hv[j] = train[j].lo + s[j] * train[j].bytes[i] - mu[j];
      for (let j = 0; j < H; j++) for (let k = 0; k < H; k++) C[j * H + k] += (hv[j] * hv[k]) / n;
    }
    const prev = this.basis || {};
    let ax;
    let ay;
    if (this.mode === 'out') {
      const norm = Math.hypot(...v) || 1;
      ax = Float64Array.from(v, (x) => x / norm);
      ay = topDirection(C, H, [ax], prev.ay);
    } else {
      ax = topDirection(C, H, [], prev.ax);
      ay = topDirection(C, H, [ax], prev.ay);
    }
    this.basis = { ax, ay };
    const dot = (a, b) => a.reduce((t, x, j) => t + x * b[j], 0);
    const isOut = this.mode === 'out';
    return {
      ax, ay, ox: isOut ? 0 : -dot(ax, mu), oy: -dot(ay, mu), exact: isOut,
      xTitle: isOut ? `along the output weights: v·h / |v|` : 'first principal direction',
      yTitle: isOut ? 'main spread across them' : 'second principal direction',
      norm: isOut ? Math.hypot(...v) : 0, c,
    };
  }

  /** Project decoded maps (one per hidden neuron) to {X, Y} Float32Arrays. */
  projectMaps(maps, proj) {
    if (!maps.length) return { X: new Float32Array(0), Y: new Float32Array(0) };
    const n = maps[0].bytes.length;
    const X = new Float32Array(n);
    const Y = new Float32Array(n);
    let KX = proj.ox;
    let KY = proj.oy;
    for (let j = 0; j < maps.length; j++) {
      const s = (maps[j].hi - maps[j].lo) / 255;
      const kx = proj.ax[j] || 0;
      const ky = proj.ay[j] || 0;
      KX += kx * maps[j].lo;
      KY += ky * maps[j].lo;
      if (kx === 0 && ky === 0) continue;
      const b = maps[j].bytes;
      const fx = kx * s;
      const fy = ky * s;
      for (let i = 0; i < n; i++) { X[i] += fx * b[i]; Y[i] += fy * b[i]; }
    }
    for (let i = 0; i < n; i++) { X[i] += KX; Y[i] += KY; }
    return { X, Y };
  }

  /** One hidden neuron: spread the points vertically by class (or place them at their target). */
  stripY(p, labels) {
    const K = Math.max(2, this.classes.length);
    for (let i = 0; i < p.Y.length; i++) {
      const y = labels[i];
      p.Y[i] = this.task === 'regression' ? y : (y + 0.5) / K + jitter(i) * (0.6 / K);
    }
  }

  /** The drawn box [x0, x1, y0, y1]: fixed for bounded activations on neuron axes, else fitted. */
  frameRange(P, cells) {
    const fixed = { sigmoid: [-0.04, 1.04], tanh: [-1.06, 1.06] }[this.activation];
    if (this.mode === 'axes' && fixed) return [...fixed, ...fixed];
    const ext = [Infinity, -Infinity, Infinity, -Infinity];
    const take = ({ X, Y }) => {
      for (let i = 0; i < X.length; i++) {
        const x = X[i];
        const y = Y[i];
        if (x < ext[0]) ext[0] = x;
        if (x > ext[1]) ext[1] = x;
        if (y < ext[2]) ext[2] = y;
        if (y > ext[3]) ext[3] = y;
      }
    };
    take(P.train);
    take(P.test);
    if (cells) take(cells);
    if (!(ext[1] >= ext[0])) return [0, 1, 0, 1];
    if (this.mode === 'strip' && fixed) [ext[0], ext[1]] = [Math.min(ext[0], fixed[0]), Math.max(ext[1], fixed[1])];
    if (this.mode === 'strip' && this.task !== 'regression') [ext[2], ext[3]] = [0, 1];
    let xr = padded([ext[0], ext[1]]);
    let yr = padded([ext[2], ext[3]]);
    if (this.mode === 'out' || this.mode === 'pca') { // same scale on both axes: distances stay true
      const span = Math.max(xr[1] - xr[0], yr[1] - yr[0]);
      const mid = (a) => (a[0] + a[1]) / 2;
      xr = [mid(xr) - span / 2, mid(xr) + span / 2];
      yr = [mid(yr) - span / 2, mid(yr) + span / 2];
    }
    const prev = this.range;
    xr = steady(prev && prev.x, xr);
    yr = steady(prev && prev.y, yr);
    this.range = { x: xr, y: yr };
    return [xr[0], xr[1], yr[0], yr[1]];
  }

  /** The output's pre-activation as an affine function of (X, Y) per output: gx·X + gy·Y + g0. */
  outputAffine(proj, out) {
    const W = out.weights;
    const K = out.bias.length;
    if (this.mode === 'out') return [{ gx: proj.norm, gy: 0, g0: proj.c }];
    return Array.from({ length: K }, (_, k) => ({ gx: W[0][k], gy: this.H > 1 ? W[1][k] : 0, g0: out.bias[k] }));
  }

  /** Shade the output over the plot: probability, most probable class, or predicted value. */
  paintBackground(ctx, r, box, g, K) {
    const n = BG;
    const grid = this.bgBytes || (this.bgBytes = Array.from({ length: 8 }, () => new Uint8Array(n * n)));
    const z = new Float64Array(K);
    const isStrip = this.mode === 'strip';
    const t = this.target;
    let zlo = 0;
    let zhi = 1;
    if (this.task === 'regression') {
      if (!t) return;
      [zlo, zhi] = this.valueRange();
    }
    for (let i = 0; i < n; i++) {
      const y = box[2] + ((i + 0.5) / n) * (box[3] - box[2]);
      for (let j = 0; j < n; j++) {
        const x = box[0] + ((j + 0.5) / n) * (box[1] - box[0]);
        let m = -Infinity;
        for (let k = 0; k < K; k++) { z[k] = g[k].gx * x + (isStrip ? 0 : g[k].gy * y) + g[k].g0; if (z[k] > m) m = z[k]; }
        const cell = i * n + j;
        if (this.task === 'binary') grid[0][cell] = Math.round(sigmoid(z[0]) * 255);
        else if (this.task === 'regression') grid[0][cell] = Math.max(0, Math.min(255, Math.round(((z[0] * t.std + t.mean - zlo) / (zhi - zlo || 1)) * 255)));
        else {
          let sum = 0;
          for (let k = 0; k < K; k++) sum += Math.exp(z[k] - m);
          for (let k = 0; k < Math.min(K, 8); k++) grid[k][cell] = Math.round((Math.exp(z[k] - m) / sum) * 255);
        }
      }
    }
    if (this.task === 'binary') paintGrid(this.bg, grid[0], n, n, lut('diverging', 0, 1, 0, 1));
    else if (this.task === 'regression') paintGrid(this.bg, grid[0], n, n, lut('sequential', zlo, zhi, zlo, zhi));
    else paintClasses(this.bg, grid.slice(0, Math.min(K, 8)).map((bytes) => ({ lo: 0, hi: 1, bytes })), n, n, this.classes.map((_, k) => classColor(k, K)), false);
    ctx.save();
    ctx.globalAlpha = this.task === 'regression' ? 0.45 : 0.55;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.bg, r.x, r.y, r.w, r.h);
    ctx.restore();
  }

  valueRange() {
    const ys = this.labels.train;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of ys) { if (v < lo) lo = v; if (v > hi) hi = v; }
    return lo < hi ? [lo, hi] : [lo - 1, lo + 1];
  }

  drawGrid(ctx, cells, X, Y) {
    const { X: cx, Y: cy } = cells;
    const g = this.g;
    ctx.lineWidth = 1;
    ctx.strokeStyle = 'rgba(40, 48, 66, 0.22)';
    ctx.beginPath();
    if (this.oneD) { // the input line's image: one curve
      for (let j = 0; j < cx.length; j++) (j ? ctx.lineTo : ctx.moveTo).call(ctx, X(cx[j]), Y(cy[j]));
      ctx.strokeStyle = 'rgba(40, 48, 66, 0.5)';
      ctx.lineWidth = 1.5;
      ctx.stroke();
      return;
    }
    const lines = [];
    for (let k = 0; k < g; k += GRID_EVERY) lines.push(k);
    if (lines[lines.length - 1] !== g - 1) lines.push(g - 1);
    for (const i of lines) { // rows: constant input y
      for (let j = 0; j < g; j++) { const c = i * g + j; (j ? ctx.lineTo : ctx.moveTo).call(ctx, X(cx[c]), Y(cy[c])); }
    }
    for (const j of lines) { // columns: constant input x
      for (let i = 0; i < g; i++) { const c = i * g + j; (i ? ctx.lineTo : ctx.moveTo).call(ctx, X(cx[c]), Y(cy[c])); }
    }
    ctx.stroke();
  }

  /** The boundary P = 0.5 (solid) and the contours P = 0.1 … 0.9 (thin); returns its end points. */
  drawBoundary(ctx, box, g, X, Y) {
    const { gx, gy, g0 } = g[0];
    const b = this.mode === 'strip' ? 0 : gy;
    if (this.opts.contours) {
      ctx.lineWidth = 1;
      ctx.setLineDash([4, 4]);
      ctx.font = '10px system-ui, sans-serif';
      for (const p of LEVELS) {
        const seg = clipLine(gx, b, g0 - logit(p), box);
        if (!seg) continue;
        ctx.strokeStyle = p < 0.5 ? 'rgba(230, 97, 1, 0.75)' : 'rgba(94, 60, 153, 0.75)';
        ctx.beginPath();
        ctx.moveTo(X(seg[0][0]), Y(seg[0][1]));
        ctx.lineTo(X(seg[1][0]), Y(seg[1][1]));
        ctx.stroke();
      }
      ctx.setLineDash([]);
    }
    const seg = clipLine(gx, b, g0, box);
    if (!seg) return null;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 5;
    ctx.beginPath();
    ctx.moveTo(X(seg[0][0]), Y(seg[0][1]));
    ctx.lineTo(X(seg[1][0]), Y(seg[1][1]));
    ctx.stroke();
    ctx.strokeStyle = '#1d2330';
    ctx.lineWidth = 2.2;
    ctx.stroke();
    return seg;
  }

  /** Regression: lines of equal predicted value (the output is a plane over this space). */
  drawLevels(ctx, box, g, X, Y) {
    const t = this.target;
    if (!t || !this.opts.contours) return;
    const [lo, hi] = this.valueRange();
    const b = this.mode === 'strip' ? 0 : g[0].gy;
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 4]);
    ctx.strokeStyle = 'rgba(29, 35, 48, 0.55)';
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = '#1d2330';
    const labels = [];
    for (let k = 1; k < 6; k++) {
      const val = lo + ((hi - lo) * k) / 6;
      const seg = clipLine(g[0].gx, b, g[0].g0 - (val - t.mean) / t.std, box);
      if (!seg) continue;
      ctx.beginPath();
      ctx.moveTo(X(seg[0][0]), Y(seg[0][1]));
      ctx.lineTo(X(seg[1][0]), Y(seg[1][1]));
      ctx.stroke();
      const end = Y(seg[0][1]) < Y(seg[1][1]) ? seg[0] : seg[1]; // label the upper end
      const at = [X(end[0]) + 3, Y(end[1]) + 11];
      if (labels.every(([x, y]) => Math.hypot(x - at[0], y - at[1]) > 34)) { labels.push(at); ctx.fillText(fmt(val), at[0], at[1]); }
    }
    ctx.setLineDash([]);
  }

  drawPoints(ctx, P, X, Y) {
    const K = this.classes.length;
    const [vlo, vhi] = this.task === 'regression' ? this.valueRange() : [0, 1];
    const color = (y) => (this.task === 'regression' ? css(sequential((y - vlo) / (vhi - vlo || 1))) : classColor(y, K));
    const sets = this.opts.test ? [['train', '#fff'], ['test', '#1d2330']] : [['train', '#fff']];
    const r = 3.6;
    for (const [name, ring] of sets) {
      const { X: px, Y: py } = P[name];
      const ys = this.labels[name];
      ctx.strokeStyle = ring;
      ctx.lineWidth = name === 'test' ? 1.4 : 1;
      for (let i = 0; i < px.length; i++) {
        ctx.fillStyle = color(ys[i]);
        ctx.beginPath();
        ctx.arc(X(px[i]), Y(py[i]), r, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
    }
  }

  /** The output neuron's formula over these features, and what the line is. */
  caption(proj, out, exact) {
    const H = this.H;
    const v = out.weights.map((row) => row[0]);
    const c = out.bias[0];
    const terms = v.slice(0, 6).map((w, j) => `${j === 0 ? (w < 0 ? '−' : '') : (w < 0 ? ' − ' : ' + ')}${fmt(Math.abs(w))}·${this.name(j)}`).join('') + (H > 6 ? ` + … (${H - 6} more)` : '');
    const lin = `${terms} ${c < 0 ? '−' : '+'} ${fmt(Math.abs(c))}`;
    let f = '';
    if (this.task === 'binary') f = `Output: P = σ(${lin}). Line: where the sum is 0 (P = 50%)${this.opts.contours ? '; dashed: P = 10% … 90%' : ''}.`;
    else if (this.task === 'regression') f = `Output: ŷ = (${lin})·σ_y + mean_y${this.opts.contours ? '; dashed: lines of equal prediction' : ''}.`;
    else f = `Output: softmax of ${out.bias.length} weighted sums of these features; background: the most probable class${exact ? '' : ' (not drawn in this projection)'}.`;
    if (!exact && this.task !== 'multiclass') {
      f += this.mode === 'pca'
        ? ` This is a projection of the ${H}-D hidden space onto its two main directions: the boundary is a flat plane there, not a line in this view, so it is not drawn. Choose “along the output weights” to see it as a line.`
        : ` With ${H} neurons the boundary also depends on the neurons not shown, so it is not drawn here; choose “along the output weights” to see it as a line.`;
    } else if (this.mode === 'out') f += ' Horizontal: the direction of the output weights, so the boundary is exactly a vertical line.';
    this.setText(this.formula, f);
  }

  /** For tests and the curious: what was drawn, in the plot's coordinates. */
  expose(frame, proj, line, P, out) {
    const labels = this.labels.train;
    const pts = P.train;
    window.__llHidden = {
      step: frame.step, mode: this.mode, exact: proj.exact, H: this.H, layer: this.L, line,
      output: { v: out.weights.map((row) => row.slice()), c: out.bias.slice() }, ms: this.stats.ms,
      get points() { return Array.from(pts.X, (x, i) => [x, pts.Y[i], labels[i]]); },
    };
  }
}

/** The top eigenvector of the H×H symmetric `C` orthogonal to `against` (power iteration, warm start). */
function topDirection(C, H, against, start) {
  let v = new Float64Array(H);
  if (start && start.length === H) v.set(start); else for (let j = 0; j < H; j++) v[j] = 1 + j * 0.37;
  const orth = (u) => {
    for (const a of against) { let d = 0; for (let j = 0; j < H; j++) d += u[j] * a[j]; for (let j = 0; j < H; j++) u[j] -= d * a[j]; }
    let n = 0;
    for (let j = 0; j < H; j++) n += u[j] * u[j];
    n = Math.sqrt(n);
    if (n < 1e-12) { u.fill(0); const k = against.length ? (against[0].findIndex((x) => Math.abs(x) < 0.9) + H) % H : 0; u[k] = 1; return u; }
    for (let j = 0; j < H; j++) u[j] /= n;
    return u;
  };
  v = orth(v);
  const next = new Float64Array(H);
  for (let it = 0; it < 40; it++) {
    for (let j = 0; j < H; j++) { let s = 0; for (let k = 0; k < H; k++) s += C[j * H + k] * v[k]; next[j] = s; }
    const u = orth(next.slice());
    let diff = 0;
    for (let j = 0; j < H; j++) diff += Math.abs(u[j] - v[j]);
    v = u;
    if (diff < 1e-7) break;
  }
  if (start && start.length === H) { // keep the sign: the picture must not flip between frames
    let d = 0;
    for (let j = 0; j < H; j++) d += v[j] * start[j];
    if (d < 0) for (let j = 0; j < H; j++) v[j] = -v[j];
  }
  return v;
}

function padded([a, b]) {
  const d = (b - a) * 0.06 || 0.5;
  return [a - d, b + d];
}

function jitter(i) {
  return (((i * 2654435761) % 1000) / 1000 - 0.5);
}
