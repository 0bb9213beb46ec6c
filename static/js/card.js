// The neuron card: click a neuron to see its formula with the live numbers, its map large
// (for a first-layer neuron with its line w·x + b = 0 and the direction of w, drawn over the
// data in raw units), for a deeper neuron the maps of w_j·h_j that sum to its pre-activation,
// and every weight and bias editable by typing or dragging. Its numbers and words are
// card-model.js's, its pictures card-maps.js's; edits go through edits.js to the page.
//
// Public interface (what the page calls):
//   new NeuronCard({ nodeName(L, i), onClose(), setParameters(layers), pause(), say(text),
//                    sessionId(), step() })
//     setParameters gets the whole network [{weights: in×out, bias}, …]; pause() is called
//     when the learner starts editing or enters the slow-motion step (gradient-slow.js),
//     whose presses call step() (one training step) and fetch the gradient of sessionId().
//   setup(info, network, points)  a new session: init.info, init.network, init.points
//   setModel(model)               init.model (its standardization draws the line in raw units)
//   open(ref), close()            ref = {layer (1 = first hidden, last = output), index}
//   setPast(past)                 true while the step on show is in the past: no editing
//   update(frame, grids)          the frame on show and its decoded maps (every drawn frame)

import { $, el } from './dom.js';
import { fmtNum } from './format.js';
import { LiveEdit, withParameter } from './edits.js';
import { activation, transformLabel, viewText } from './vocabulary.js';
import { actWords, combination, combinationText, curvedInputs, formula, leadText, neuronOf } from './card-model.js';
import { drawBreakdown, drawNeuronMap, ownMap } from './card-maps.js';
import { SlowMotion } from './gradient-slow.js';

