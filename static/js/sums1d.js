// The 1-D sum of sigmoids: each last-hidden neuron's contribution v_j·a_j(x) as its own
// curve, the output bias, their sum and the network's output, live as training goes; and a
// "build it by hand" mode (Nielsen's visual proof): place each step, its steepness and height.

import { OKABE_ITO, classColor } from './colors.js';
import { vectorContext } from './heatmap.js';
import { drawAxes, scale, sigmoid, steady } from './draw.js';
import { el } from './dom.js';
import { fmtShort as fmt } from './format.js';

const COLORS = [1, 4, 2, 3, 0, 5, 7].map((k) => OKABE_ITO[k]); // no yellow: it vanishes on white
const ACT = { sigmoid, tanh: Math.tanh, relu: (t) => (t > 0 ? t : 0), linear: (t) => t };
const PAD = { l: 50, r: 14, t: 10, b: 38 };
const GAP = 34; // between the two panels of a two-class plot

/** The sum-of-sigmoids view; `root` holds its canvas, legend and hand-building table. */
export class SumsView {
  constructor(root) {
    this.root = root;
    const q = (s) => root.querySelector(s);
    this.canvas = q('.sums-canvas');
    this.body = q('.view-body');
    this.note = q('.view-note');
    this.explainer = q('.sums-explainer');
    this.legend = q('.sums-legend');
    this.build = q('.sums-build');
    this.buildTable = q('.sums-build-rows');
    this.buildNote = q('.sums-build-note');
    this.hidden = new Set(); // component keys switched off
    this.on = false;
    this.edit = null; // hand-set layers not yet confirmed by a frame
    this.pending = 0;
    this.drag = null;
    this.hover = -1;
    this.last = null;
    this.build.addEventListener('toggle', () => this.redraw());
    q('.sums-place').addEventListener('click', () => this.placeSteps());
    q('.sums-refine').addEventListener('click', () => {
      const play = document.getElementById('btn-play');
      if (play && play.getAttribute('aria-pressed') !== 'true') play.click();
    });
    this.canvas.addEventListener('pointermove', (e) => this.onMove(e));
    this.canvas.addEventListener('pointerleave', () => { if (!this.drag) this.setHover(-1); });
    this.canvas.addEventListener('pointerdown', (e) => this.onDown(e));
    this.canvas.addEventListener('pointerup', (e) => this.onUp(e));
    this.canvas.addEventListener('pointercancel', (e) => this.onUp(e));
    new ResizeObserver(() => this.redraw()).observe(this.canvas);
    window.__llSums = null;
  }

  /** A new session: the view applies to 1-D data with a hidden layer, binary or regression. */
  setup(init, ctx) {
    this.ctx = ctx;
    const sizes = init.network.sizes;
    this.sizes = sizes;
    this.L = sizes.length - 2;
    this.H = this.L > 0 ? sizes[this.L] : 0;
    this.task = init.network.task;
    this.activation = init.network.activation;
    this.classes = init.network.classes || [];
    this.grid = init.grid;
    this.points = init.points.train;
    this.model = null;
    this.edit = null;
    this.last = null;
    this.range = null;
    this.hidden.clear();
    window.__llSums = null;
    const oneD = init.grid.y === null || init.grid.y === undefined;
    let why = '';
    if (!oneD) why = 'The sum of sigmoids is drawn for data with one feature (sine, step, bump, interval…): there every curve fits on one plot. Here the hidden neurons’ maps are beside the diagram.';
    else if (this.H === 0) why = 'No hidden layer: the output is one sigmoid (or one line) of x. Add a hidden layer to see the output built as a sum of neuron curves.';
    else if (this.task === 'multiclass') why = 'The sum of sigmoids is drawn for regression and two classes; with more classes each class has its own sum.';
    this.on = !why;
    this.body.hidden = !this.on;
    this.note.hidden = this.on;
    if (!this.on) { this.note.textContent = why; return; }
    this.canvas.style.height = this.task === 'binary' ? '380px' : '300px';
    this.explainer.textContent = this.task === 'binary'
      ? `Top: each neuron of the last hidden layer times its output weight (v_j·a_j(x)), the output bias c, and their sum: the output’s logit. Bottom: the output is σ(sum), a probability. Hover a curve to see its neuron; switch curves on and off below.`
      : `Each coloured curve is one neuron of the last hidden layer times its output weight (v_j·a_j(x), in ${init.network.task === 'regression' ? 'target' : 'output'} units); the grey line is the output bias. Their sum (dashed) is exactly the network’s prediction (thick): steps and bumps adding up to the curve. Hover a curve to see its neuron; switch curves on and off below.`;
    this.canEdit = this.L === 1 && this.activation === 'sigmoid';
    this.build.hidden = false;
    this.buildNote.textContent = this.canEdit
      ? 'Each neuron is a step: where it is (s = −b/w in x’s units), how steep (w), and how high (its output weight). Drag a ● on the plot, or type; then press Refine and watch gradient descent improve your fit.'
      : 'Building by hand works with one hidden layer of sigmoid neurons: each one is then a step you can place.';
    this.renderLegend();
    this.renderBuild();
    (ctx.model || ctx.api.getModel(ctx.sessionId)).then((m) => {
      if (ctx.sessionId !== this.ctx.sessionId) return;
      this.model = m;
      this.redraw();
    }).catch((e) => ctx.say(`The sum of sigmoids needs the model: ${e.message}`));
  }

