// The loss chart: a bounded, thinned series, so drawing costs the same at step 10 and at
// step 10 million. When the series is full, every other point is dropped and the minimum
// spacing between kept steps doubles; the latest point is always drawn.
//
// Public interface (what the page calls):
//   new LossChart(canvas)
//   reset(), push(step, train, test), setHistory(history), setMarker(step|null)
//   dirty (true when something changed), draw(force), plotSpan() → [left, right] CSS px
// Hovering the chart shows the losses of the nearest drawn step (hovered() says which).

import { vectorContext } from './heatmap.js';
import { fmtAxis, fmtNum } from './format.js';
import { nearestIndex } from './draw.js';

const MAX_POINTS = 400;

/** Train and test loss over steps, on a canvas (handles devicePixelRatio). */
export class LossChart {
  constructor(canvas) {
    this.canvas = canvas;
    this.hover = null; // the hovered step's index into the drawn series, or null
    this.reset();
    canvas.addEventListener('pointermove', (e) => this.onHover(e.offsetX));
    canvas.addEventListener('pointerleave', () => { this.hover = null; this.draw(true); });
    this.wrap = canvas.parentElement; // its legend makes room for the hovered values
  }

  /** The pointer at x (CSS px): hover the nearest drawn step. */
  onHover(x) {
    const g = this.geom;
    if (!g || !g.steps.length) return;
    const step = g.x0 + ((x - g.l) / (g.r - g.l)) * (g.x1 - g.x0);
    const i = nearestIndex(g.steps, step);
    if (i !== this.hover) { this.hover = i; this.draw(true); }
  }

  /** The hovered point {step, train, test}, or null. */
  hovered() {
    const g = this.geom;
    if (!g || this.hover === null || this.hover >= g.steps.length) return null;
    return { step: g.steps[this.hover], train: g.train[this.hover], test: g.test[this.hover] };
  }

  /** Forget every point. */
  reset() {
    this.steps = [];
    this.train = [];
    this.test = [];
    this.stride = 1;
    this.last = null;
    this.marker = null;
    this.dirty = true;
  }

  /** Mark one step with a vertical line (the timeline's scrubbed step); null removes it. */
  setMarker(step) {
    if (step === this.marker) return;
    this.marker = step;
    this.dirty = true;
  }

  /** Add one point (a step and its losses; null losses are gaps). */
  push(step, train, test) {
    if (this.last && step < this.last.step) this.truncate(step);
    this.last = { step, train, test };
    this.dirty = true;
    const n = this.steps.length;
    if (n && step - this.steps[n - 1] < this.stride) return;
    if (n && step === this.steps[n - 1]) return;
    this.steps.push(step);
    this.train.push(train);
    this.test.push(test);
    if (this.steps.length > MAX_POINTS) this.thin();
  }

  /** Replace the series with a History ({steps, train_loss, test_loss}). */
  setHistory(h) {
    this.reset();
    if (!h || !Array.isArray(h.steps)) return;
    for (let i = 0; i < h.steps.length; i++) this.push(h.steps[i], h.train_loss[i], h.test_loss ? h.test_loss[i] : null);
  }

  truncate(step) {
    let k = this.steps.length;
    while (k > 0 && this.steps[k - 1] > step) k--;
    this.steps.length = k;
    this.train.length = k;
    this.test.length = k;
  }

  thin() {
    const keep = (a) => a.filter((_, i) => i % 2 === 0);
    this.steps = keep(this.steps);
    this.train = keep(this.train);
    this.test = keep(this.test);
    this.stride *= 2;
  }