/** The neuron card (templates/_card.html). */
export class NeuronCard {
  constructor(cb) {
    this.cb = cb;
    this.root = $('card');
    this.ref = null;
    this.info = null;
    this.net = null;
    this.model = null;
    this.points = null;
    this.params = null;
    this.grids = null;
    this.past = false;
    this.frame = null;
    this.edits = new LiveEdit({ setParameters: cb.setParameters, pause: cb.pause });
    this.slow = new SlowMotion({
      sessionId: cb.sessionId, step: cb.step, pause: cb.pause, say: cb.say,
      changed: () => this.render(),
    });
    $('card-close').addEventListener('click', () => this.close());
    this.root.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.close(); });
  }

  /** A new session: its init info, network description and points. */
  setup(info, network, points) {
    this.info = info;
    this.net = network;
    this.points = points;
    this.model = null;
    this.params = null;
    this.edits.clear();
    this.slow.reset();
    if (this.ref && !this.valid(this.ref)) this.close();
    else if (this.ref) this.build();
  }

  /** The session's model (init.model: features, transforms, standardize). */
  setModel(model) {
    this.model = model;
    if (this.ref) this.render();
  }

  valid(ref) {
    const sizes = this.net ? this.net.sizes : [];
    return ref && ref.layer >= 1 && ref.layer < sizes.length && ref.index < sizes[ref.layer];
  }

  /** Open the card of neuron `ref` = {layer (1 = first hidden, last = output), index}. */
  open(ref) {
    if (!this.valid(ref)) return;
    this.ref = { layer: ref.layer, index: ref.index };
    this.root.hidden = false;
    this.build();
    this.render();
    this.root.focus({ preventScroll: true });
  }

  close() {
    if (!this.ref) return;
    this.ref = null;
    this.slow.leave();
    this.root.hidden = true;
    this.cb.onClose();
  }

  /** The names of this neuron's inputs: the inputs' labels, or the previous layer's neurons. */
  inputNames() {
    const { layer } = this.ref;
    const n = this.net.sizes[layer - 1];
    return Array.from({ length: n }, (_, i) => (layer === 1 ? transformLabel(this.net.inputs[i]) : this.cb.nodeName(layer - 1, i)));
  }

  /** The viewed step is in the past (scrubbed): editing is off. */
  setPast(past) {
    this.past = past;
    if (this.ref) this.syncInputs();
  }

  /** A frame to show (live or scrubbed) with its decoded grids. */
  update(frame, grids) {
    this.grids = grids;
    this.frame = frame;
    if (!this.ref) return;
    this.params = this.edits.shown(frame.layers, frame.peek);
    this.render();
  }

  // ---------------------------------------------------------------- building

  build() {
    const { layer, index } = this.ref;
    const name = this.cb.nodeName(layer, index);
    this.neuron = neuronOf(this.net, this.ref);
    const { isOutput } = this.neuron;
    $('card-title').textContent = isOutput ? `Output neuron${this.net.sizes[layer] > 1 ? ` ${name.replace(/^out /, '')}` : ''}` : `Neuron ${name}`;
    $('card-sub').textContent = isOutput ? `layer ${layer} (output)` : `hidden layer ${layer}, neuron ${index + 1}`;
    $('card-lead').textContent = leadText(this.net, this.neuron);
    this.names = this.inputNames();
    const box = $('card-params');
    box.replaceChildren();
    this.rows = [];
    for (let i = -1; i < this.names.length; i++) this.rows.push(this.paramRow(box, i));
    // the breakdown: one small map per input, a bias tile, the pre-activation
    const deep = layer > 1;
    const breakdown = $('card-breakdown');
    breakdown.hidden = !deep;
    // for a deeper neuron the breakdown is the point: it comes right after the formula
    const main = this.root.querySelector('.card-main');
    if (deep) this.root.insertBefore(breakdown, main); else main.after(breakdown);
    this.tiles = null;
    if (deep) {
      const terms = $('card-terms');
      terms.replaceChildren();
      const tile = (i) => { const fig = el('figure', 'tile', terms); return { canvas: el('canvas', 'tile-map', fig), cap: el('figcaption', '', fig), i }; };
      const inputs = this.names.map((_, i) => { if (i > 0) el('span', 'op', terms, '+'); return tile(i); });
      el('span', 'op', terms, '+');
      const bias = tile(-1);
      el('span', 'op eq', terms, '=');
      this.tiles = { inputs, bias, z: tile(-2) };
    }
  }

  /** One row of the parameters: a slider and a number for weight i (i < 0: the bias). */
  paramRow(box, i) {
    const row = el('div', 'prow', box);
    const lab = el('label', 'pname', row);
    const id = `card-p-${i < 0 ? 'b' : i}`;
    lab.htmlFor = id;
    if (i < 0) lab.textContent = 'bias b';
    else {
      lab.textContent = `w${i + 1} · `;
      el('span', 'pin', lab, this.names[i]);
    }
    const range = el('input', 'prange', row);
    range.type = 'range';
    range.step = '0.01';
    range.setAttribute('aria-label', `Drag ${i < 0 ? 'the bias' : `weight ${i + 1}`}`);
    const num = el('input', 'pnum', row);
    num.type = 'number';
    num.step = 'any';
    num.id = id;
    num.dataset.i = String(i);
    const start = () => this.edits.begin();
    range.addEventListener('pointerdown', start);
    range.addEventListener('focus', start);
    num.addEventListener('focus', start);
    range.addEventListener('input', () => {
      const v = Number(range.value);
      num.value = String(v);
      this.edit(i, v);
    });
    num.addEventListener('change', () => {
      const v = Number(num.value);
      if (num.value.trim() === '' || !Number.isFinite(v)) { this.syncInputs(true); return; }
      this.edit(i, v);
      this.edits.flush();
    });
    num.addEventListener('keydown', (e) => { if (e.key === 'Enter') num.blur(); });
    return { i, range, num };
  }

  // ---------------------------------------------------------------- editing

  /** Set weight i (i < 0: the bias) of this neuron to v: shown at once, sent to the page. */
  edit(i, v) {
    if (this.past || !this.params) return;
    this.params = withParameter(this.params, this.ref.layer - 1, i, this.ref.index, v);
    this.edits.set(this.params);
    this.render();
  }

  syncInputs(force = false) {
    if (!this.params || !this.rows) return;
    const { layer, index } = this.ref;
    const p = this.params[layer - 1];
    for (const r of this.rows) {
      const v = r.i < 0 ? p.bias[index] : p.weights[r.i][index];
      r.num.disabled = this.past;
      r.range.disabled = this.past;
      if (force || document.activeElement !== r.num) r.num.value = Number.isFinite(v) ? fmtNum(v) : '';
      if (document.activeElement !== r.range) {
        const R = Math.max(4, Math.ceil(Math.abs(v) * 1.5));
        r.range.min = String(-R);
        r.range.max = String(R);
        r.range.value = String(v);
      }
    }
    $('card-edit-note').textContent = viewText('card', this.past ? 'past' : 'edit');
  }

  // ---------------------------------------------------------------- drawing

  /** How this neuron combines its inputs' regions (AND, OR or a mix); '' where "on" means nothing. */
  combineText(p, index) {
    const { neuron, net, info, ref } = this;
    if (neuron.isOutput && net.task !== 'binary') return ''; // a score, or a value: no "on" at z > 0
    const w = p.weights.map((row) => row[index]);
    const b = p.bias[index];
    const c = combination(w, b, activation(net.activation).range);
    const where = ref.layer > 2 ? 'deep' : info.oneD ? 'ray' : curvedInputs(this.model, net.inputs).length ? 'deep' : 'half';
    return combinationText(c, net.activation, this.names, b, where);
  }

  render() {
    if (!this.ref || !this.params || !this.info) return;
    const { layer, index } = this.ref;
    const p = this.params[layer - 1];
    if (!p || index >= p.bias.length) return;
    const name = this.cb.nodeName(layer, index);
    $('card-formula').textContent = formula(this.neuron, p, index, this.names, name, this.net.classes);
    $('card-act').textContent = actWords(this.neuron.act).formula;
    this.syncInputs();
    if (!this.grids) return;
    const card = { ref: this.ref, neuron: this.neuron, info: this.info, net: this.net, model: this.model, points: this.points, p };
    $('card-map-caption').textContent = drawNeuronMap($('card-map'), $('card-overlay'), card, this.grids);
    const own = ownMap(card, this.grids);
    if (this.frame && own) this.slow.render({ ...card, names: this.names, frame: this.frame, past: this.past, G: own.G }, $('card-overlay'));
    if (this.tiles) {
      const caps = drawBreakdown(this.tiles, card, this.grids, this.names);
      if (caps) $('card-scale').textContent = caps;
      $('card-combine').textContent = this.combineText(p, index);
    }
  }
}