  name(j) { return `h${this.L}.${j + 1}`; }

  redraw() { if (this.last) this.draw(this.last.frame, this.last.grids); }

  /** A frame arrived: drop a hand-made edit once the server has it (or training moved on). */
  frame(f) {
    this.lastFrame = f;
    if (this.edit && !this.drag && this.pending === 0 && (sameLayers(f.layers, this.edit) || performance.now() - this.settled > 400)) this.edit = null;
  }

  renderLegend() {
    const items = [];
    for (let j = 0; j < this.H; j++) items.push([`n${j}`, COLORS[j % COLORS.length], `${this.name(j)}·v`]);
    items.push(['bias', '#8a90a0', 'bias c'], ['sum', '#1d2330', this.task === 'binary' ? 'sum (logit)' : 'sum'], ['out', '#b9a6dc', this.task === 'binary' ? 'output P' : 'network output']);
    this.legend.replaceChildren(...items.map(([key, color, text]) => {
      const label = el('label', 'chip');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = !this.hidden.has(key);
      box.dataset.key = key;
      box.addEventListener('change', () => { if (box.checked) this.hidden.delete(key); else this.hidden.add(key); this.redraw(); });
      const sw = el('i', key === 'sum' ? 'dash' : '');
      sw.style.background = color;
      label.append(box, sw, el('span', '', undefined, text));
      if (key.startsWith('n')) {
        const j = Number(key.slice(1));
        label.addEventListener('mouseenter', () => this.setHover(j));
        label.addEventListener('mouseleave', () => this.setHover(-1));
      }
      return label;
    }));
  }

  renderBuild() {
    this.inputs = [];
    const rows = [];
    if (this.canEdit) {
      const head = el('tr');
      for (const t of ['neuron', 'step at x =', 'steepness w', this.task === 'binary' ? 'height (logit)' : 'height']) head.append(el('th', '', undefined, t));
      rows.push(head);
      for (let j = 0; j < this.H; j++) {
        const tr = el('tr');
        const th = el('th', '', undefined, this.name(j));
        th.style.color = COLORS[j % COLORS.length];
        tr.append(th);
        const ins = ['s', 'w', 'v'].map((k) => {
          const inp = document.createElement('input');
          inp.type = 'number';
          inp.step = k === 'w' ? '0.5' : '0.1';
          inp.dataset.k = k;
          inp.setAttribute('aria-label', `${this.name(j)} ${{ s: 'step position', w: 'steepness', v: 'height' }[k]}`);
          inp.addEventListener('change', () => this.typed(j, k, Number(inp.value)));
          const td = el('td');
          td.append(inp);
          tr.append(td);
          return inp;
        });
        this.inputs.push(ins);
        rows.push(tr);
      }
      const tr = el('tr');
      tr.append(el('th', '', undefined, 'bias c'));
      const inp = document.createElement('input');
      inp.type = 'number';
      inp.step = '0.1';
      inp.setAttribute('aria-label', 'output bias');
      inp.addEventListener('change', () => this.typed(-1, 'c', Number(inp.value)));
      const td = el('td');
      td.colSpan = 3;
      td.append(inp);
      tr.append(td);
      this.biasInput = inp;
      rows.push(tr);
    }
    this.buildTable.replaceChildren(...rows);
    for (const b of this.build.querySelectorAll('button')) b.disabled = !this.canEdit;
  }

