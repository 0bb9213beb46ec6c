// The network diagram: one column per layer, every neuron a thumbnail of its output over
// the input plane, links drawn on one canvas (colour = sign of the weight, width = |w|),
// each neuron's bias as a small square. Hovering a link or a bias shows its value;
// hovering a neuron reports it so the output view can show its map large.
//
// Public interface (what the page calls):
//   new NetworkView(root, { onHover(ref|null), onSelect(ref), onToggleInput(key, on), onNeurons(layer, delta) })
//   build(spec)                    the diagram's shape (see build); before the server confirms it
//   setInputMaps(maps, g, oneD)    the init's input maps, decoded: [{name, lo, hi, bytes}]
//   prepare(g, G)                  allocate every neuron's image before the first frame
//   draw(frame, grids, info)       a frame: every neuron's map, the links' weights, the biases
//   nodeName(L, j)                 a neuron's short name ('x₁', 'h2.3', 'output', 'out <class>')
//   setSelected(ref)               mark the neuron whose card is open (null: none)
//   setLit(ref)                    light the neuron a view points at (null: none)

import { CLASS2, activationScale, css, diverging, lut, neuronLut, outputLut } from './colors.js';
import { paintGrid, paintCurve, prepareCanvas, resized, sideOf, vectorContext } from './heatmap.js';
import { el, breakableText } from './dom.js';
import { fmtNum } from './format.js';

const NEG = CLASS2[0];
const POS = CLASS2[1];

/** The diagram of one network; callbacks: onHover(ref|null), onSelect(ref), onToggleInput(key, on), onNeurons(layer, delta). */
export class NetworkView {
  constructor(root, callbacks) {
    this.root = root;
    this.cb = callbacks;
    this.spec = null;
    this.links = []; // {l, i, j, pts: [[x, y]…]} in CSS px, for drawing and hit-testing
    this.hoverLink = null;
    this.frame = null;
    this.dirty = true;
    this.links_canvas = el('canvas', 'net-links', root);
    this.cols = el('div', 'net-cols', root);
    this.tip = el('div', 'net-tip', root);
    this.tip.hidden = true;
    new ResizeObserver(() => { if (this.spec) this.fit(); this.layout(); }).observe(root);
    root.addEventListener('mousemove', (e) => this.onMove(e));
    root.addEventListener('mouseleave', () => this.clearHover());
  }

