// The slow-motion step on the neuron card: the first press pauses training and shows, at the
// current weights, this neuron's gradient (the line after one step and arrows to it, and
// each weight's ∂loss/∂w with its value after the step) and its δ map; every further press
// is one training step, then the card shows the gradient at the new weights. The numbers
// are GET /gradient's (gradient-api.js), the words its `explanation`; the pictures
// gradient-plot.js's, the geometry gradient-model.js's. Test hooks: data-* on #card-slow.

import { $, el } from './dom.js';
import { fmtNum } from './format.js';
import { mappers } from './draw.js';
import { vectorContext } from './heatmap.js';
import { getGradient } from './gradient-api.js';
import { cutGeometry, magnified, neuronGradient, pushOf, sameLayers, stepGeometry, withNeuron, zoomFor } from './gradient-model.js';
import { drawStep, paintDelta } from './gradient-plot.js';
import { rawLine } from './card-model.js';

const DELTA_GRID = 40;

/** The slow-motion control; cb: sessionId() → id, step() (one training step), pause(), say(text), changed() (redraw the card). */
export class SlowMotion {
  constructor(cb) {
    this.cb = cb;
    this.active = false;
    this.g = null; // the gradient answer on show
    this.loading = false; // a request on its way
    this.tried = null; // the frame (and key) last asked for
    this.from = null; // the step a press stepped from, until the next step's frame is on show
    this.cls = 1; // the class the δ map assumes (binary: the second class)
    this.root = $('card-slow');
    this.button = $('card-slow-btn');
    this.button.addEventListener('click', () => this.press());
    $('card-slow-leave').addEventListener('click', () => this.leave());
  }

  /** An init message: a new session leaves slow motion; the same one again (a reconnect) keeps it. */
  reset() {
    if (this.active && this.sid === this.cb.sessionId()) { this.g = null; this.tried = null; this.from = null; return; }
    this.leave();
  }

  /** The button: the first press enters slow motion (pausing), every further press is one step. */
  press() {
    if (!this.active) {
      this.active = true;
      this.settling = true; // frames of the run being paused may still come
      this.sid = this.cb.sessionId();
      this.cb.pause();
      this.cb.changed();
      return;
    }
    this.from = this.g ? this.g.step : null; // wait for the next step's frame
    this.cb.step();
    this.cb.changed();
  }

  leave() {
    if (!this.active && !this.g) return;
    this.active = false;
    this.g = null;
    this.from = null;
    this.root.dataset.ready = 'false';
    this.cb.changed();
  }

  /** The key of the answer the card needs: step and the hidden layer whose maps it shows. */
  key(frame, card) {
    const hidden = card.net.sizes.length - 2;
    const out = card.neuron.isOutput;
    const layer = out ? (hidden ? 1 : null) : card.ref.layer;
    const neuron = out ? 0 : card.ref.index; // an output's card shows no δ map: the least to send
    return { step: frame.step, layer, neuron, text: `${frame.step}:${layer}:${neuron}` };
  }

  /** Whether answer g is of the frame on show (its step and weights) and of this card's key. */
  fits(g, frame, k) {
    return Boolean(g) && g.key === k.text && g.step === frame.step && sameLayers(g.layers, frame.layers);
  }

  /** Fetch the gradient the frame on show needs, unless it is on show or on its way (one at a time). */
  sync(frame, card) {
    if (!this.active || !frame || frame.peek) return;
    if (frame.status === 'running') { // played again: no more slow motion
      if (!this.settling) this.leave();
      return;
    }
    this.settling = false;
    if (this.from !== null && frame.step === this.from && frame.status !== 'diverged') return;
    this.from = null;
    const k = this.key(frame, card);
    if (this.loading || this.fits(this.g, frame, k)) return;
    if (this.tried === frame && this.triedKey === k.text) return; // asked once for this frame
    const id = this.cb.sessionId();
    if (!id) return;
    Object.assign(this, { loading: true, tried: frame, triedKey: k.text });
    const q = k.layer === null ? DELTA_GRID : `${DELTA_GRID}&layer=${k.layer}&neuron=${k.neuron}`;
    getGradient(id, q)
      .then((g) => { if (this.active) this.g = { ...g, key: k.text }; })
      .catch((e) => this.cb.say(e.message))
      .finally(() => { this.loading = false; this.cb.changed(); });
  }

