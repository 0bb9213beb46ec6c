// The 1-D sum of sigmoids: each last-hidden neuron's contribution v_j·a_j(x) as its own
// curve, the output bias, their sum and the network's output, live as training goes; and a
// "build it by hand" mode (Nielsen's visual proof): place each step, its steepness and height.
// Numbers: sums-model.js (from the frame's maps, no forward pass); drawing: sums-plot.js;
// hand edits go through edits.js to the page.
//
// Public interface (what the page calls; views.js registers it):
//   new SumsView(root, { setParameters(layers), pause(), play(), say(text), highlight(ref), light(ref) })
//     root: #view-sums. setParameters gets the whole network [{weights: in×out, bias}, …];
//     pause() as a hand edit starts; play() for "Refine"; highlight(ref) shows neuron ref's
//     map in the output view; light(ref), if given, marks it in the diagram (ref null: none;
//     without it the view marks #network's node itself, until the page passes network.setLit).
//   setup(init)        a new session's init message (init.grid, init.network, init.points, init.model)
//   draw(frame, grids) on requestAnimationFrame, with the frame's decoded maps
//   Exposes window.__llSums (the drawn numbers, for tests).

import { vectorContext } from './heatmap.js';
import { el, find } from './dom.js';
import { fmtShort } from './format.js';
import { steady } from './draw.js';
import { LiveEdit } from './edits.js';
import { activation, viewText } from './vocabulary.js';
import { placeSteps, stepOf, sums, valueRange, withStep } from './sums-model.js';
import { BIAS, COLORS, OUTPUT, SUM, drawSums } from './sums-plot.js';

/** The sum-of-sigmoids view; `root` holds its canvas, legend and hand-building table. */
export class SumsView {
  constructor(root, options = {}) {
    this.root = root;
    this.options = options;
    const q = (s) => root.querySelector(s);
    Object.assign(this, find(root, {
      canvas: '.sums-canvas', body: '.view-body', note: '.view-note', explainer: '.sums-explainer', legend: '.sums-legend',
      build: '.sums-build', buildTable: '.sums-build-rows', buildNote: '.sums-build-note',
    }));
    this.hidden = new Set(); // component keys switched off
    this.on = false;
    this.drag = null;
    this.hover = -1;
    this.last = null;
    this.edits = new LiveEdit({
      setParameters: options.setParameters,
      pause: options.pause,
      onError: (e) => options.say(viewText('sums', 'refused', { message: e.message })),
    });
    this.build.addEventListener('toggle', () => this.redraw());
    q('.sums-place').addEventListener('click', () => this.placeSteps());
    q('.sums-refine').addEventListener('click', () => this.refine());
    this.canvas.addEventListener('pointermove', (e) => this.onMove(e));
    this.canvas.addEventListener('pointerleave', () => { if (!this.drag) this.setHover(-1); });
    this.canvas.addEventListener('pointerdown', (e) => this.onDown(e));
    this.canvas.addEventListener('pointerup', (e) => this.onUp(e));
    this.canvas.addEventListener('pointercancel', (e) => this.onUp(e));
    new ResizeObserver(() => this.redraw()).observe(this.canvas);
    window.__llSums = null;
  }

  /** A new session: the view applies to 1-D data with a hidden layer, binary or regression. */
  setup(init) {
    const sizes = init.network.sizes;
    this.L = sizes.length - 2;
    this.H = this.L > 0 ? sizes[this.L] : 0;
    this.task = init.network.task;
    this.classes = init.network.classes || [];
    this.grid = init.grid;
    this.points = init.points.train;
    this.model = init.model;
    this.edits.clear();
    this.last = null;
    this.range = null;
    this.hidden.clear();
    window.__llSums = null;
    const oneD = init.grid.y === null || init.grid.y === undefined;
    let why = '';
    if (!oneD) why = viewText('sums', this.H === 0 ? 'two_d_alone' : 'two_d');
    else if (this.H === 0) why = viewText('sums', `alone_${this.task}`);
    else if (this.task === 'multiclass') why = viewText('sums', 'multiclass');
    this.on = !why;
    this.body.hidden = !this.on;
    this.note.hidden = this.on;
    if (!this.on) { this.note.textContent = why; return; }
    const binary = this.task === 'binary';
    this.canvas.style.height = binary ? '380px' : '300px';
    this.explainer.textContent = viewText('sums', binary ? 'explainer_binary' : `explainer_regression_${init.network.activation}`);
    const act = activation(init.network.activation); // a step from 0 to 1 needs that range
    this.canEdit = this.L === 1 && Boolean(act) && act.range[0] === 0 && act.range[1] === 1;
    this.build.hidden = false;
    this.buildNote.textContent = viewText('sums', this.canEdit ? 'build' : 'build_none');
    this.renderLegend();
    this.renderBuild();
  }