  /**
   * Build the columns. spec: {inputs: [{key, label, active, toggle}], hidden: [sizes],
   * outputs: [labels], activation, task, oneD, editable, maxLayers, maxNeurons}.
   */
  build(spec) {
    this.spec = spec;
    this.frame = null;
    this.inputMaps = null;
    this.cols.replaceChildren();
    this.nodes = []; // per layer: [{el, canvas, bias}]
    const nLayers = spec.hidden.length + 2;
    this.fit();

    // inputs
    const inCol = el('div', 'net-col net-inputs', this.cols);
    const ih = el('div', 'col-head', inCol);
    ih.textContent = spec.inputs.some((x) => x.toggle) ? 'Inputs' : 'Features';
    const inNodes = el('div', 'nodes', inCol);
    this.nodes.push(spec.inputs.map((inp) => {
      const wrap = el(inp.toggle ? 'label' : 'div', 'node input', inNodes);
      wrap.classList.toggle('inactive', !inp.active);
      const name = el('span', 'node-label', wrap);
      name.textContent = inp.label;
      name.title = inp.label;
      let box = null;
      if (inp.toggle) {
        box = el('input', '', wrap);
        box.type = 'checkbox';
        box.checked = inp.active;
        box.setAttribute('aria-label', `Input ${inp.label}`);
        box.addEventListener('change', () => this.cb.onToggleInput(inp.key, box.checked));
      }
      const canvas = el('canvas', 'map', wrap);
      wrap.dataset.layer = '0';
      wrap.dataset.key = inp.key;
      return { el: wrap, canvas, bias: null, input: inp };
    }));

    // hidden layers
    spec.hidden.forEach((n, h) => {
      const col = el('div', 'net-col net-hidden', this.cols);
      const head = el('div', 'col-head', col);
      if (spec.editable) {
        const minus = el('button', 'round small', head);
        minus.type = 'button';
        minus.textContent = '−';
        minus.disabled = n <= 1;
        minus.setAttribute('aria-label', `Remove a neuron from hidden layer ${h + 1}`);
        minus.addEventListener('click', () => this.cb.onNeurons(h, -1));
        const plus = el('button', 'round small', head);
        plus.type = 'button';
        plus.textContent = '+';
        plus.disabled = n >= spec.maxNeurons;
        plus.setAttribute('aria-label', `Add a neuron to hidden layer ${h + 1}`);
        plus.addEventListener('click', () => this.cb.onNeurons(h, +1));
      }
      const lbl = el('div', 'col-label', col);
      lbl.textContent = `${n} neuron${n === 1 ? '' : 's'}`;
      const nodes = el('div', 'nodes', col);
      const layer = [];
      for (let j = 0; j < n; j++) layer.push(this.neuron(nodes, h + 1, j));
      this.nodes.push(layer);
    });

    // output
    const outCol = el('div', 'net-col net-output', this.cols);
    const oh = el('div', 'col-head', outCol);
    oh.textContent = 'Output';
    const outNodes = el('div', 'nodes', outCol);
    const outLayer = spec.outputs.map((label, k) => {
      const nd = this.neuron(outNodes, nLayers - 1, k);
      const name = breakableText(el('span', 'node-label right', nd.el), label);
      name.title = label;
      return nd;
    });
    this.nodes.push(outLayer);
    this.layout();
  }

  neuron(parent, layer, j) {
    const wrap = el('div', 'node neuron', parent);
    wrap.dataset.layer = String(layer);
    wrap.dataset.index = String(j);
    wrap.tabIndex = 0;
    wrap.setAttribute('role', 'img');
    const canvas = el('canvas', 'map', wrap);
    const bias = el('span', 'bias', wrap);
    bias.dataset.layer = String(layer);
    bias.dataset.index = String(j);
    wrap.addEventListener('mouseenter', () => this.cb.onHover({ layer, index: j }));
    wrap.addEventListener('focus', () => this.cb.onHover({ layer, index: j }));
    wrap.addEventListener('mouseleave', () => this.cb.onHover(null));
    wrap.addEventListener('blur', () => this.cb.onHover(null));
    wrap.addEventListener('click', () => { if (this.cb.onSelect) this.cb.onSelect({ layer, index: j }); });
    wrap.addEventListener('keydown', (e) => {
      if ((e.key === 'Enter' || e.key === ' ') && this.cb.onSelect) { e.preventDefault(); e.stopPropagation(); this.cb.onSelect({ layer, index: j }); }
    });
    wrap.setAttribute('aria-label', `Neuron: open its card`);
    if (this.selected && this.selected.layer === layer && this.selected.index === j) wrap.classList.add('selected');
    return { el: wrap, canvas, bias };
  }

  /** Mark the neuron whose card is open (null: none). */
  setSelected(ref) {
    this.selected = ref;
    if (!this.nodes) return;
    this.nodes.forEach((layer, L) => layer.forEach((nd, j) => {
      nd.el.classList.toggle('selected', Boolean(ref) && L > 0 && ref.layer === L && ref.index === j);
    }));
  }

  /** Light neuron `ref` = {layer, index} (a view points at it); null: none. */
  setLit(ref) {
    if (!this.nodes) return;
    this.nodes.forEach((layer, L) => layer.forEach((nd, j) => {
      nd.el.classList.toggle('ll-lit', Boolean(ref) && L > 0 && ref.layer === L && ref.index === j);
    }));
  }