  /** Redraw if anything changed (or `force`). */
  draw(force = false) {
    if (!this.dirty && !force) return;
    this.dirty = false;
    const { ctx, w, h } = vectorContext(this.canvas);
    ctx.clearRect(0, 0, w, h);
    const pad = { l: 34, r: 6, t: 6, b: 16 };
    const steps = this.steps.slice();
    const train = this.train.slice();
    const test = this.test.slice();
    if (this.last && steps[steps.length - 1] !== this.last.step) {
      steps.push(this.last.step);
      train.push(this.last.train);
      test.push(this.last.test);
    }
    let ymax = 0;
    for (const v of train) if (v != null && Number.isFinite(v)) ymax = Math.max(ymax, v);
    for (const v of test) if (v != null && Number.isFinite(v)) ymax = Math.max(ymax, v);
    ymax = ymax > 0 ? niceCeil(ymax) : 1;
    const x0 = steps.length ? steps[0] : 0;
    const x1 = steps.length ? Math.max(steps[steps.length - 1], x0 + 1) : 1;
    const X = (s) => pad.l + ((s - x0) / (x1 - x0)) * (w - pad.l - pad.r);
    const Y = (v) => pad.t + (1 - v / ymax) * (h - pad.t - pad.b);
    ctx.strokeStyle = '#e3e6ee';
    ctx.fillStyle = '#6b7280';
    ctx.font = '10px system-ui, sans-serif';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const f of [0, 0.5, 1]) {
      const y = Y(ymax * f);
      ctx.beginPath();
      ctx.moveTo(pad.l, Math.round(y) + 0.5);
      ctx.lineTo(w - pad.r, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.fillText(fmtAxis(ymax * f), pad.l - 4, y);
    }
    ctx.textBaseline = 'alphabetic';
    ctx.textAlign = 'left';
    ctx.fillText(`step ${x0}`, pad.l, h - 3);
    ctx.textAlign = 'right';
    ctx.fillText(`${x1}`, w - pad.r, h - 3);
    line(ctx, steps, test, X, Y, '#9aa0ac', [4, 3]);
    line(ctx, steps, train, X, Y, '#1d2330', []);
    this.geom = { steps, train, test, x0, x1, l: pad.l, r: w - pad.r };
    const hp = this.hovered();
    if (hp) drawHover(ctx, hp, X, Y, w, pad);
    if (this.wrap) this.wrap.classList.toggle('hovering', Boolean(hp));
    if (this.marker !== null && this.marker >= x0 && this.marker <= x1) {
      const x = Math.round(X(this.marker)) + 0.5;
      ctx.strokeStyle = '#0072b2';
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x, pad.t - 2);
      ctx.lineTo(x, h - pad.b);
      ctx.stroke();
      ctx.fillStyle = '#0072b2';
      ctx.textAlign = x > w / 2 ? 'right' : 'left';
      ctx.textBaseline = 'top';
      ctx.fillText(`step ${this.marker}`, x + (x > w / 2 ? -4 : 4), pad.t);
    }
  }

  /** The x pixel range of the plot (CSS px from the canvas's left edge): [left, right]. */
  plotSpan() {
    return [34, (this.canvas.clientWidth || 1) - 6];
  }
}

function line(ctx, xs, ys, X, Y, color, dash) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.6;
  ctx.setLineDash(dash);
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const v = ys[i];
    if (v == null || !Number.isFinite(v)) { pen = false; continue; }
    if (pen) ctx.lineTo(X(xs[i]), Y(v)); else ctx.moveTo(X(xs[i]), Y(v));
    pen = true;
  }
  ctx.stroke();
  ctx.setLineDash([]);
}

/** The hovered step: a dot on each line and its values written at the top. */
function drawHover(ctx, { step, train, test }, X, Y, w, pad) {
  const x = X(step);
  ctx.strokeStyle = 'rgba(29, 35, 48, .35)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(Math.round(x) + 0.5, pad.t);
  ctx.lineTo(Math.round(x) + 0.5, Y(0));
  ctx.stroke();
  for (const [v, color] of [[test, '#9aa0ac'], [train, '#1d2330']]) {
    if (v == null || !Number.isFinite(v)) continue;
    ctx.fillStyle = color;
    ctx.beginPath();
    ctx.arc(x, Y(v), 3, 0, 2 * Math.PI);
    ctx.fill();
  }
  const parts = [`step ${step}`, `train ${fmtNum(train)}`];
  if (test != null) parts.push(`test ${fmtNum(test)}`);
  const text = parts.join(' · ');
  ctx.font = '10.5px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  const tw = ctx.measureText(text).width;
  const left = Math.min(Math.max(pad.l, x - tw / 2), w - pad.r - tw);
  ctx.fillStyle = 'rgba(255, 255, 255, .9)';
  ctx.fillRect(left - 3, pad.t - 2, tw + 6, 14);
  ctx.fillStyle = '#1d2330';
  ctx.textAlign = 'left';
  ctx.fillText(text, left, pad.t);
}

function niceCeil(v) {
  const e = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * e >= v) return m * e;
  return 10 * e;
}
