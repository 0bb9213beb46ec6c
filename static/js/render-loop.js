// One requestAnimationFrame loop draws the frame on show, never on a message's arrival: the
// diagram, the output map (with the hovered neuron), the card, the comparison, the symmetry
// notice, the explanatory views, the loss chart, then the metrics and counters.

import { $ } from './dom.js';
import { fmtMetric } from './format.js';

const FOOTER_MS = 250; // how often the footer's draw time is rewritten

/** The loop; parts: network, output, card, compare, symmetry, views, chart, controls; info() → the session's info; formula(ref) → text. */
export class RenderLoop {
  constructor({ frames, info, formula, ...parts }) {
    Object.assign(this, { frames, info, formula, parts });
    this.hover = null;
    this.hoverDirty = false;
    this.ms = null; // the last draw's time
    this.times = { decode: 0, network: 0, output: 0, inspect: 0, views: 0, chart: 0 };
    this.metricsText = '';
    this.lastFooter = 0;
    this.footer = $('draw-ms');
  }

  /** The neuron under the pointer ({layer, index} or null). */
  setHover(ref) {
    this.hover = ref;
    this.hoverDirty = true;
  }

  /** Draw the output again on the next animation frame (its options changed). */
  repaint() {
    this.hoverDirty = true;
  }

  start() {
    const tick = (now) => { requestAnimationFrame(tick); this.draw(now); };
    requestAnimationFrame(tick);
  }

  draw(now) {
    const { frames, parts, times } = this;
    const fresh = frames.dirty;
    const info = this.info();
    if (!(fresh || this.hoverDirty || parts.chart.dirty) || !info) return;
    const t0 = performance.now();
    const f = frames.shown;
    if (f && (fresh || this.hoverDirty)) {
      const grids = frames.grids();
      const t1 = performance.now();
      if (fresh) parts.network.draw(f, grids, info);
      const t2 = performance.now();
      parts.output.draw(f, grids, this.hover, this.formula(this.hover));
      const t3 = performance.now();
      if (fresh) {
        parts.card.update(f, grids);
        parts.compare.draw(f, grids, info);
        parts.symmetry.update(f);
      }
      const t4 = performance.now();
      if (fresh) parts.views.draw(f, grids);
      Object.assign(times, { decode: t1 - t0, network: t2 - t1, output: t3 - t2, inspect: t4 - t3, views: performance.now() - t4 });
    }
    const t5 = performance.now();
    parts.chart.draw();
    times.chart = performance.now() - t5;
    this.ms = performance.now() - t0; // the draw; the metrics' text is written after
    if (f && fresh) {
      this.showMetrics(f);
      frames.markDrawn();
    }
    this.hoverDirty = false;
    if (now - this.lastFooter > FOOTER_MS) {
      this.lastFooter = now;
      this.footer.textContent = this.ms.toFixed(2);
    }
  }

  showMetrics(f) {
    const m = f.metrics || {};
    const text = [m.train_loss, m.test_loss, m.train_accuracy, m.test_accuracy, f.step, f.epoch].join();
    if (text === this.metricsText) return;
    this.metricsText = text;
    $('m-train-loss').textContent = fmtMetric(m.train_loss);
    $('m-test-loss').textContent = fmtMetric(m.test_loss);
    $('m-train-acc').textContent = fmtMetric(m.train_accuracy, true);
    $('m-test-acc').textContent = fmtMetric(m.test_accuracy, true);
    this.parts.controls.setCounters(f.step, f.epoch);
  }
}
