// One equivalent layer: with linear hidden neurons the whole network is one layer, the product
// of its weight matrices with the biases folded through. The view writes that layer with its
// live numbers (in the features' own units where it can), draws its output beside the
// network's own output map, says how far apart the two are, and offers sigmoid to bend it.
// Numbers: collapse-model.js; colours and painting: heatmap.js.
//
// Public interface (what the page calls; views.js registers it):
//   new CollapseView(root, options)  root: #view-collapse (templates/_views.html); of the
//                                    page's options it uses update(change) if given (the
//                                    state's fields), else it edits the URL hash
//   setup(init, ctx)     a new session's init message; `on`: linear neurons, ≥ 1 hidden layer
//   draw(frame, grids)   on requestAnimationFrame: frame.layers and the decoded output map
//   Exposes window.__llCollapse (what was shown, for tests).

import { describeInit } from './frames.js';
import { paintCurve, paintOutput, vectorContext } from './heatmap.js';
import { clipLine, mappers, scatterOnMap, strokeSegment } from './draw.js';
import { find, setText } from './dom.js';
import { fmtNum, fmtPercent, fmtShort, weightedSum } from './format.js';
import { rawInputs, transformLabel, viewText } from './vocabulary.js';
import { chain, collapse, inRawUnits, largestGap, outputGrid, quantise } from './collapse-model.js';

const INK = '#1d2330';
const rawOk = (view) => view.rawOk;

/** The one-equivalent-layer view; `root` holds its texts, two maps and the sigmoid button. */
export class CollapseView {
  constructor(root, options = {}) {
    this.root = root;
    this.options = options;
    Object.assign(this, find(root, {
      lead: '.cl-lead', product: '.cl-product', formula: '.cl-formula', units: '.cl-units',
      netMap: '.cl-net', oneMap: '.cl-one', overlay: '.cl-overlay', netOverlay: '.cl-net-overlay', netCap: '.cl-net-cap', oneCap: '.cl-one-cap',
      gap: '.cl-gap', stays: '.cl-stays', bend: '.cl-sigmoid', bendNote: '.cl-bend-note',
    }));
    this.on = false;
    this.last = null;
    this.bend.addEventListener('click', () => this.toSigmoid());
    new ResizeObserver(() => { if (this.last) this.draw(this.last.frame, this.last.grids); }).observe(this.oneMap);
    window.__llCollapse = null;
  }

  /** A new session: the view applies to linear neurons with at least one hidden layer. */
  setup(init) {
    const net = init.network;
    this.on = net.activation === 'linear' && net.sizes.length > 2;
    this.last = null;
    window.__llCollapse = null;
    if (!this.on) return;
    this.info = describeInit(init);
    this.model = init.model;
    this.net = net;
    this.points = init.points.train;
    this.raw = null;
    const names = net.inputs.map(transformLabel);
    const rawOk = inRawUnits({ W: net.inputs.map(() => [0]), b: [0] }, this.model, net.inputs, rawInputs()) !== null;
    this.rawOk = rawOk;
    const task = net.task;
    const shape = this.info.oneD ? '_1d' : rawOk ? '' : '_curved';
    setText(this.lead, viewText('collapse', `lead_${task}`, { n: net.sizes.length - 1 }));
    setText(this.units, rawOk
      ? viewText('collapse', 'raw', { features: this.model.features.map(transformLabel).join(', ') })
      : viewText('collapse', 'standardized', { inputs: names.join(', ') }));
    setText(this.stays, viewText('collapse', `stays_${task}${shape}`));
    setText(this.netCap, viewText('collapse', 'net_caption', { n: net.sizes.length - 1 }));
    setText(this.oneCap, viewText('collapse', 'one_caption'));
    if (!rawOk) setText(this.gap, viewText('collapse', 'no_map'));
    setText(this.bendNote, viewText('collapse', `bend_${task}`));
    this.oneMap.closest('figure').hidden = !rawOk;
    this.inputNames = names;
  }

