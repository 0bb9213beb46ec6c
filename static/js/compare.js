// Logistic regression beside the network: one click trains a plain logistic regression (no
// hidden layer) on the same dataset, inputs and train/test split (same seed and test
// fraction), through the REST API, and shows its map and accuracy next to the network's.
// The comparison session is deleted when the main session changes or the page goes away.
//
// Public interface (what the page calls):
//   new Compare({ api, say, context() → {config, info, points} | null, onReady() })
//   setup(info, network)           a new session's init.info and init.network (its sizes)
//   sessionChanged()               the main session changed: drop the comparison
//   draw(frame, grids, info)       a frame of the network, beside the regression's map

import { paintCurve, paintOutput, vectorContext } from './heatmap.js';
import { toBytes } from './maps.js';
import { contour, scatterOnMap, strokeSegments } from './draw.js';
import { $ } from './dom.js';
import { fmtLoss, fmtPercent } from './format.js';
import { rawInputs, transformLabel, viewText } from './vocabulary.js';
const ROUND_EPOCHS = 100; // epochs per step request
const MAX_ROUNDS = 30;

/** The comparison panel; ctx() → {config, info, points} of the current session or null. */
export class Compare {
  constructor({ api, say, context, onReady }) {
    this.api = api;
    this.onReady = onReady || (() => {});
    this.say = say;
    this.context = context;
    this.lrId = null;
    this.gen = 0;
    this.result = null; // {metrics, step, info}
    this.netMetrics = null;
    this.verdictKey = '';
    this.body = $('cmp-body');
    this.button = $('cmp-run');
    this.button.addEventListener('click', () => this.run().catch((e) => this.fail(e)));
    window.addEventListener('pagehide', () => {
      if (this.lrId) fetch(`/api/sessions/${encodeURIComponent(this.lrId)}`, { method: 'DELETE', keepalive: true }).catch(() => {});
    });
  }

  /** A session's init info: name the model the comparison trains. */
  setup(info, network) {
    this.task = info.task;
    this.alone = Boolean(network && network.sizes && network.sizes.length <= 2); // no hidden layer
    $('cmp-q').textContent = viewText('compare', this.alone ? `question_alone_${info.task}` : `question_${info.task}`);
    $('cmp-lr-name').textContent = viewText('compare', `name_${info.task}`);
    if (!this.button.disabled) this.button.textContent = this.runLabel();
  }

  runLabel() { return viewText('compare', this.alone ? 'run_alone' : 'run'); }

  /** The main session changed: drop the comparison (its data or split may differ now). */
  sessionChanged() {
    this.gen++;
    this.result = null;
    this.body.hidden = true;
    this.button.disabled = false;
    this.button.textContent = this.runLabel();
    this.drop();
  }

  drop() {
    const id = this.lrId;
    this.lrId = null;
    if (id) this.api.deleteSession(id).catch(() => {});
  }

  fail(e) {
    this.button.disabled = false;
    this.button.textContent = this.runLabel();
    this.say(viewText('compare', `failed_${this.task || 'binary'}`, { message: e.message }));
  }

  /** Train a logistic regression on the same data and split until its loss settles. */
  async run() {
    const ctx = this.context();
    if (!ctx) return;
    const gen = ++this.gen;
    this.drop();
    this.button.disabled = true;
    this.button.textContent = viewText('compare', 'training');
    const cfg = { ...ctx.config, hidden_layers: [], optimizer: 'adam', learning_rate: 0.05, batch_size: null, init: 'xavier', l1: 0 };
    const s = await this.api.createSession(cfg);
    if (gen !== this.gen) { this.api.deleteSession(s.id).catch(() => {}); return; }
    this.lrId = s.id;
    let prev = Infinity;
    let session = s;
    for (let r = 0; r < MAX_ROUNDS; r++) {
      session = await this.api.stepSession(s.id, { epochs: ROUND_EPOCHS });
      if (gen !== this.gen) return;
      const loss = session.metrics.train_loss;
      this.button.textContent = `Training… step ${session.step}`;
      if (!Number.isFinite(loss) || Math.abs(prev - loss) < 1e-4 * Math.max(1, loss)) break;
      prev = loss;
    }
    const info = ctx.info;
    const snap = await this.api.getSnapshot(s.id, info.G);
    if (gen !== this.gen) return;
    const transforms = cfg.transforms || null;
    this.result = {
      netIsLR: !(ctx.config.hidden_layers || []).length, task: info.task, metrics: snap.metrics, step: snap.step,
      inputs: session.inputs || transforms || cfg.features || [],
      curved: Boolean(transforms) && transforms.some((k) => !rawInputs().includes(k)), // bent by the transforms
    };
    this.button.textContent = 'Train again';
    this.button.disabled = false;
    this.body.hidden = false;
    this.paintLR(snap, info, ctx.points);
    this.paintPoints($('cmp-net-overlay'), info, ctx.points);
    this.render();
    this.scrollPending = true;
    this.onReady();
  }