  /** The nodes that feed weight layer l, in weight-row order. */
  sources(l) {
    if (l > 0) return this.nodes[l];
    const order = this.spec.inputOrder;
    if (order) {
      const byKey = new Map(this.nodes[0].map((n) => [n.input.key, n]));
      const found = order.map((k) => byKey.get(k));
      if (found.every(Boolean)) return found;
    }
    return this.nodes[0].filter((n) => n.input.active);
  }

  /** Recompute link geometry from the nodes' positions. */
  /** Size the nodes so that the tallest column fits the diagram's height (it changes when a card opens). */
  fit() {
    const spec = this.spec;
    const tall = Math.max(spec.inputs.length, ...spec.hidden, spec.outputs.length, 1);
    const avail = Math.max(200, this.root.clientHeight - 64);
    const size = Math.max(16, Math.min(window.innerWidth >= 1800 ? 76 : 56, Math.floor(avail / tall) - 10));
    if (this.root.style.getPropertyValue('--node') === `${size}px`) return false;
    this.root.style.setProperty('--node', `${size}px`);
    this.root.classList.toggle('compact', size < 30);
    return true;
  }

  layout() {
    if (!this.spec) return;
    const box = this.root.getBoundingClientRect();
    const pos = (n) => {
      const r = n.canvas.getBoundingClientRect();
      return { l: r.left - box.left + this.root.scrollLeft, r: r.right - box.left + this.root.scrollLeft,
        y: r.top - box.top + this.root.scrollTop + r.height / 2 };
    };
    this.links = [];
    for (let l = 0; l < this.nodes.length - 1; l++) {
      const src = this.sources(l).map(pos);
      const dst = this.nodes[l + 1].map(pos);
      src.forEach((a, i) => dst.forEach((b, j) => {
        const x0 = a.r + 1;
        const x1 = b.l - 4;
        const mx = (x0 + x1) / 2;
        const pts = [];
        for (let s = 0; s <= 16; s++) {
          const t = s / 16;
          const u = 1 - t;
          pts.push([u * u * u * x0 + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * x1,
            u * u * u * a.y + 3 * u * u * t * a.y + 3 * u * t * t * b.y + t * t * t * b.y]);
        }
        this.links.push({ l, i, j, x0, y0: a.y, x1, y1: b.y, mx, pts });
      }));
    }
    this.links_canvas.style.width = `${this.cols.scrollWidth}px`;
    this.links_canvas.style.height = `${this.cols.scrollHeight}px`;
    resized(this.links_canvas);
    this.dirty = true;
  }

  /** Allocate every neuron's image for g×g maps (hidden) and G×G (output) before frames arrive. */
  prepare(g, G) {
    const last = this.nodes.length - 1;
    this.nodes.forEach((layer, L) => {
      if (L > 0) for (const nd of layer) prepareCanvas(nd.canvas, L === last ? G : g, L === last ? G : g);
    });
  }

  /**
   * Set the inputs' maps (from the stream's init message: [{name, lo, hi, bytes}]); `held(name)`
   * says why a feature the maps are not drawn over is one flat value (held at its mean).
   */
  setInputMaps(maps, gridSize, oneD, held = () => '') {
    this.inputMaps = maps;
    for (const nd of this.nodes[0]) {
      const m = maps.find((x) => x.name === nd.input.key) || maps.find((x) => x.name === nd.input.label);
      nd.canvas.classList.toggle('empty', !m);
      const flat = Boolean(m) && !oneD && m.bytes.every((v) => v === m.bytes[0]); // one value throughout
      nd.canvas.classList.toggle('held', flat);
      nd.el.title = flat ? held(nd.input.key) : '';
      if (flat) paintHeld(nd.canvas);
      if (!m || flat) continue;
      const s = Math.max(Math.abs(m.lo), Math.abs(m.hi), 1e-6);
      if (oneD) paintCurve(nd.canvas, m.bytes, m.lo, m.hi, -s, s, '#1d2330');
      else paintGrid(nd.canvas, m.bytes, gridSize, gridSize, lut('diverging', m.lo, m.hi, -s, s));
    }
  }

