// The output view: the large decision map (or a curve over the points for 1-D data), the
// training and test points, and, while a neuron is hovered, that neuron's map instead.
//
// Public interface (what the page calls):
//   new OutputView({ map, overlay, caption, scale })   its canvases and caption elements
//   setup(info, points)            a new session: init.info and init.points
//   setOptions({ showTest, discretize })
//   draw(frame, grids, hover, formula)   a frame's output (or the hovered neuron's map) and its caption
//   toPNG()                        a Blob promise of the map with its points

import { activationScale, classColor, css, diverging, gradientCss, lut, neuronLut, targetColor } from './colors.js';
import { paintGrid, paintOutput, sideOf, vectorContext } from './heatmap.js';
import { drawPoints, jitter, mappers, padded, strokeCurve } from './draw.js';
import { el } from './dom.js';
import { fmtShort } from './format.js';

const MAX_POINTS = 4000; // drawn points (a bigger dataset is drawn as an even sample)

/** The large output map with its points; `draw` paints the latest frame. */
export class OutputView {
  constructor({ map, overlay, caption, scale }) {
    this.map = map;
    this.overlay = overlay;
    this.caption = caption;
    this.scale = scale;
    this.info = null;
    this.showTest = false;
    this.discretize = false;
    this.pointsDirty = true;
    new ResizeObserver(() => { this.pointsDirty = true; this.mapDirty = true; }).observe(overlay);
  }

  /**
   * Set up from the stream's init message: info = {G, g, x, y, features, oneD, task, classes,
   * activation, yScale}, points = {train: {x, y}, test: {x, y}}.
   */
  setup(info, points) {
    this.info = info;
    this.points = { train: sample(points.train), test: sample(points.test) };
    this.pointsDirty = true;
    this.map.classList.toggle('vector', info.oneD);
    this.renderScale();
  }

  /** Show or hide the test points; discretize the output. */
  setOptions({ showTest, discretize }) {
    if (showTest !== this.showTest) this.pointsDirty = true;
    this.showTest = showTest;
    this.discretize = discretize;
    this.mapDirty = true;
  }

  renderScale() {
    const info = this.info;
    const box = this.scale;
    box.replaceChildren();
    if (info.task === 'multiclass') {
      info.classes.forEach((c, k) => {
        const s = el('span', 'swatch-item', box);
        el('i', '', s).style.background = classColor(k, info.classes.length);
        s.appendChild(document.createTextNode(c));
      });
      return;
    }
    const reg = info.task === 'regression';
    el('span', 'scale-end', box, reg ? fmtShort(info.yScale[0]) : (info.classes ? info.classes[0] : '0'));
    el('span', 'scale-bar', box).style.background = gradientCss(reg ? 'sequential' : 'diverging');
    el('span', 'scale-end', box, reg ? fmtShort(info.yScale[1]) : (info.classes ? info.classes[1] : '1'));
    if (!reg) el('span', 'scale-note', box, 'colour = predicted probability');
  }

  /** Paint the frame's output (or the hovered neuron's map); grids as decoded by main.js. */
  draw(frame, grids, hover, formula) {
    const info = this.info;
    if (!info) return;
    if (this.pointsDirty) this.drawPoints();
    const neuron = hover && hover.layer > 0 && hover.layer <= grids.neurons.length ? grids.neurons[hover.layer - 1][hover.index] : null;
    const hoverOut = hover && hover.layer === grids.neurons.length + 1 ? grids.output[hover.index] : null;
    if (info.oneD) this.drawCurve(grids, neuron, hoverOut);
    else if (neuron) paintGrid(this.map, neuron.bytes, sideOf(neuron, info.g), sideOf(neuron, info.g), neuronLut(info.activation, neuron, this.discretize));
    else if (hoverOut && info.task === 'multiclass') paintGrid(this.map, hoverOut.bytes, info.G, info.G, lut('diverging', hoverOut.lo, hoverOut.hi, 0, 1));
    else paintOutput(this.map, grids.output, info, info.G, this.discretize);
    this.caption.textContent = hover ? formula : '';
    this.caption.hidden = !hover;
  }

