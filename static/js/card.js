// The neuron card: click a neuron to see its formula with the live numbers, its map large
// (for a first-layer neuron with its line w·x + b = 0 and the direction of w, drawn over the
// data in raw units), for a deeper neuron the maps of w_j·h_j that sum to its pre-activation,
// and every weight and bias editable by typing or dragging (sent back with PUT parameters).

import { activationScale, css, diverging, lut, rampLut, classColor } from './colors.js';
import { gridValues, paintCurve, paintGrid, vectorContext } from './heatmap.js';
import { contour, mappers, scatterOnMap } from './draw.js';
import { fmtNum } from './format.js';

const $ = (id) => document.getElementById(id);
const SYMBOL = { sigmoid: 'σ', tanh: 'tanh', relu: 'relu', linear: '', softmax: 'softmax', identity: '' };
const LABEL = { x1: 'x₁', x2: 'x₂', x1sq: 'x₁²', x2sq: 'x₂²', x1x2: 'x₁·x₂', sinx1: 'sin x₁', sinx2: 'sin x₂' };
const LEVEL = { sigmoid: 0.5, tanh: 0, linear: 0, identity: 0 }; // the activation at z = 0

function el(tag, cls, parent, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

const copyLayers = (layers) => layers.map((l) => ({ weights: l.weights.map((r) => r.slice()), bias: l.bias.slice() }));

/**
 * The card; callbacks: nodeName(L, i), onClose(), onEditStart(), onEdit(layers) → Promise.
 * main.js calls setup() per session, open(ref) on a click, update(frame, grids) per drawn frame.
 */
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
    this.frame = null;
    this.grids = null;
    this.past = false;
    this.inflight = false;
    this.pending = null;
    this.hold = null;
    $('card-close').addEventListener('click', () => this.close());
    this.root.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.close(); });
  }

  /** A new session: its init info, network description and points; the model (for standardization) later. */
  setup(info, network, points) {
    this.info = info;
    this.net = network;
    this.points = points;
    this.model = null;
    this.params = null;
    this.pending = null;
    this.hold = null;
    if (this.ref && !this.valid(this.ref)) this.close();
    else if (this.ref) this.build();
  }

  /** The exported model (features, transforms, standardize) of the current session. */
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
    this.root.hidden = true;
    this.cb.onClose();
  }

  get isOutput() {
    return this.ref.layer === this.net.sizes.length - 1;
  }

  /** The activation of this neuron: the hidden one, or the output's. */
  get act() {
    if (!this.isOutput) return this.net.activation;
    return { binary: 'sigmoid', multiclass: 'softmax', regression: 'identity' }[this.net.task] || 'sigmoid';
  }

  inputName(i) {
    if (this.ref.layer === 1) {
      const k = this.net.inputs[i];
      return LABEL[k] || k;
    }
    return this.cb.nodeName(this.ref.layer - 1, i);
  }

  /** The viewed step is in the past (scrubbed): editing is off. */
  setPast(past) {
    this.past = past;
    if (this.ref) this.syncInputs();
  }

  /** A frame to show (live or scrubbed) with its decoded grids. */
  update(frame, grids) {
    this.frame = frame;
    this.grids = grids;
    if (!this.ref) return;
    const v = this.holdValue(frame);
    if (!this.inflight && !this.pending && v) this.params = copyLayers(frame.layers);
    if (!this.params) this.params = copyLayers(frame.layers);
    this.render();
  }

  /** False while a hand edit has not reached the frames yet (keep showing the edit). */
  holdValue(frame) {
    const h = this.hold;
    if (!h) return true;
    const layer = frame.layers[h.l];
    const now = h.i < 0 ? layer.bias[h.j] : layer.weights[h.i][h.j];
    if (Math.abs(now - h.v) < 1e-12 || performance.now() > h.until || frame.peek) { this.hold = null; return true; }
    return false;
  }

  // ---------------------------------------------------------------- building

  build() {
    const { layer, index } = this.ref;
    const name = this.cb.nodeName(layer, index);
    $('card-title').textContent = this.isOutput ? `Output neuron${this.net.sizes[layer] > 1 ? ` ${name.replace(/^out /, '')}` : ''}` : `Neuron ${name}`;
    $('card-sub').textContent = this.isOutput ? `layer ${layer} (output)` : `hidden layer ${layer}, neuron ${index + 1}`;
    $('card-lead').textContent = this.lead();
    const box = $('card-params');
    box.replaceChildren();
    this.rows = [];
    const nIn = this.net.sizes[layer - 1];
    for (let i = -1; i < nIn; i++) {
      const row = el('div', 'prow', box);
      const lab = el('label', 'pname', row);
      const id = `card-p-${i < 0 ? 'b' : i}`;
      lab.htmlFor = id;
      if (i < 0) lab.textContent = 'bias b';
      else {
        lab.textContent = `w${i + 1} · `;
        el('span', 'pin', lab, this.inputName(i));
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
      const start = () => this.cb.onEditStart();
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
      });
      num.addEventListener('keydown', (e) => { if (e.key === 'Enter') num.blur(); });
      this.rows.push({ i, range, num });
    }
    // the breakdown: one small map per input, a bias tile, the pre-activation
    const deep = layer > 1;
    $('card-breakdown').hidden = !deep;
    // for a deeper neuron the breakdown is the point: it comes right after the formula
    const main = this.root.querySelector('.card-main');
    if (deep) this.root.insertBefore($('card-breakdown'), main);
    else main.after($('card-breakdown'));
    if (deep) {
      const terms = $('card-terms');
      terms.replaceChildren();
      this.tiles = [];
      for (let i = 0; i < nIn; i++) {
        if (i > 0) el('span', 'op', terms, '+');
        this.tiles.push(this.tile(terms, i));
      }
      el('span', 'op', terms, '+');
      this.biasTile = this.tile(terms, -1);
      el('span', 'op eq', terms, '=');
      this.zTile = this.tile(terms, -2);
    }
    this.lastKey = '';
  }

  tile(parent, i) {
    const fig = el('figure', 'tile', parent);
    const canvas = el('canvas', 'tile-map', fig);
    const cap = el('figcaption', '', fig);
    return { fig, canvas, cap, i };
  }

  lead() {
    const act = this.act;
    const layer = this.ref.layer;
    const first = layer === 1;
    const ins = first ? this.net.inputs.map((k) => LABEL[k] || k).join(', ') : `the outputs of layer ${layer - 1} (${this.inputName(0)} … ${this.inputName(this.net.sizes[layer - 1] - 1)})`;
    if (this.isOutput) {
      if (act === 'softmax') return `One of ${this.net.sizes[layer]} output scores: a weighted sum of ${ins} plus a bias; softmax turns the scores into class probabilities. Together they are a multinomial logistic regression on ${first ? 'the inputs' : 'the last hidden layer'}.`;
      if (act === 'identity') return `The output is a linear regression on ${ins}: a weighted sum plus a bias, not squashed.`;
      return first
        ? `With no hidden layer the output neuron is the whole network: a logistic regression on ${ins}. Its boundary is the straight line where the sum is 0.`
        : `The output neuron is a logistic regression on ${ins}: σ(weighted sum + bias) is the network’s probability. In the hidden neurons’ space its boundary is a straight line.`;
    }
    const what = {
      sigmoid: 'This neuron IS a logistic regression',
      tanh: 'This neuron is a logistic regression up to scale (tanh(z) = 2σ(2z) − 1; the analogy is exact for sigmoid units)',
      relu: 'This neuron is a weighted sum and a ramp (ReLU) — it keeps the logistic regression’s line but not its S-curve; the analogy is exact for sigmoid units',
      linear: 'This neuron is a weighted sum without squashing — a linear unit; the analogy with logistic regression needs the sigmoid',
    }[act];
    return first
      ? `${what} on the inputs ${ins}: a weighted sum plus a bias, squashed. It extracts one feature — which side of its line a point lies.`
      : `${what} on ${ins}, not on the raw inputs: it weighs the previous neurons’ maps, adds a bias and squashes — combinations of combinations.`;
  }

  // ---------------------------------------------------------------- editing

  edit(i, v) {
    if (this.past || !this.params) return;
    const { layer, index } = this.ref;
    const L = layer - 1;
    if (i < 0) this.params[L].bias[index] = v; else this.params[L].weights[i][index] = v;
    this.hold = { l: L, i, j: index, v, until: performance.now() + 2000 };
    this.render();
    this.pending = copyLayers(this.params);
    this.flush();
  }

  async flush() {
    if (this.inflight || !this.pending) return;
    const layers = this.pending;
    this.pending = null;
    this.inflight = true;
    try {
      await this.cb.onEdit(layers);
    } finally {
      this.inflight = false;
      if (this.pending) this.flush();
    }
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
    $('card-edit-note').textContent = this.past
      ? 'You are looking at the past: “Continue from here” on the timeline, then edit.'
      : 'Type a value (Enter) or drag. Training is paused while you edit; press play to train on from your network.';
  }

  // ---------------------------------------------------------------- drawing

  render() {
    if (!this.ref || !this.params || !this.info) return;
    const { layer, index } = this.ref;
    const p = this.params[layer - 1];
    if (!p || index >= p.bias.length) return;
    // the formula, with the live numbers
    const act = this.act;
    const name = this.cb.nodeName(layer, index);
    const terms = p.weights.map((row, i) => {
      const w = row[index];
      const sign = i === 0 ? (w < 0 ? '−' : '') : (w < 0 ? ' − ' : ' + ');
      return `${sign}${fmtNum(Math.abs(w))}·${this.inputName(i)}`;
    }).join('');
    const b = p.bias[index];
    const sum = `${terms} ${b < 0 ? '−' : '+'} ${fmtNum(Math.abs(b))}`;
    let lhs = name;
    let text;
    if (this.isOutput && act === 'softmax') text = `z${index + 1} = ${sum}   →   P(${this.net.classes[index]}) = softmax(z)${index + 1}`;
    else if (act === 'identity') text = `${lhs === 'output' ? 'ŷ' : lhs} = ${sum}`;
    else {
      if (this.isOutput) lhs = this.net.task === 'binary' && this.net.classes ? `P(${this.net.classes[1]})` : lhs;
      text = `${lhs} = ${SYMBOL[act] || act}(${sum})`;
    }
    $('card-formula').textContent = text;
    $('card-act').textContent = act === 'sigmoid' ? 'σ(z) = 1 / (1 + e^−z), the sigmoid: the logistic regression’s squashing function'
      : act === 'tanh' ? 'tanh: an S-curve from −1 to 1' : act === 'relu' ? 'relu(z) = max(0, z)' : act === 'softmax' ? 'softmax: e^z_k / Σ e^z' : 'no activation: the sum itself';
    this.syncInputs();
    if (this.grids) {
      this.drawMap();
      if (layer > 1) this.drawBreakdown();
    }
  }

  /** This neuron's map: {lo, hi, bytes, G}, or null. */
  ownMap() {
    const { layer, index } = this.ref;
    const info = this.info;
    if (this.isOutput) {
      const m = this.grids.output[index];
      return m ? { ...m, G: info.G } : null;
    }
    const m = this.grids.neurons[layer - 1] && this.grids.neurons[layer - 1][index];
    return m ? { ...m, G: info.g } : null;
  }

  mapLut(m) {
    const act = this.act;
    const info = this.info;
    if (act === 'softmax') return rampLut(classColor(this.ref.index, this.net.sizes[this.ref.layer]), m.lo, m.hi);
    if (this.isOutput && act === 'identity') return lut('sequential', m.lo, m.hi, info.yScale[0], info.yScale[1]);
    if (this.isOutput) return lut('diverging', m.lo, m.hi, 0, 1);
    const [a, b] = activationScale(act, m.lo, m.hi);
    return lut('diverging', m.lo, m.hi, a, b);
  }

  drawMap() {
    const info = this.info;
    const m = this.ownMap();
    const canvas = $('card-map');
    const overlay = $('card-overlay');
    const { ctx, w, h } = vectorContext(overlay);
    ctx.clearRect(0, 0, w, h);
    if (!m) return;
    if (info.oneD) {
      const [a, b] = this.isOutput ? (this.act === 'identity' ? info.yScale : [0, 1]) : activationScale(this.act, m.lo, m.hi);
      paintCurve(canvas, m.bytes, m.lo, m.hi, a, b, '#1d2330');
    } else {
      paintGrid(canvas, m.bytes, m.G, m.G, this.mapLut(m));
      scatterOnMap(ctx, info, this.points && this.points.train, m.G, w, h, 2, 500);
    }
    const caption = $('card-map-caption');
    const line = this.ref.layer === 1 ? this.rawLine() : null;
    if (line) {
      this.drawLine(ctx, w, h, line, m.G);
      caption.textContent = info.oneD
        ? `The dashed line is where w·x + b = 0 (in ${info.features[0]}’s own units): the neuron’s ${this.act === 'sigmoid' ? 'output is 0.5 there (σ(0) = ½)' : 'sum changes sign there'}.`
        : `The line is w·x + b = 0, drawn in the raw units of ${info.features.join(' and ')} (the network sees them standardized). ${this.act === 'sigmoid' ? 'On it the neuron says 0.5; the arrow w points to where it says 1.' : 'The arrow w points to where the sum grows.'}`;
      return;
    }
    const level = LEVEL[this.act];
    if (!info.oneD && level !== undefined && m.lo < level && m.hi > level) {
      const segs = contour(gridValues(m.bytes, m.lo, m.hi), m.G, level);
      this.drawSegments(ctx, w, h, segs, m.G);
    }
    if (this.ref.layer === 1 && !info.oneD) {
      caption.textContent = this.model
        ? `Its inputs include curved transforms (${this.net.inputs.filter((k) => !['x1', 'x2'].includes(k)).map((k) => LABEL[k] || k).join(', ')}), so w·x + b = 0 is a curve in the plane: drawn as the ${level} contour of the neuron’s own map.`
        : 'Its boundary: the contour where the sum is 0.';
    } else if (this.act === 'softmax') {
      caption.textContent = `This map is P(${this.net.classes[this.ref.index]}): softmax of its score against the others’. Its class wins where this score is the largest.`;
    } else if (this.ref.layer > 1) {
      caption.textContent = `No single line: this map is ${SYMBOL[this.act] || 'the value'} of a weighted sum of the previous layer’s maps (below). The black curve: where that sum is 0.`;
    } else caption.textContent = '';
  }

  /**
   * For a first-layer neuron whose inputs are the (standardized) features themselves, its
   * zero line in the raw view features: A·X + B·Y + C = 0, or null when it is a curve.
   */
  rawLine() {
    const model = this.model;
    const info = this.info;
    if (!model || !this.params) return null;
    const { index } = this.ref;
    const p = this.params[0];
    const feats = model.features;
    const vx = feats.indexOf(info.features[0]);
    const vy = info.oneD ? -1 : feats.indexOf(info.features[1]);
    let A = 0;
    let B = 0;
    let C = p.bias[index];
    for (let i = 0; i < this.net.inputs.length; i++) {
      const key = this.net.inputs[i];
      let f;
      if (model.transforms) {
        if (key === 'x1') f = 0; else if (key === 'x2') f = 1; else return null;
      } else f = feats.indexOf(key);
      if (f < 0) return null;
      const w = p.weights[i][index];
      const mean = model.standardize.mean[f];
      const std = model.standardize.std[f] || 1;
      if (f === vx) { A += w / std; C -= (w * mean) / std; } else if (f === vy) { B += w / std; C -= (w * mean) / std; }
      // any other feature is held at its training mean on the map: standardized 0
    }
    return { A, B, C };
  }

  drawLine(ctx, w, h, { A, B, C }, G) {
    const info = this.info;
    const { X, Y, x0, x1, y0, y1 } = mappers(info, G, w, h);
    ctx.save();
    if (info.oneD) {
      if (!A) { ctx.restore(); return; }
      const x = X(-C / A);
      ctx.strokeStyle = '#1d2330';
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, h); ctx.stroke();
      ctx.restore();
      return;
    }
    // where A·X + B·Y + C changes sign along the four edges of the box
    const z = (X_, Y_) => A * X_ + B * Y_ + C;
    const corners = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
    const hits = [];
    for (let k = 0; k < 4; k++) {
      const [ax, ay] = corners[k];
      const [bx, by] = corners[(k + 1) % 4];
      const za = z(ax, ay);
      const zb = z(bx, by);
      if ((za > 0) !== (zb > 0)) {
        const t = za / (za - zb);
        hits.push([ax + (bx - ax) * t, ay + (by - ay) * t]);
      }
    }
    if (hits.length >= 2) {
      const [p, q] = hits;
      const px = [X(p[0]), Y(p[1])];
      const qx = [X(q[0]), Y(q[1])];
      ctx.lineCap = 'round';
      ctx.strokeStyle = 'rgba(255,255,255,.9)';
      ctx.lineWidth = 5;
      ctx.beginPath(); ctx.moveTo(...px); ctx.lineTo(...qx); ctx.stroke();
      ctx.strokeStyle = '#1d2330';
      ctx.lineWidth = 2.2;
      ctx.stroke();
      // w: the direction in which the sum grows, in pixel space (perpendicular to the line)
      let gx = (A * (x1 - x0)) / w;
      let gy = (-B * (y1 - y0)) / h;
      const n = Math.hypot(gx, gy) || 1;
      gx /= n; gy /= n;
      const mx = (px[0] + qx[0]) / 2;
      const my = (px[1] + qx[1]) / 2;
      const len = Math.min(48, w / 6);
      const ex = mx + gx * len;
      const ey = my + gy * len;
      ctx.strokeStyle = '#0072b2';
      ctx.fillStyle = '#0072b2';
      ctx.lineWidth = 3;
      ctx.beginPath(); ctx.moveTo(mx, my); ctx.lineTo(ex, ey); ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(ex + gx * 8, ey + gy * 8);
      ctx.lineTo(ex - gy * 6, ey + gx * 6);
      ctx.lineTo(ex + gy * 6, ey - gx * 6);
      ctx.closePath();
      ctx.fill();
      ctx.font = 'bold 13px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.lineWidth = 3;
      ctx.strokeStyle = 'rgba(255,255,255,.9)';
      ctx.strokeText('w', ex + gx * 18, ey + gy * 18);
      ctx.fillText('w', ex + gx * 18, ey + gy * 18);
    }
    ctx.restore();
  }

  drawSegments(ctx, w, h, segs, G) {
    const sx = w / G;
    const sy = h / G;
    ctx.save();
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#1d2330';
    ctx.beginPath();
    for (const [j0, i0, j1, i1] of segs) {
      ctx.moveTo((j0 + 0.5) * sx, h - (i0 + 0.5) * sy);
      ctx.lineTo((j1 + 0.5) * sx, h - (i1 + 0.5) * sy);
    }
    ctx.stroke();
    ctx.restore();
  }

  /** Maps of w_j·h_j (one per input neuron), the bias and their sum, on one shared scale. */
  drawBreakdown() {
    const { layer, index } = this.ref;
    const info = this.info;
    const prev = this.grids.neurons[layer - 2];
    if (!prev || !this.tiles) return;
    const p = this.params[layer - 1];
    const b = p.bias[index];
    const g = info.g;
    const n = prev[0] ? prev[0].bytes.length : 0;
    const z = new Float32Array(n).fill(b);
    const prods = prev.map((m, i) => {
      const w = p.weights[i][index];
      const v = gridValues(m.bytes, m.lo, m.hi);
      for (let k = 0; k < n; k++) { v[k] *= w; z[k] += v[k]; }
      return v;
    });
    let M = Math.abs(b);
    for (const arr of [...prods, z]) for (let k = 0; k < n; k++) { const a = Math.abs(arr[k]); if (a > M) M = a; }
    M = M || 1;
    const paint = (canvas, values) => {
      const bytes = new Uint8Array(values.length);
      for (let k = 0; k < values.length; k++) bytes[k] = Math.max(0, Math.min(255, Math.round(((values[k] + M) / (2 * M)) * 255)));
      if (info.oneD) paintCurve(canvas, bytes, -M, M, -M, M, '#1d2330');
      else paintGrid(canvas, bytes, g, g, lut('diverging', -M, M, -M, M));
    };
    this.tiles.forEach((t, i) => {
      paint(t.canvas, prods[i]);
      t.cap.textContent = `${fmtNum(p.weights[i][index])} × ${this.inputName(i)}`;
    });
    this.biasTile.canvas.width = 1;
    this.biasTile.canvas.height = 1;
    const c = this.biasTile.canvas.getContext('2d');
    c.fillStyle = css(diverging(0.5 + 0.5 * (b / M)));
    c.fillRect(0, 0, 1, 1);
    this.biasTile.cap.textContent = `b = ${fmtNum(b)}`;
    paint(this.zTile.canvas, z);
    this.zTile.cap.textContent = `z (then ${SYMBOL[this.act] || 'as is'})`;
    $('card-scale').textContent = `colour: −${fmtNum(M)} … 0 … +${fmtNum(M)}, one scale for every tile`;
  }
}