  /**
   * Draw a frame: `grids` = {neurons: [[{lo, hi, bytes}]], output: [{lo, hi, bytes}]},
   * `frame.layers` for weights and biases; info = {g, G, oneD, task, classes, activation, yScale}.
   */
  draw(frame, grids, info) {
    if (!this.spec) return;
    const { activation, oneD } = info;
    // hidden neurons
    grids.neurons.forEach((layer, h) => layer.forEach((m, j) => {
      const nd = this.nodes[h + 1] && this.nodes[h + 1][j];
      if (!nd) return;
      if (oneD) {
        const [a, b] = activationScale(activation, m.lo, m.hi);
        paintCurve(nd.canvas, m.bytes, m.lo, m.hi, a, b, '#1d2330');
      } else paintGrid(nd.canvas, m.bytes, sideOf(m, info.g), sideOf(m, info.g), neuronLut(activation, m));
    }));
    // output nodes
    const outNodes = this.nodes[this.nodes.length - 1];
    const K = grids.output.length;
    grids.output.forEach((m, k) => {
      const nd = outNodes[k];
      if (!nd) return;
      const range = info.task === 'regression' ? info.yScale : [0, 1];
      if (oneD) paintCurve(nd.canvas, m.bytes, m.lo, m.hi, range[0], range[1], '#1d2330');
      else paintGrid(nd.canvas, m.bytes, info.G, info.G, outputLut(info.task, m, k, K, info.yScale));
    });
    // biases
    frame.layers.forEach((layer, l) => {
      const dst = this.nodes[l + 1];
      if (!dst) return;
      layer.bias.forEach((b, j) => {
        const nd = dst[j];
        if (!nd) return;
        const c = css(diverging(0.5 + 0.5 * Math.tanh(b)));
        if (nd.biasColor !== c) { nd.biasColor = c; nd.bias.style.background = c; }
      });
    });
    this.frame = frame;
    this.drawLinks();
  }

  drawLinks() {
    const frame = this.frame;
    const { ctx, w, h } = vectorContext(this.links_canvas);
    ctx.clearRect(0, 0, w, h);
    if (!frame) return;
    let maxW = 1;
    for (const layer of frame.layers) for (const row of layer.weights) for (const v of row) if (Math.abs(v) > maxW) maxW = Math.abs(v);
    // Links are batched into one path per (sign, width bucket): a few strokes per frame, not hundreds.
    const B = 12;
    const paths = [new Array(B + 1).fill(null), new Array(B + 1).fill(null)];
    for (const k of this.links) {
      const row = frame.layers[k.l] && frame.layers[k.l].weights[k.i];
      const v = row ? row[k.j] : undefined;
      if (v === undefined || !Number.isFinite(v)) continue;
      const b = Math.round((Math.abs(v) / maxW) * B);
      const s = v >= 0 ? 1 : 0;
      let p = paths[s][b];
      if (!p) p = paths[s][b] = new Path2D();
      p.moveTo(k.x0, k.y0);
      p.bezierCurveTo(k.mx, k.y0, k.mx, k.y1, k.x1, k.y1);
    }
    for (let s = 0; s < 2; s++) {
      ctx.strokeStyle = s ? POS : NEG;
      for (let b = 0; b <= B; b++) {
        const p = paths[s][b];
        if (!p) continue;
        ctx.globalAlpha = 0.35 + (0.6 * b) / B;
        ctx.lineWidth = 0.4 + (7 * b) / B;
        ctx.stroke(p);
      }
    }
    ctx.globalAlpha = 1;
    const k = this.hoverLink;
    if (k) {
      const v = frame.layers[k.l] && frame.layers[k.l].weights[k.i] ? frame.layers[k.l].weights[k.i][k.j] : 0;
      ctx.beginPath();
      ctx.moveTo(k.x0, k.y0);
      ctx.bezierCurveTo(k.mx, k.y0, k.mx, k.y1, k.x1, k.y1);
      ctx.strokeStyle = '#1d2330';
      ctx.lineWidth = 2.4 + (7 * Math.abs(v)) / maxW;
      ctx.stroke();
      ctx.strokeStyle = v >= 0 ? POS : NEG;
      ctx.lineWidth = 0.4 + (7 * Math.abs(v)) / maxW;
      ctx.stroke();
    }
  }