  name(j) { return `h${this.L}.${j + 1}`; }

  redraw() { if (this.last) this.draw(this.last.frame, this.last.grids); }

  renderLegend() {
    const binary = this.task === 'binary';
    const items = [];
    for (let j = 0; j < this.H; j++) items.push([`n${j}`, COLORS[j % COLORS.length], `${this.name(j)}·v`]);
    items.push(['bias', BIAS, 'bias c'], ['sum', SUM, binary ? 'sum (logit)' : 'sum'], ['out', OUTPUT, binary ? 'output P' : 'network output']);
    this.legend.replaceChildren(...items.map(([key, color, text]) => {
      const label = el('label', 'chip');
      const box = el('input', '', label);
      box.type = 'checkbox';
      box.checked = !this.hidden.has(key);
      box.dataset.key = key;
      box.addEventListener('change', () => { if (box.checked) this.hidden.delete(key); else this.hidden.add(key); this.redraw(); });
      el('i', key === 'sum' ? 'dash' : '', label).style.background = color;
      el('span', '', label, text);
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
    this.buildTable.replaceChildren();
    const number = (td, stepBy, label, onChange) => {
      const inp = el('input', '', td);
      inp.type = 'number';
      inp.step = stepBy;
      inp.setAttribute('aria-label', label);
      inp.addEventListener('change', () => onChange(Number(inp.value)));
      return inp;
    };
    if (this.canEdit) {
      const head = el('tr', '', this.buildTable);
      for (const t of ['neuron', 'step at x =', 'steepness w', this.task === 'binary' ? 'height (logit)' : 'height']) el('th', '', head, t);
      const words = { s: 'step position', w: 'steepness', v: 'height' };
      for (let j = 0; j < this.H; j++) {
        const tr = el('tr', '', this.buildTable);
        el('th', '', tr, this.name(j)).style.color = COLORS[j % COLORS.length];
        this.inputs.push(['s', 'w', 'v'].map((k) => number(el('td', '', tr), k === 'w' ? '0.5' : '0.1', `${this.name(j)} ${words[k]}`, (v) => this.typed(j, k, v))));
      }
      const tr = el('tr', '', this.buildTable);
      el('th', '', tr, 'bias c');
      const td = el('td', '', tr);
      td.colSpan = 3;
      this.biasInput = number(td, '0.1', 'output bias', (v) => this.typed(-1, 'c', v));
    }
    for (const b of this.build.querySelectorAll('button')) b.disabled = !this.canEdit;
  }

  /** Paint the latest frame (or the hand-made edit while it is on its way to the server). */
  draw(frame, grids) {
    if (!this.on) return;
    this.last = { frame, grids };
    const hiddenMaps = grids.neurons[this.L - 1];
    if (!this.model || !frame.layers || !hiddenMaps || grids.output[0].bytes.length !== this.grid.size) return;
    const t0 = performance.now();
    this.layers = this.edits.shown(frame.layers, frame.peek);
    const d = sums(this.layers, hiddenMaps, grids.output[0], this.grid, this.model);
    this.data = d;
    const { ctx, w, h } = vectorContext(this.canvas);
    ctx.clearRect(0, 0, w, h);
    const binary = this.task === 'binary';
    const shown = (key) => !this.hidden.has(key);
    this.range = steady(this.range, valueRange(d, (j) => shown(`n${j}`), this.points.y, binary), 0.1);
    const steps = this.canEdit && this.build.open
      ? Array.from({ length: this.H }, (_, j) => ({ j, ...this.stepOf(j) })).filter((p) => shown(`n${p.j}`)) : null;
    const drawn = drawSums(ctx, w, h, d, this.range, {
      binary, shown, hover: this.hover, points: this.points, grid: this.grid, classes: this.classes, handles: steps,
      xTitle: this.grid.features[0], yTitle: binary ? 'logit (sum)' : (this.model.target || 'output'),
    });
    if (!drawn) return;
    this.plot = drawn.plot;
    this.handles = drawn.handles;
    this.syncInputs();
    this.ms = performance.now() - t0;
    this.expose(frame, d);
  }

  stepOf(j) {
    return stepOf(this.layers, j, this.model, this.grid);
  }

  syncInputs() {
    if (!this.canEdit || !this.inputs.length) return;
    const active = document.activeElement;
    const put = (inp, v) => { if (inp !== active) { const t = fmtShort(v); if (inp.value !== t) inp.value = t; } };
    for (let j = 0; j < this.H; j++) {
      const p = this.stepOf(j);
      this.inputs[j].forEach((inp, k) => put(inp, [p.s, p.w, p.v][k]));
    }
    put(this.biasInput, this.data.bias);
  }

  // ---------------------------------------------------------------- building by hand

  typed(j, k, value) {
    if (!Number.isFinite(value) || !this.layers) return;
    this.setEdit(withStep(this.layers, j, { [k]: value }, this.model, this.grid), true);
  }

  /** Show `layers` at once and send them (now, or at the next animation frame while dragging). */
  setEdit(layers, now) {
    if (!this.edits.editing) this.edits.begin();
    this.edits.set(layers);
    if (now) this.edits.flush();
    this.redraw();
  }

  placeSteps() {
    if (!this.canEdit || !this.layers || !this.model) return;
    this.setEdit(placeSteps(this.layers, this.points, this.model, this.grid, this.task === 'binary'), true);
  }

  /** "Refine": gradient descent trains on from the hand-made network. */
  refine() {
    this.options.play();
  }

  locate(e) {
    const rect = this.canvas.getBoundingClientRect();
    return [e.clientX - rect.left, e.clientY - rect.top];
  }

  handleAt(px, py) {
    return (this.handles || []).find((hd) => Math.hypot(hd.hx - px, hd.hy - py) < 10);
  }

  onDown(e) {
    if (!this.canEdit || !this.handles) return;
    const hit = this.handleAt(...this.locate(e));
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
      this.setEdit(withStep(this.layers, this.drag.j, { s, v }, this.model, this.grid), false);
      return;
    }
    // the nearest shown curve within 8 px, or a handle
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
    const hit = this.handleAt(px, py);
    if (hit) best = hit.j;
    this.canvas.style.cursor = hit ? 'grab' : '';
    this.setHover(best);
  }

  onUp(e) {
    if (!this.drag) return;
    this.drag = null;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    this.edits.flush();
  }

  /** Highlight neuron j's curve here, in the diagram and (its map) in the output view. */
  setHover(j) {
    if (j === this.hover) return;
    this.hover = j;
    const ref = j >= 0 ? { layer: this.L, index: j } : null;
    this.options.highlight(ref);
    if (this.options.light) this.options.light(ref);
    else lightInDiagram(ref); // until the page passes light (network.setLit)
    for (const chip of this.legend.querySelectorAll('.chip')) chip.classList.toggle('lit', chip.firstChild.dataset.key === `n${j}`);
    this.redraw();
  }

  /** For tests and the curious: the drawn numbers. */
  expose(frame, d) {
    const { X, Y } = this.plot;
    window.__llSums = {
      step: frame.step, task: this.task, layer: this.L, quant: d.quant, ms: this.ms, editing: this.edits.editing,
      handles: (this.handles || []).map((hd) => ({ ...hd })),
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

/** Mark neuron ref in #network, for a page that passes no light(ref) yet (see setHover). */
function lightInDiagram(ref) {
  for (const n of document.querySelectorAll('#network .ll-lit')) n.classList.remove('ll-lit');
  if (!ref) return;
  const node = document.querySelector(`#network .node.neuron[data-layer="${ref.layer}"][data-index="${ref.index}"]`);
  if (node) node.classList.add('ll-lit');
}