  // ---------------------------------------------------------------- numbers

  /** Units: components are v·a·ys, the bias c·ys + ym (regression: target units). */
  units() {
    const t = this.model && this.model.target_standardize;
    return t ? { ys: t.std, ym: t.mean } : { ys: 1, ym: 0 };
  }

  /** The network on the output grid's x: per-neuron components, bias, sum (exact, from the weights). */
  compute(layers, grids) {
    const m = this.model;
    const N = this.grid.size;
    const [x0, x1] = this.grid.x;
    const mean = m.standardize.mean[0];
    const sd = m.standardize.std[0];
    const f = ACT[this.activation] || sigmoid;
    const { ys, ym } = this.units();
    const H = this.H;
    const out = layers[layers.length - 1];
    const c = out.bias[0];
    const comps = Array.from({ length: H }, () => new Float64Array(N));
    const sum = new Float64Array(N);
    const xs = new Float64Array(N);
    let a = new Float64Array(1);
    for (let k = 0; k < N; k++) {
      const x = x0 + ((x1 - x0) * k) / (N - 1);
      xs[k] = x;
      a = Float64Array.of((x - mean) / sd);
      for (let l = 0; l < layers.length - 1; l++) {
        const { weights: W, bias: b } = layers[l];
        const next = new Float64Array(b.length);
        for (let j = 0; j < b.length; j++) {
          let t = b[j];
          for (let i = 0; i < a.length; i++) t += a[i] * W[i][j];
          next[j] = f(t);
        }
        a = next;
      }
      let s = c * ys + ym;
      for (let j = 0; j < H; j++) { comps[j][k] = out.weights[j][0] * a[j] * ys; s += comps[j][k]; }
      sum[k] = s;
    }
    const o = grids.output[0];
    const q = (o.hi - o.lo) / 255;
    const output = Float64Array.from(o.bytes, (u) => o.lo + q * u);
    return { xs, comps, bias: c * ys + ym, sum, output, quant: q };
  }