  /**
   * Draw for card = {ref, neuron, info, net, model, p, names, frame, past, G (its map's cells)}
   * on the card's overlay (already holding the line now): the step, the numbers, the δ map.
   */
  render(card, overlay) {
    const on = this.active && !card.past;
    this.root.classList.toggle('on', on);
    $('card').classList.toggle('slow', on && !card.neuron.isOutput); // the δ map takes the parameters' place
    this.button.textContent = this.button.dataset[this.active ? 'next' : 'enter'];
    $('card-slow-leave').hidden = !this.active;
    this.root.hidden = !on;
    const fig = $('card-delta-fig');
    fig.hidden = !on || card.neuron.isOutput;
    if (!on) return;
    this.sync(card.frame, card);
    const g = this.from === null && this.fits(this.g, card.frame, this.key(card.frame, card)) ? this.g : null;
    this.button.disabled = !g;
    this.root.dataset.ready = g ? 'true' : 'false';
    $('card-slow-status').textContent = g ? `step ${g.step.toLocaleString('en-US')}` : '…';
    if (!g) return;
    const n = neuronGradient(g, card.ref);
    Object.assign(this.root.dataset, {
      step: String(g.step), eta: String(g.learning_rate), optimizer: g.optimizer,
      dw: JSON.stringify(n.grad.w), db: String(n.grad.b), now: JSON.stringify(n.now), next: JSON.stringify(n.next),
    });
    const line = card.ref.layer === 1 ? this.drawLines(card, overlay, n) : null;
    $('card-slow-what').textContent = line ? g.explanation.line : g.explanation.weights;
    $('card-slow-zoom').textContent = line && line.zoom > 1 ? this.root.dataset.zoomText.replaceAll('{m}', String(line.zoom)) : '';
    this.table(card, n);
    $('card-slow-step-note').textContent = g.explanation.step;
    if (card.neuron.isOutput) $('card-slow-delta').textContent = '';
    else this.drawDelta(card, g);
  }

  /** A first-layer neuron: the line after the step (magnified when it moves under a few px) and arrows to it. */
  drawLines(card, overlay, n) {
    if (!n.next) return null;
    const { info, model, net, ref } = card;
    const lineOf = (neuron) => rawLine(model, withNeuron(card.p, ref.index, neuron), ref.index, net.inputs, info.features);
    const now = lineOf(n.now);
    if (!now) return null;
    const { ctx, w, h } = vectorContext(overlay); // the size the line now was drawn at
    const mp = mappers(info, card.G, w, h);
    const geometry = (m) => {
      const next = lineOf(magnified(n.now, n.next, m));
      return info.oneD ? cutGeometry(now, next, mp, h) : stepGeometry(now, next, mp, w, h);
    };
    const zoom = zoomFor((m) => { const geo = geometry(m); return geo && geo.arrows; });
    const geo = geometry(zoom);
    Object.assign(this.root.dataset, {
      lineNow: JSON.stringify(now), lineNext: JSON.stringify(lineOf(n.next)),
      lineDrawn: JSON.stringify(lineOf(magnified(n.now, n.next, zoom))), zoom: String(zoom),
      arrows: JSON.stringify(geo ? geo.arrows : []), size: JSON.stringify([w, h]),
      box: JSON.stringify([mp.x0, mp.x1, mp.y0, mp.y1]),
    });
    if (geo) drawStep(ctx, geo, h, info.oneD);
    return { zoom };
  }

  /** Each parameter: its value, ∂loss/∂ it and its value after the step. */
  table(card, n) {
    const body = $('card-slow-rows');
    body.replaceChildren();
    const row = (name, v, d, next) => {
      const tr = el('tr', '', body);
      el('th', '', tr, name);
      for (const x of [v, d, next]) el('td', '', tr, x === null ? '–' : fmtNum(x));
    };
    n.now.w.forEach((v, i) => row(`w${i + 1} · ${card.names[i]}`, v, n.grad.w[i], n.next ? n.next.w[i] : null));
    row('bias b', n.now.b, n.grad.b, n.next ? n.next.b : null);
  }

  /** The δ map of the class chosen (its buttons), or the δ dots of a regression. */
  drawDelta(card, g) {
    const classes = g.delta_classes;
    const box = $('card-delta-classes');
    if (classes && this.cls >= classes.length) this.cls = classes.length - 1;
    box.replaceChildren();
    if (classes) {
      el('span', 'hint', box, box.dataset.label);
      classes.forEach((c, k) => {
        const b = el('button', k === this.cls ? 'on' : '', box, c);
        b.type = 'button';
        b.setAttribute('aria-pressed', String(k === this.cls));
        b.addEventListener('click', () => { this.cls = k; this.cb.changed(); });
      });
    }
    const push = pushOf(g, card.ref, classes ? this.cls : 0);
    paintDelta($('card-delta'), $('card-delta-overlay'), push, g.grid, g.points, classes ? this.cls : null);
    const cap = $('card-delta-caption');
    cap.textContent = cap.dataset[card.info.oneD ? 'scale1d' : 'scale'].replaceAll('{M}', fmtNum(push.M));
    $('card-slow-delta').textContent = g.explanation.delta;
    this.root.dataset.deltaMax = String(push.M);
  }
}