  /** 1-D: the prediction (or a neuron) as a curve over x, with class bands behind. */
  drawCurve(grids, neuron, hoverOut) {
    const info = this.info;
    const { ctx, w, h } = vectorContext(this.map);
    ctx.clearRect(0, 0, w, h);
    const m = neuron || hoverOut || grids.output[0];
    const n = m.bytes.length;
    let [ylo, yhi] = this.yRange();
    if (neuron) [ylo, yhi] = padded(activationScale(info.activation, neuron.lo, neuron.hi), 0.08, 1);
    // background bands: the predicted class (classification), fading with certainty
    if (!neuron && info.task !== 'regression' && info.task !== 'multiclass') {
      const out = grids.output[0];
      for (let j = 0; j < n; j++) {
        const p = out.lo + ((out.hi - out.lo) * out.bytes[j]) / 255;
        const c = diverging(this.discretize ? (p >= 0.5 ? 1 : 0) : p);
        ctx.fillStyle = css([0, 1, 2].map((i) => Math.round(255 + (c[i] - 255) * 0.55)));
        const xa = Math.round((j / n) * w);
        ctx.fillRect(xa, 0, Math.round(((j + 1) / n) * w) - xa, h);
      }
    }
    const Y = (v) => h - ((v - ylo) / (yhi - ylo)) * h;
    ctx.strokeStyle = '#c9ced8';
    ctx.lineWidth = 1;
    ctx.setLineDash([3, 3]);
    for (const v of info.task === 'regression' || neuron ? [0] : [0, 0.5, 1]) {
      const y = Math.round(Y(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(0, y); ctx.lineTo(w, y); ctx.stroke();
    }
    ctx.setLineDash([]);
    const chans = !neuron && !hoverOut && info.task === 'multiclass' ? grids.output : [m];
    chans.forEach((c, k) => {
      const cs = (c.hi - c.lo) / 255;
      const color = chans.length > 1 ? classColor(k, chans.length) : '#1d2330';
      strokeCurve(ctx, n, (j) => ((j + 0.5) / n) * w, (j) => Y(c.lo + cs * c.bytes[j]), color, 2.5);
    });
  }

  yRange() {
    const info = this.info;
    if (info.task === 'regression') return padded(info.yScale, 0.08, 1);
    return [-0.12, 1.12];
  }

  /** Draw the points (and axis labels) on the overlay; only when they or the size change. */
  drawPoints() {
    this.pointsDirty = false;
    const info = this.info;
    const { ctx, w, h } = vectorContext(this.overlay);
    ctx.clearRect(0, 0, w, h);
    if (!info) return;
    const { X, Y: Y2 } = mappers(info, info.G, w, h);
    let Y = Y2;
    let yOf = (set, i) => set.x[i][1];
    if (info.oneD) {
      const [ylo, yhi] = this.yRange();
      Y = (v) => h - ((v - ylo) / (yhi - ylo)) * h;
      const level = (y) => (info.task === 'multiclass' ? 0.5 : y); // classes at 0 and 1, jittered
      yOf = info.task === 'regression' ? (set, i) => set.y[i] : (set, i) => level(set.y[i]) + jitter(i) * 0.08;
    }
    const K = info.classes ? info.classes.length : 0;
    const color = targetColor(info.task, K, info.yScale);
    const r = Math.max(2.2, Math.min(4, w / 110));
    const sets = this.showTest ? [['train', '#fff'], ['test', '#1d2330']] : [['train', '#fff']];
    for (const [name, ring] of sets) {
      const pts = this.points[name];
      drawPoints(ctx, pts.x.length, (i) => X(pts.x[i][0]), (i) => Y(yOf(pts, i)), (i) => color(pts.y[i]),
        { r, ring, width: name === 'test' ? 1.4 : 1 });
    }
    // axis labels (feature names come from the user's data: drawn as canvas text, not HTML)
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = 'rgba(29,35,48,.85)';
    ctx.strokeStyle = 'rgba(255,255,255,.75)';
    ctx.lineWidth = 3;
    ctx.lineJoin = 'round';
    const label = (t, x, y) => { ctx.strokeText(t, x, y); ctx.fillText(t, x, y); };
    ctx.textBaseline = 'bottom';
    ctx.textAlign = 'left';
    label(fmtShort(info.x[0]), 4, h - 3);
    ctx.textAlign = 'right';
    label(`${info.features[0]} → ${fmtShort(info.x[1])}`, w - 4, h - 3);
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    if (!info.oneD) label(`↑ ${info.features[1]} ${fmtShort(info.y[1])}  (from ${fmtShort(info.y[0])})`, 4, 3);
    else label(info.task === 'regression' ? `↑ ${info.target || 'target'}` : `↑ P(${info.classes ? info.classes[K - 1] : 'class 1'})`, 4, 3);
  }

  /** A PNG (as a Blob promise) of the map with its points. */
  toPNG() {
    const W = 800;
    const c = document.createElement('canvas');
    c.width = W;
    c.height = W;
    const ctx = c.getContext('2d');
    ctx.imageSmoothingEnabled = false;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, W);
    ctx.drawImage(this.map, 0, 0, W, W);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.overlay, 0, 0, W, W);
    return new Promise((resolve) => c.toBlob(resolve, 'image/png'));
  }
}

function sample(set) {
  if (!set || !set.x) return { x: [], y: [] };
  const n = set.x.length;
  if (n <= MAX_POINTS) return set;
  const x = [];
  const y = [];
  for (let k = 0; k < MAX_POINTS; k++) {
    const i = Math.floor((k * n) / MAX_POINTS);
    x.push(set.x[i]);
    y.push(set.y[i]);
  }
  return { x, y };
}
