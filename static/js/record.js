// The run's record as the stream tells it: the history (init's, then each history message:
// metrics per recorded step and the checkpoint steps) and, while playing, the metrics of
// every live frame since and the checkpoints frames carry. Pure: no DOM.

const TAIL_MAX = 4000; // live frames kept past the history; thinned beyond
const COLUMNS = ['steps', 'train_loss', 'test_loss', 'train_accuracy', 'test_accuracy'];

/** History plus the live frames since it. */
export class RunRecord {
  constructor() {
    this.setHistory(null);
  }

  /** A history ({steps, train_loss, …, checkpoints}, as GET /history answers) replaces the record. */
  setHistory(h) {
    this.history = h || { steps: [], train_loss: [], test_loss: [], checkpoints: [] };
    this.checkpoints = this.history.checkpoints || [];
    this.tail = [];
  }

  /** The last step recorded. */
  lastStep() {
    if (this.tail.length) return this.tail[this.tail.length - 1].step;
    const s = this.history.steps;
    return s.length ? s[s.length - 1] : -1;
  }

  /** A live frame: its checkpoints, and its metrics if it is a step past the record. */
  frame(f) {
    if (Array.isArray(f.checkpoints)) this.checkpoints = f.checkpoints;
    if (f.step <= this.lastStep()) return;
    this.tail.push({ step: f.step, metrics: f.metrics || {} });
    if (this.tail.length > TAIL_MAX) this.tail = this.tail.filter((_, i) => i % 2 === 1);
  }

  /** The record as CSV text: step, the losses and (for classification) the accuracies. */
  csv() {
    const h = this.history;
    const cols = COLUMNS.filter((c) => Array.isArray(h[c]));
    const lines = [cols.map((c) => (c === 'steps' ? 'step' : c)).join(',')];
    const cell = (v) => (v === null || v === undefined ? '' : v);
    for (let i = 0; i < h.steps.length; i++) lines.push(cols.map((c) => cell(h[c][i])).join(','));
    for (const t of this.tail) lines.push(cols.map((c) => cell(c === 'steps' ? t.step : t.metrics[c])).join(','));
    return `${lines.join('\n')}\n`;
  }
}
