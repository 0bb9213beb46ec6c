// The frames of the current session: the latest live one, the one on show (live, or a peek
// at the past) and the one last drawn; and the decoding of the one on show into buffers
// reused from frame to frame (no garbage while running), with the drawing kit's decoder
// (maps.decodeMaps), passed in. And the reading of a binary frame (readFrame). Pure: no DOM.

/** Live, shown and drawn frames, and the shown frame's decoded maps; decodeMaps(maps, slots). */
export class FrameStore {
  constructor(decodeMaps) {
    this.decodeMaps = decodeMaps;
    this.slots = { output: [], neurons: [] }; // decoded bytes, reused
    this.clear();
  }

  /** A new session: no frame yet. */
  clear() {
    this.live = null;
    this.shown = null;
    this.drawn = null;
    this.decoded = null;
    this.dirty = false;
  }

  /** A live frame arrived. */
  setLive(frame) {
    this.live = frame;
  }

  /** Put `frame` on show (it is drawn on the next animation frame). */
  show(frame) {
    if (!frame) return;
    this.shown = frame;
    this.decoded = null; // the buffers are shared: decode again whatever was shown before
    this.dirty = true;
  }

  /** The shown frame's maps, decoded once: {output: [{lo, hi, bytes}], neurons: [[…]]}. */
  grids() {
    const f = this.shown;
    if (!f) return null;
    if (!this.decoded) {
      const n = this.slots.neurons;
      this.decoded = {
        output: this.decodeMaps(f.output, this.slots.output),
        neurons: f.neurons.map((layer, l) => this.decodeMaps(layer, n[l] || (n[l] = []))),
      };
    }
    return this.decoded;
  }

  /** The frame on show has been drawn. */
  markDrawn() {
    this.drawn = this.shown;
    this.dirty = false;
  }
}

/** What the views need to know of a session, from the stream's init message. */
export function describeInit(msg) {
  const g = msg.grid;
  const oneD = g.y === null || g.y === undefined;
  const ys = [...(msg.points.train.y || []), ...(msg.points.test.y || [])];
  let yScale = [0, 1];
  if (msg.network.task === 'regression' && ys.length) {
    yScale = [Math.min(...ys), Math.max(...ys)];
    if (yScale[0] === yScale[1]) yScale = [yScale[0] - 1, yScale[1] + 1];
  }
  return {
    G: g.size, g: g.neuron_size, x: g.x, y: g.y, features: g.features, oneD, yScale,
    task: msg.network.task, classes: msg.network.classes, activation: msg.network.activation,
    target: msg.model ? msg.model.target : null,
  };
}

/** The network inputs' maps of an init message, decoded with decodeMaps: [{name, lo, hi, bytes}]. */
export function inputMaps(msg, decodeMaps) {
  const maps = msg.input_maps || [];
  return decodeMaps(maps, []).map((m, k) => ({ name: maps[k].name, ...m }));
}

const UTF8 = new TextDecoder();

/**
 * A binary frame (an ArrayBuffer, laid out as app/training/framing.py and the README say) in
 * the JSON frame's shape: each map {lo, hi, shape, bytes} with bytes a Uint8Array view into
 * `buffer` (no copy), each layer's weights (rows of in×out) and bias as arrays of numbers.
 */
export function readFrame(buffer) {
  const n = new DataView(buffer).getUint32(0, true);
  const frame = JSON.parse(UTF8.decode(new Uint8Array(buffer, 4, n)));
  const base = 4 + n; // a multiple of 8: float64 views need no copy
  const map = (m) => (m ? { ...m, bytes: new Uint8Array(buffer, base + m.offset, m.shape[0] * m.shape[1]) } : m);
  const floats = (p) => new Float64Array(buffer, base + p.offset, p.shape.reduce((a, b) => a * b, 1));
  frame.layers = frame.layers.map(({ weights, bias }) => {
    const w = floats(weights);
    const cols = weights.shape[1];
    return {
      weights: Array.from({ length: weights.shape[0] }, (_, i) => Array.from(w.subarray(i * cols, (i + 1) * cols))),
      bias: Array.from(floats(bias)),
    };
  });
  frame.output = frame.output.map(map);
  frame.neurons = frame.neurons.map((layer) => layer.map(map));
  const hp = frame.hidden_points;
  if (hp) for (const k of Object.keys(hp)) hp[k] = hp[k].map(map);
  return frame;
}