  /** Paint the latest frame (or the hand-made edit while it is on its way to the server). */
  draw(frame, grids) {
    if (!this.on) return;
    this.last = { frame, grids };
    if (!this.model || !frame.layers || grids.output[0].bytes.length !== this.grid.size) return;
    const t0 = performance.now();
    const layers = this.edit || frame.layers;
    const d = this.compute(layers, grids);
    this.data = d;
    this.layers = layers;
    const { ctx, w, h } = vectorContext(this.canvas);
    ctx.clearRect(0, 0, w, h);
    const binary = this.task === 'binary';
    const top = binary ? Math.round((h - PAD.t - PAD.b - GAP) * 0.62) : h - PAD.t - PAD.b;
    const r = { x: PAD.l, y: PAD.t, w: w - PAD.l - PAD.r, h: top };
    if (r.w < 40 || r.h < 40) return;
    const X = scale(this.grid.x[0], this.grid.x[1], r.x, r.x + r.w);
    // y range: the data (regression), the curves shown, and 0
    let lo = 0;
    let hi = binary ? 1 : 0;
    const take = (arr) => { for (const v of arr) { if (v < lo) lo = v; if (v > hi) hi = v; } };
    if (!binary) take(this.points.y);
    take(d.sum);
    take([d.bias]);
    d.comps.forEach((c, j) => { if (!this.hidden.has(`n${j}`)) take(c); });
    if (binary) { lo = Math.max(lo, -30); hi = Math.min(hi, 30); }
    const pad = (hi - lo) * 0.06 || 1;
    const yr = steady(this.range, [lo - pad, hi + pad], 0.1);
    this.range = yr;
    const Y = scale(yr[0], yr[1], r.y + r.h, r.y);
    this.plot = { r, X, Y };
    const xTitle = `${this.grid.features[0]}`;
    drawAxes(ctx, r, X, Y, this.grid.x, yr, { xTitle: binary ? '' : xTitle, yTitle: binary ? 'logit (sum)' : (this.model.target || 'output') });
    ctx.save();
    ctx.beginPath();
    ctx.rect(r.x, r.y, r.w, r.h);
    ctx.clip();
    // zero line
    ctx.strokeStyle = '#9aa0ad';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(r.x, Math.round(Y(0)) + 0.5);
    ctx.lineTo(r.x + r.w, Math.round(Y(0)) + 0.5);
    ctx.stroke();
    if (!binary) this.drawPoints(ctx, X, Y, (y) => y);
    const curve = (arr, color, width, dash) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.setLineDash(dash || []);
      ctx.beginPath();
      for (let k = 0; k < arr.length; k++) (k ? ctx.lineTo : ctx.moveTo).call(ctx, X(d.xs[k]), Y(arr[k]));
      ctx.stroke();
      ctx.setLineDash([]);
    };
    if (!binary && !this.hidden.has('out')) curve(d.output, '#b9a6dc', 7);
    if (!this.hidden.has('bias')) {
      ctx.strokeStyle = '#8a90a0';
      ctx.lineWidth = 2;
      ctx.setLineDash([8, 4]);
      ctx.beginPath();
      ctx.moveTo(r.x, Y(d.bias));
      ctx.lineTo(r.x + r.w, Y(d.bias));
      ctx.stroke();
      ctx.setLineDash([]);
    }
    d.comps.forEach((c, j) => {
      if (this.hidden.has(`n${j}`)) return;
      curve(c, COLORS[j % COLORS.length], this.hover === j ? 4 : 2);
    });
    if (!this.hidden.has('sum')) curve(d.sum, '#1d2330', 2, [5, 4]);
    this.handles = null;
    if (this.canEdit && this.build.open) this.drawHandles(ctx, X, Y);
    ctx.restore();
    if (binary) this.drawProbability(ctx, d, r, X, w, h);
    this.syncInputs();
    this.ms = performance.now() - t0;
    this.expose(frame, d);
  }

  /** Two classes: the probability σ(sum) under the logit panel, with the points at 0 and 1. */
  drawProbability(ctx, d, top, X, w, h) {
    const r = { x: top.x, y: top.y + top.h + GAP, w: top.w, h: h - PAD.b - (top.y + top.h + GAP) };
    const Y = scale(-0.08, 1.08, r.y + r.h, r.y);
    drawAxes(ctx, r, X, Y, this.grid.x, [-0.08, 1.08], { xTitle: this.grid.features[0], yTitle: `P(${this.classes[1] ?? 1})`, ny: 2 });
    ctx.save();
    ctx.beginPath();
    ctx.rect(r.x, r.y, r.w, r.h);
    ctx.clip();
    this.drawPoints(ctx, X, Y, (y, i) => y + (((i * 2654435761) % 1000) / 1000 - 0.5) * 0.08);
    ctx.strokeStyle = '#b9a6dc';
    ctx.lineWidth = 7;
    if (!this.hidden.has('out')) {
      ctx.beginPath();
      for (let k = 0; k < d.output.length; k++) (k ? ctx.lineTo : ctx.moveTo).call(ctx, X(d.xs[k]), Y(d.output[k]));
      ctx.stroke();
    }
    if (!this.hidden.has('sum')) {
      ctx.strokeStyle = '#1d2330';
      ctx.lineWidth = 2;
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      for (let k = 0; k < d.sum.length; k++) (k ? ctx.lineTo : ctx.moveTo).call(ctx, X(d.xs[k]), Y(sigmoid(d.sum[k])));
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.restore();
    ctx.fillStyle = '#5f6675';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    ctx.fillText('σ(sum) dashed over the network’s P (thick)', r.x + 4, r.y - 3);
  }

  drawPoints(ctx, X, Y, yOf) {
    const { x, y } = this.points;
    const binary = this.task === 'binary';
    ctx.fillStyle = 'rgba(29, 35, 48, 0.28)';
    ctx.globalAlpha = binary ? 0.55 : 1;
    const step = Math.max(1, Math.floor(x.length / 600));
    for (let i = 0; i < x.length; i += step) {
      if (binary) ctx.fillStyle = classColor(y[i], 2);
      ctx.beginPath();
      ctx.arc(X(x[i][0]), Y(yOf(y[i], i)), 2.4, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
  }

  /** Hand mode: each neuron's step as a ● at (s, height/2) on its curve. */
  drawHandles(ctx, X, Y) {
    this.handles = [];
    for (let j = 0; j < this.H; j++) {
      if (this.hidden.has(`n${j}`)) continue;
      const p = this.stepOf(j);
      const hx = X(p.s);
      const hy = Y(p.v / 2);
      this.handles.push({ j, hx, hy });
      ctx.fillStyle = COLORS[j % COLORS.length];
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(hx, hy, this.hover === j ? 7 : 5.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }

  /** Neuron j as a step: position s (x units), steepness w (per standardized x), height v (drawn units). */
  stepOf(j) {
    const { mean: [mean], std: [sd] } = this.model.standardize;
    const w = this.layers[0].weights[0][j];
    const b = this.layers[0].bias[j];
    const s = Math.abs(w) > 1e-9 ? mean + sd * (-b / w) : (this.grid.x[0] + this.grid.x[1]) / 2;
    return { s, w, v: this.layers[1].weights[j][0] * this.units().ys };
  }

  syncInputs() {
    if (!this.canEdit || !this.inputs.length) return;
    const active = document.activeElement;
    for (let j = 0; j < this.H; j++) {
      const p = this.stepOf(j);
      const vals = [p.s, p.w, p.v];
      this.inputs[j].forEach((inp, k) => { if (inp !== active) { const t = fmt(vals[k]); if (inp.value !== t) inp.value = t; } });
    }
    if (this.biasInput !== active) { const t = fmt(this.data.bias); if (this.biasInput.value !== t) this.biasInput.value = t; }
  }

  // ---------------------------------------------------------------- building by hand

  /** A copy of the layers with neuron j (or the bias, j = −1) set from drawn units. */
  withStep(layers, j, { s, w, v, c }) {
    const L = layers.map((l) => ({ weights: l.weights.map((row) => row.slice()), bias: l.bias.slice() }));
    const { mean: [mean], std: [sd] } = this.model.standardize;
    const { ys, ym } = this.units();
    if (j >= 0) {
      const cur = this.stepOf(j);
      const ww = w ?? cur.w;
      const ss = s ?? cur.s;
      L[0].weights[0][j] = ww;
      L[0].bias[j] = -ww * (ss - mean) / sd; // a step at raw x = s: b = −w·(s − mean)/std
      L[1].weights[j][0] = (v ?? cur.v) / ys;
    } else L[1].bias[0] = (c - ym) / ys;
    return L;
  }

  typed(j, k, value) {
    if (!Number.isFinite(value) || !this.layers) return;
    this.setEdit(this.withStep(this.layers, j, { [k]: value }), true);
  }

  /** Show `layers` at once; send them to the server (now, or throttled while dragging). */
  setEdit(layers, now) {
    this.edit = layers;
    this.redraw();
    clearTimeout(this.sendTimer);
    const send = () => {
      this.pending++;
      const sent = this.edit;
      this.ctx.api.setParameters(this.ctx.sessionId, sent.map((l) => ({ weights: l.weights, bias: l.bias })))
        .catch((e) => this.ctx.say(`The hand-made weights were refused: ${e.message}`))
        .finally(() => {
          this.pending--;
          this.settled = performance.now();
          // the server's frame with these weights may have come before this answer
          if (this.pending === 0 && !this.drag && this.lastFrame && sameLayers(this.lastFrame.layers, this.edit)) {
            this.edit = null;
            this.redraw();
          }
        });
    };
    if (now) send(); else this.sendTimer = setTimeout(send, 120);
  }

  /** Nielsen's construction from the data: evenly spaced steps, each as high as the data's rise. */
  placeSteps() {
    if (!this.canEdit || !this.layers || !this.model) return;
    const { x, y } = this.points;
    const H = this.H;
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of x) { if (p[0] < lo) lo = p[0]; if (p[0] > hi) hi = p[0]; }
    const edges = Array.from({ length: H }, (_, j) => lo + ((hi - lo) * (j + 1)) / (H + 1));
    const sums = new Float64Array(H + 1);
    const counts = new Float64Array(H + 1);
    x.forEach((p, i) => { let k = 0; while (k < H && p[0] >= edges[k]) k++; sums[k] += y[i]; counts[k]++; });
    const level = Array.from(sums, (s, k) => (counts[k] ? s / counts[k] : NaN));
    for (let k = 0; k <= H; k++) if (!Number.isFinite(level[k])) level[k] = k ? level[k - 1] : 0;
    const toUnits = this.task === 'binary' ? (p) => Math.log(Math.min(0.95, Math.max(0.05, p)) / (1 - Math.min(0.95, Math.max(0.05, p)))) : (v) => v;
    const L = level.map(toUnits);
    const sd = this.model.standardize.std[0];
    const w = 10 / (((hi - lo) / (H + 1)) / sd || 1);
    let layers = this.withStep(this.layers, -1, { c: L[0] });
    for (let j = 0; j < H; j++) layers = this.withStep(layers, j, { s: edges[j], w, v: L[j + 1] - L[j] });
    this.setEdit(layers, true);
  }

  locate(e) {
    const rect = this.canvas.getBoundingClientRect();
    return [e.clientX - rect.left, e.clientY - rect.top];
  }

  onDown(e) {
    if (!this.canEdit || !this.handles) return;
    const [px, py] = this.locate(e);
    const hit = this.handles.find((h) => Math.hypot(h.hx - px, h.hy - py) < 10);
    if (!hit) return;
    this.drag = { j: hit.j };
    this.canvas.setPointerCapture(e.pointerId);
    e.preventDefault();
  }

  onMove(e) {
    if (!this.plot || !this.data) return;
    const [px, py] = this.locate(e);
    const { X, Y, r } = this.plot;
    if (this.drag) {
      const s = Math.min(this.grid.x[1], Math.max(this.grid.x[0], X.invert(px)));
      const v = 2 * Y.invert(Math.min(r.y + r.h, Math.max(r.y, py)));
      this.setEdit(this.withStep(this.layers, this.drag.j, { s, v }), false);
      return;
    }
    // the nearest shown curve within 8 px
    const k = Math.round(((X.invert(px) - this.grid.x[0]) / (this.grid.x[1] - this.grid.x[0])) * (this.grid.size - 1));
    let best = -1;
    let dist = 8;
    if (k >= 0 && k < this.grid.size && py <= r.y + r.h) {
      this.data.comps.forEach((c, j) => {
        if (this.hidden.has(`n${j}`)) return;
        const dd = Math.abs(Y(c[k]) - py);
        if (dd < dist) { dist = dd; best = j; }
      });
    }
    if (this.handles) for (const h of this.handles) if (Math.hypot(h.hx - px, h.hy - py) < 10) best = h.j;
    this.canvas.style.cursor = this.handles && this.handles.some((h) => Math.hypot(h.hx - px, h.hy - py) < 10) ? 'grab' : '';
    this.setHover(best);
  }

  onUp(e) {
    if (!this.drag) return;
    this.drag = null;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    if (this.edit) this.setEdit(this.edit, true);
  }

  /** Highlight neuron j's curve here and in the diagram (and show its map in the output view). */
  setHover(j) {
    if (j === this.hover) return;
    this.hover = j;
    for (const n of document.querySelectorAll('#network .ll-lit')) n.classList.remove('ll-lit');
    if (j >= 0) {
      const node = document.querySelector(`#network .node.neuron[data-layer="${this.L}"][data-index="${j}"]`);
      if (node) node.classList.add('ll-lit');
    }
    this.ctx.highlight(j >= 0 ? { layer: this.L, index: j } : null);
    for (const chip of this.legend.querySelectorAll('.chip')) chip.classList.toggle('lit', chip.firstChild.dataset.key === `n${j}`);
    this.redraw();
  }

  /** For tests and the curious: the drawn numbers. */
  expose(frame, d) {
    const { X, Y } = this.plot;
    window.__llSums = {
      step: frame.step, task: this.task, layer: this.L, quant: d.quant, ms: this.ms, editing: Boolean(this.edit),
      handles: (this.handles || []).map((h) => ({ ...h })),
      /** Where component j is drawn at grid cell k, in CSS pixels of the canvas. */
      pixel: (j, k) => [X(d.xs[k]), Y(d.comps[j][k])],
      get x() { return Array.from(d.xs); },
      get components() { return d.comps.map((c) => Array.from(c)); },
      get bias() { return d.bias; },
      get sum() { return Array.from(d.sum); },
      get output() { return Array.from(d.output); },
    };
  }
}

function sameLayers(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  for (let l = 0; l < a.length; l++) {
    const x = a[l].bias;
    const y = b[l].bias;
    for (let j = 0; j < x.length; j++) if (Math.abs(x[j] - y[j]) > 1e-9) return false;
    for (let i = 0; i < a[l].weights.length; i++) for (let j = 0; j < x.length; j++) if (Math.abs(a[l].weights[i][j] - b[l].weights[i][j]) > 1e-9) return false;
  }
  return true;
}
