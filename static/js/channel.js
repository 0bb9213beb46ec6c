// The one channel of live work: a session's stream. Controls go out through named methods;
// messages come in and go to the handlers registered for their type ('init', 'frame',
// 'peek' — a frame marked peek —, 'history', 'error'). Editing the weights goes over it too,
// and so does the view: which maps the page draws, so that the server builds only those.

import { Stream } from './stream.js';

/** The stream of the current session; `onState(state, reason)` follows the connection. */
export class Channel {
  constructor({ onState, format, role }) {
    this.handlers = new Map();
    this.edits = []; // set_parameters waiting for their frame: [resolve, reject]
    this.viewSpec = null; // the last view asked for this session (null: every map)
    const state = (s, info) => {
      if (s === 'open' && this.viewSpec) this.stream.send({ type: 'view', ...this.viewSpec }); // a new socket starts from every map
      if (onState) onState(s, info);
    };
    this.stream = new Stream({ onMessage: (msg) => this.dispatch(msg), onState: state, format, role });
  }

  /** Call `fn(msg)` for every message of `type`. */
  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, []);
    this.handlers.get(type).push(fn);
    return this;
  }

  dispatch(msg) {
    const type = msg.type === 'frame' && msg.peek ? 'peek' : msg.type;
    if (type === 'frame' || type === 'error') this.settle(type === 'error' ? new Error(describe(msg.detail)) : null);
    for (const fn of this.handlers.get(type) || []) fn(msg);
  }

  /** Answer the waiting edits: a frame confirms them, an error refuses them. */
  settle(error) {
    for (const [resolve, reject] of this.edits.splice(0)) if (error) reject(error); else resolve();
  }

  /** Stream session `id` (closing the previous one). */
  connect(id) {
    this.settle(null);
    this.viewSpec = null; // a new network: every map until the page says otherwise
    this.stream.connect(id);
  }

  send(msg) { this.stream.send(msg); }

  play(speed, unit) { this.send({ type: 'play', speed, unit }); }

  pause() { this.send({ type: 'pause' }); }

  step(steps = 1) { this.send({ type: 'step', steps }); }

  reset() { this.send({ type: 'reset' }); }

  rewind(step) { this.send({ type: 'rewind', step }); }

  peek(step) { this.send({ type: 'peek', step }); }

  /**
   * Draw only these maps: spec {output: cells per side of the output map (0: none; default
   * 100), neurons: 'all' | 'none' | [{layer, index}] (layer 1 = first hidden; default 'all'),
   * neuron_size: cells per side of each neuron map (default 64), hidden_points: bool
   * (default true)}; omitted keys take their defaults. Kept for reconnects of this session;
   * connect() forgets it. A map not in the view is null in frame.neurons (output: []).
   */
  view(spec) {
    this.viewSpec = { ...spec };
    this.send({ type: 'view', ...this.viewSpec });
  }

  /** The owner lets the session's watchers control it (or stops letting them). */
  share(allowControl) { this.send({ type: 'share', allow_control: allowControl }); }

  /** New hyperparameters, the weights untouched. */
  set(hyperparameters) { this.send({ type: 'set', ...hyperparameters }); }

  /** Every weight and bias ([{weights, bias}], hidden layers then output); resolves with the frame that shows them. */
  setParameters(layers) {
    this.send({ type: 'set_parameters', layers: layers.map((l) => ({ weights: l.weights, bias: l.bias })) });
    return new Promise((resolve, reject) => this.edits.push([resolve, reject]));
  }
}

/** An error message's detail as text. */
export function describe(detail) {
  if (detail === undefined || detail === null || detail === '') return 'The server refused a control.';
  return typeof detail === 'string' ? detail : JSON.stringify(detail);
}