  /** One click: the same network with sigmoid hidden neurons (a new run). */
  toSigmoid() {
    if (this.options.update) { this.options.update({ act: 'sigmoid' }); return; }
    const h = location.hash || '#';
    location.hash = /(^#|&)act=[^&]*/.test(h) ? h.replace(/(^#|&)act=[^&]*/, '$1act=sigmoid') : `${h}${h.length > 1 ? '&' : ''}act=sigmoid`;
  }

  /** Paint the frame: the layer's numbers, the network's map and the one layer's. */
  draw(frame, grids) {
    if (!this.on || !frame.layers) return;
    this.last = { frame, grids };
    const eq = collapse(frame.layers);
    const raw = this.rawOk ? inRawUnits(eq, this.model, this.net.inputs, rawInputs()) : null;
    const task = this.net.task;
    const c = chain(frame.layers);
    setText(this.product, viewText('collapse', 'product', { W: c.W, b: c.b, sizes: c.sizes, numbers: this.numbers(eq) }));
    setText(this.formula, this.written(raw || { W: eq.W, b: eq.b, names: this.inputNames }, task));
    const info = this.info;
    const G = info.G;
    const maps = grids.output;
    if (maps && maps.every((m) => m && m.bytes.length === (info.oneD ? G : G * G))) {
      this.paint(this.netMap, maps);
      this.dots(this.netOverlay);
    }
    let gap = null;
    if (raw && maps && maps.every((m) => m && m.bytes.length === (info.oneD ? G : G * G))) {
      const values = outputGrid(raw, info, this.model);
      gap = largestGap(values, maps);
      this.paint(this.oneMap, values.map((v, k) => quantise(v, maps[k].lo, maps[k].hi)));
      this.overlayLine(raw);
      setText(this.gap, viewText('collapse', 'gap', { gap: fmtPercent(gap) }));
    }
    this.gap.hidden = gap === null && rawOk(this);
    window.__llCollapse = { step: frame.step, W: eq.W, b: eq.b, raw, gap, formula: this.formula.textContent };
  }

  /** The product's numbers on the standardized inputs, when they are few enough to read. */
  numbers(eq) {
    const D = eq.W.length;
    const K = eq.b.length;
    if (D * K > 12) return '';
    const col = (k) => `[${eq.W.map((row) => fmtShort(row[k])).join(', ')}]`;
    const W = K === 1 ? col(0) : eq.b.map((_, k) => col(k)).join(' ');
    return viewText('collapse', 'numbers', { W, b: eq.b.map(fmtShort).join(', ') });
  }

  /** The one layer as a formula: P = σ(…), K scores for softmax, or ŷ = …. */
  written(layer, task) {
    const sum = (k) => weightedSum(layer.names.map((n, f) => [layer.W[f][k], transformLabel(n)]), layer.b[k], { fmt: fmtNum, max: 6 });
    const cls = this.net.classes || [];
    if (task === 'binary') return `P(${cls[1]}) = σ(${sum(0)})`;
    if (task === 'regression') return `ŷ = ${sum(0)}`;
    return layer.b.map((_, k) => `z(${cls[k]}) = ${sum(k)}`).join('\n') + '\nP = softmax(z)';
  }

  paint(canvas, maps) {
    const info = this.info;
    if (info.oneD) {
      const [a, b] = info.task === 'regression' ? info.yScale : [0, 1];
      paintCurve(canvas, maps[0].bytes, maps[0].lo, maps[0].hi, a, b, INK);
    } else paintOutput(canvas, maps, info, info.G);
  }

  /** The training points over a map's overlay (2-D); → its context and size. */
  dots(canvas) {
    const { ctx, w, h } = vectorContext(canvas);
    ctx.clearRect(0, 0, w, h);
    scatterOnMap(ctx, this.info, this.points, this.info.G, w, h, 1.8, 300);
    return { ctx, w, h };
  }

  /** The binary boundary (P = ½) of the raw one layer, over its map (2-D), with the points. */
  overlayLine(raw) {
    const { ctx, w, h } = this.dots(this.overlay);
    const info = this.info;
    if (info.oneD || info.task !== 'binary') return;
    const fx = raw.names.indexOf(info.features[0]);
    const fy = raw.names.indexOf(info.features[1]);
    let C = raw.b[0];
    raw.names.forEach((_, f) => { if (f !== fx && f !== fy) C += raw.W[f][0] * this.model.standardize.mean[f]; });
    const m = mappers(info, info.G, w, h);
    const seg = clipLine(raw.W[fx][0], raw.W[fy][0], C, [m.x0, m.x1, m.y0, m.y1]);
    if (!seg) return;
    ctx.save();
    strokeSegment(ctx, [m.X(seg[0][0]), m.Y(seg[0][1])], [m.X(seg[1][0]), m.Y(seg[1][1])], INK, 2, 4);
    ctx.restore();
  }
}