  paintLR(snap, info, points) {
    const canvas = $('cmp-lr-map');
    const task = info.task;
    let channels;
    if (task === 'multiclass') channels = snap.output.map((rows) => toBytes(rows, 0, 1));
    else if (task === 'regression') {
      let lo = Infinity;
      let hi = -Infinity;
      for (const row of snap.output) for (const v of row) { if (v < lo) lo = v; if (v > hi) hi = v; }
      channels = [toBytes(snap.output, lo, hi > lo ? hi : lo + 1)];
    } else channels = [toBytes(snap.output, 0, 1)];
    if (info.oneD) {
      const m = channels[0];
      const range = task === 'regression' ? info.yScale : [0, 1];
      paintCurve(canvas, m.bytes, m.lo, m.hi, range[0], range[1], '#1d2330');
    } else paintOutput(canvas, channels, info, info.G);
    this.paintPoints($('cmp-lr-overlay'), info, points);
    if (!info.oneD && task === 'binary') {
      // its boundary: the straight line where P = 0.5
      const G = info.G;
      const values = new Float32Array(G * G);
      snap.output.forEach((row, i) => row.forEach((v, j) => { values[i * G + j] = v; }));
      const { ctx, w, h } = vectorContext($('cmp-lr-overlay'));
      strokeSegments(ctx, contour(values, G, 0.5), G, w, h, '#1d2330', 1.6);
    }
  }

  paintPoints(canvas, info, points) {
    const { ctx, w, h } = vectorContext(canvas);
    ctx.clearRect(0, 0, w, h);
    scatterOnMap(ctx, info, points && points.train, info.G, w, h, 1.6, 400);
  }

  /** A frame of the network (live or scrubbed): its map and accuracy beside the regression's. */
  draw(frame, grids, info) {
    if (!this.result || this.body.hidden || !info) return;
    this.netMetrics = frame.metrics || {};
    this.netStep = frame.step;
    const canvas = $('cmp-net-map');
    if (info.oneD) {
      const m = grids.output[0];
      const range = info.task === 'regression' ? info.yScale : [0, 1];
      paintCurve(canvas, m.bytes, m.lo, m.hi, range[0], range[1], '#1d2330');
    } else paintOutput(canvas, grids.output, info, info.G);
    this.render();
    if (this.scrollPending) {
      this.scrollPending = false;
      // bring it into view inside the output column only (never scroll the page)
      const col = this.body.closest('.col');
      if (col) {
        const r = this.body.getBoundingClientRect();
        const c = col.getBoundingClientRect();
        if (r.bottom > c.bottom) col.scrollTop += Math.min(r.bottom - c.bottom + 8, r.top - c.top);
      }
      // a column that grows with the page instead of scrolling: reveal it in the page
      const r = this.body.getBoundingClientRect();
      if (r.bottom > window.innerHeight) this.body.scrollIntoView({ block: 'nearest' });
    }
  }

  render() {
    const r = this.result;
    if (!r) return;
    const reg = r.task === 'regression';
    const fmt = (m) => {
      if (!m) return '…';
      if (reg) return `test loss ${fmtLoss(m.test_loss ?? m.train_loss)}`;
      const t = m.test_accuracy ?? m.train_accuracy;
      return `${m.test_accuracy !== null && m.test_accuracy !== undefined ? 'test' : 'train'} accuracy ${fmtPercent(t)}`;
    };
    $('cmp-lr-acc').textContent = fmt(r.metrics);
    $('cmp-net-acc').textContent = this.netMetrics ? `${fmt(this.netMetrics)} (step ${this.netStep})` : '…';
    const key = `${$('cmp-lr-acc').textContent}|${$('cmp-net-acc').textContent}`;
    if (key === this.verdictKey) return;
    this.verdictKey = key;
    $('cmp-verdict').textContent = this.verdict(reg);
  }

  verdict(reg) {
    const r = this.result;
    const names = r.inputs.map(transformLabel);
    const { curved } = r;
    const m = this.netMetrics;
    if (reg) {
      const shape = viewText('compare', names.length > 1 ? 'shape_plane' : 'shape_line');
      return viewText('compare', r.netIsLR ? 'verdict_regression_alone' : 'verdict_regression', { shape });
    }
    const score = (x) => (x ? (x.test_accuracy ?? x.train_accuracy) : null);
    const lr = score(r.metrics);
    const net = score(m);
    const head = viewText('compare', `head_${r.task}${curved ? '_curved' : ''}`, { inputs: names.join(', ') });
    if (r.netIsLR) return viewText('compare', `alone_${r.task}`, { head });
    if (net === null || lr === null) return head;
    if (lr >= net - 0.02) {
      if (lr >= 0.9) return viewText('compare', 'enough', { head, lr: fmtPercent(lr) });
      return viewText('compare', this.netStep < 50 ? 'no_better_early' : 'no_better', { head });
    }
    return viewText('compare', 'fails', { head, lr: fmtPercent(lr), net: fmtPercent(net) });
  }
}
