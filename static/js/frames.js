// The frames of the current session: the latest live one, the one on show (live, or a peek
// at the past) and the one last drawn; and the decoding of the one on show into buffers
// reused from frame to frame (no garbage while running), with the drawing kit's decoder
// (maps.decodeMaps), passed in. Pure: no DOM.

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