  onMove(e) {
    if (!this.spec) return;
    const box = this.root.getBoundingClientRect();
    const x = e.clientX - box.left + this.root.scrollLeft;
    const y = e.clientY - box.top + this.root.scrollTop;
    const t = e.target;
    if (t.classList && t.classList.contains('bias')) {
      const L = Number(t.dataset.layer);
      const j = Number(t.dataset.index);
      const b = this.frame && this.frame.layers[L - 1] ? this.frame.layers[L - 1].bias[j] : undefined;
      this.showTip(x, y, b === undefined ? 'bias' : `bias = ${fmtNum(b)}`);
      this.setHoverLink(null);
      return;
    }
    if (t.closest && t.closest('.node, button, .col-head')) { this.tip.hidden = true; this.setHoverLink(null); return; }
    let best = null;
    let bestD = 6;
    for (const k of this.links) {
      if (x < k.x0 - 6 || x > k.x1 + 6) continue;
      for (let s = 0; s < k.pts.length - 1; s++) {
        const d = segDist(x, y, k.pts[s], k.pts[s + 1]);
        if (d < bestD) { bestD = d; best = k; }
      }
    }
    this.setHoverLink(best);
    if (best && this.frame) {
      const v = this.frame.layers[best.l].weights[best.i][best.j];
      this.showTip(x, y, `weight = ${fmtNum(v)}  (${this.nodeName(best.l, best.i)} → ${this.nodeName(best.l + 1, best.j)})`);
    } else this.tip.hidden = true;
  }

  /** A neuron's short name: an input's label, 'h2.3' (layer 2, neuron 3), or the output's. */
  nodeName(L, j) {
    if (L === 0) return this.sources(0)[j] ? this.sources(0)[j].input.label : `x${j + 1}`;
    if (L === this.nodes.length - 1) return this.spec.outputs.length > 1 ? `out ${this.spec.outputs[j]}` : 'output';
    return `h${L}.${j + 1}`;
  }

  setHoverLink(k) {
    if (k === this.hoverLink) return;
    this.hoverLink = k;
    this.drawLinks();
  }

  showTip(x, y, text) {
    this.tip.textContent = text;
    this.tip.hidden = false;
    // beside the pointer, but flipped to its left near the diagram's right edge (never cut off)
    const width = this.tip.offsetWidth;
    const room = this.root.clientWidth;
    this.tip.style.left = `${x + 12 + width > room ? Math.max(0, x - 12 - width) : x + 12}px`;
    this.tip.style.top = `${y + 12}px`;
  }

  clearHover() {
    this.tip.hidden = true;
    this.setHoverLink(null);
  }
}

function segDist(x, y, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const L = dx * dx + dy * dy || 1;
  const t = Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / L));
  const px = a[0] + t * dx - x;
  const py = a[1] + t * dy - y;
  return Math.sqrt(px * px + py * py);
}

/** A held feature's map: one flat value, said in words over the stripes. */
function paintHeld(canvas) {
  const { ctx, w, h } = vectorContext(canvas);
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = '#5f6675';
  ctx.font = '10px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText('at its', w / 2, h / 2 - 6);
  ctx.fillText('mean', w / 2, h / 2 + 6);
}
