// Wiring: state ⇄ URL hash, controls → sessions API and stream, stream → latest frame,
// and one requestAnimationFrame loop that draws the latest frame (never on message arrival).

import * as api from './api.js';
import { Stream } from './stream.js';
import { parseHash, toHash, sessionConfig, hyperparameters, TRANSFORMS, SPEEDS } from './state.js';
import { decodeGrid } from './heatmap.js';
import { NetworkView, fmtNum } from './network.js';
import { OutputView } from './output.js';
import { LossChart } from './chart.js';
import { Controls } from './controls.js';
import { DataPanel } from './data.js';
import { Timeline } from './timeline.js';
import { NeuronCard } from './card.js';
import { Compare } from './compare.js';
import { SymmetryNotice, withNoise } from './symmetry.js';
import * as views from './views.js';

const LIMITS = { maxLayers: 6, maxNeurons: 32 };
const $ = (id) => document.getElementById(id);
const iconBase = new URL('../icons/datasets/', import.meta.url);

let state = parseHash(location.hash);
let dataset = null; // the Dataset the session trains on
let datasetKey = ''; // what produced it (generator spec, or 'csv:<id>')
let csvFile = null; // the uploaded File, kept to upload again with another target
let session = null; // the Session (from the API, then from the stream's init)
let init = null; // the stream's init message for the current session
let latest = null; // the frame on show: the latest live one, or a peek at the past
let live = null; // the latest live (not peek) frame
let drawn = null; // the frame last drawn (for tests: the canvases show it)
let frameDirty = false;
let hover = null;
let hoverDirty = false;
let running = false;
let wantPlay = false;
let divergedShown = false;
let rebuildSeq = 0;
let rebuildTimer = 0;
const garbage = []; // generated datasets to delete once no session uses them

// ---------------------------------------------------------------- messages

const messages = $('messages');

/** Show a message on the page ('error' stays until closed; 'info' fades). */
function say(text, kind = 'error') {
  const box = document.createElement('div');
  box.className = `msg ${kind}`;
  const p = document.createElement('span');
  p.textContent = text;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'msg-close';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  close.addEventListener('click', () => box.remove());
  box.append(p, close);
  for (const old of messages.querySelectorAll('.msg')) if (old.firstChild.textContent === text) old.remove();
  messages.appendChild(box);
  while (messages.children.length > 3) messages.firstChild.remove();
  if (kind !== 'error') setTimeout(() => box.remove(), 6000);
  return box;
}

window.addEventListener('unhandledrejection', (e) => {
  e.preventDefault();
  say(e.reason && e.reason.message ? e.reason.message : String(e.reason));
});

// ---------------------------------------------------------------- views

const network = new NetworkView($('network'), {
  onHover: (ref) => { hover = ref; hoverDirty = true; },
  onSelect: (ref) => openCard(ref),
  onToggleInput: (key, on) => {
    const next = on ? [...new Set([...state.inputs, key])] : state.inputs.filter((k) => k !== key);
    if (!next.length) {
      say('The network needs at least one input.', 'info');
      buildDiagram();
      return;
    }
    state.inputs = TRANSFORMS.map(([k]) => k).filter((k) => next.includes(k));
    changed('session');
  },
  onNeurons: (h, d) => {
    state.layers[h] = Math.max(1, Math.min(LIMITS.maxNeurons, state.layers[h] + d));
    changed('session');
  },
});

const output = new OutputView({ map: $('output-map'), overlay: $('output-overlay'), caption: $('output-caption'), scale: $('output-scale') });
const chart = new LossChart($('loss-chart'));

const stream = new Stream({
  onMessage,
  onState: (st, info) => {
    const el = $('conn-status');
    el.dataset.state = st;
    el.textContent = { connecting: 'connecting…', open: 'live', closed: 'disconnected', retrying: 'reconnecting…' }[st] || st;
    if (info && st === 'closed') say(info);
  },
});

const controls = new Controls({
  onPlay: () => togglePlay(),
  onStep: () => step(),
  onReset: () => reset(),
  onSpeed: (level, unit) => {
    state.speed = level;
    state.unit = unit;
    saveHash();
    if (running) play();
  },
  onHyper: (name, v) => {
    state[name] = v;
    saveHash();
    if (session) stream.send({ type: 'set', ...hyperparameters(state) });
  },
  onArch: (name, v) => {
    state[name] = v;
    changed('session');
  },
  onLayers: (d) => {
    if (d > 0 && state.layers.length < LIMITS.maxLayers) state.layers.push(state.layers.length ? state.layers[state.layers.length - 1] : 4);
    if (d < 0) state.layers.pop();
    changed('session');
  },
  onToggle: (name, v) => {
    state[name] = v;
    saveHash();
    output.setOptions({ showTest: state.showTest, discretize: state.disc });
    hoverDirty = true;
  },
  onExport: (kind) => exportAs(kind).catch((e) => say(e.message)),
});

const data = new DataPanel({
  onKind: (kind) => {
    if (kind === state.data) return;
    state.data = kind;
    state.ds = '';
    state.feat = [];
    state.view = [];
    changed('data');
  },
  onParam: (name, v) => {
    state[name] = v;
    changed(name === 'test' || name === 'seed' ? 'session' : 'data');
  },
  onFile: (file) => upload(file),
  onColumns: (choice) => applyColumns(choice).catch((e) => say(e.message)),
}, (kind) => new URL(`${kind}.svg`, iconBase).href);

// ---------------------------------------------------------------- state changes

function saveHash() {
  const h = `#${toHash(state)}`;
  if (location.hash !== h) history.replaceState(null, '', h);
}

/** Something changed: reflect it, save it in the hash, and rebuild the session if needed. */
function changed(what) {
  saveHash();
  render();
  if (what === 'data' || what === 'session') {
    buildDiagram();
    scheduleRebuild();
  }
}

function render() {
  controls.render(state, LIMITS);
  data.render(state);
  output.setOptions({ showTest: state.showTest, discretize: state.disc });
}

window.addEventListener('hashchange', () => {
  const before = state;
  state = parseHash(location.hash);
  const keys = (s) => JSON.stringify([s.data, s.ds, s.n, s.noise, s.classes, s.test, s.seed, s.layers, s.act, s.init, s.iv, s.inputs, s.feat, s.view]);
  render();
  if (keys(before) !== keys(state)) { buildDiagram(); scheduleRebuild(0); } else if (session) stream.send({ type: 'set', ...hyperparameters(state) });
});

function nFeatures() {
  if (!dataset) return state.data === 'csv' ? state.feat.length : (['interval', 'sine', 'step', 'abs', 'cubic', 'bump'].includes(state.data) ? 1 : 2);
  return (state.data === 'csv' && state.feat.length ? state.feat : dataset.features).length;
}

/** Draw the diagram's shape from the state (before the server confirms it). */
function buildDiagram(order) {
  const twoD = nFeatures() === 2;
  const feats = dataset ? (state.data === 'csv' && state.feat.length ? state.feat : dataset.features) : ['x1', 'x2'];
  const isCsv = state.data === 'csv';
  const label = (l) => (isCsv && twoD ? l.replace('x₁', feats[0]).replace('x₂', feats[1]) : l);
  const inputs = twoD
    ? TRANSFORMS.map(([key, l]) => ({ key, label: label(l), active: state.inputs.includes(key), toggle: true }))
    : feats.map((f) => ({ key: f, label: f, active: true, toggle: false }));
  let outputs = ['output'];
  if (dataset && dataset.task === 'classification' && dataset.classes) {
    outputs = dataset.classes.length > 2 ? dataset.classes.slice() : [`P(${dataset.classes[1]})`];
  } else if (dataset && dataset.task === 'regression') outputs = [dataset.target];
  network.build({ inputs, hidden: state.layers.slice(), outputs, editable: true, inputOrder: order || null, maxNeurons: LIMITS.maxNeurons });
  const n = state.layers.length;
  $('net-explainer').textContent = n === 0
    ? 'No hidden layer: the output neuron is a logistic regression on the inputs, a weighted sum plus a bias, squashed by a sigmoid. Its boundary is a straight line in the inputs. Add a layer to see what more neurons do.'
    : 'Each hidden neuron is a logistic regression on its inputs (a weighted sum plus a bias, squashed); its small map shows its output over the input plane. The output neuron is a logistic regression on the last hidden layer’s outputs, where the classes become separable by a line. Hover a neuron to see it large; click it for its card (formula, line, editable weights). Hover a link or a bias for its value.';
}

function scheduleRebuild(delay = 180) {
  clearTimeout(rebuildTimer);
  rebuildTimer = setTimeout(() => rebuild().catch((e) => say(e.message)), delay);
}

async function ensureDataset() {
  if (state.data === 'csv') {
    if (dataset && datasetKey === `csv:${state.ds}`) return dataset;
    const ds = await api.getDataset(state.ds);
    dataset = ds;
    datasetKey = `csv:${ds.id}`;
    data.showDataset(ds, { features: state.feat, view: state.view }, Boolean(csvFile));
    return ds;
  }
  const spec = { kind: state.data, n: state.n, noise: state.noise, seed: state.seed };
  if (state.data === 'blobs') spec.classes = state.classes;
  const key = JSON.stringify(spec);
  if (dataset && datasetKey === key) return dataset;
  const ds = await api.generateDataset(spec);
  if (dataset && !datasetKey.startsWith('csv:')) garbage.push(dataset.id);
  dataset = ds;
  datasetKey = key;
  return ds;
}

/** Create a session for the current state, stream it, and drop the old one. */
async function rebuild() {
  const seq = ++rebuildSeq;
  const ds = await ensureDataset();
  if (seq !== rebuildSeq) return;
  buildDiagram();
  let s;
  try {
    s = await api.createSession(sessionConfig(state, ds));
  } catch (e) {
    say(`The network could not be built: ${e.message}`);
    return;
  }
  if (seq !== rebuildSeq) { api.deleteSession(s.id).catch(() => {}); return; }
  const old = session;
  wantPlay = running;
  session = s;
  init = null;
  latest = null;
  live = null;
  divergedShown = false;
  chart.reset();
  leavePast();
  compare.sessionChanged();
  stream.connect(s.id);
  setRunning(false);
  if (old) await api.deleteSession(old.id).catch(() => {});
  while (garbage.length) await api.deleteDataset(garbage.pop()).catch(() => {});
}

// ---------------------------------------------------------------- CSV

async function upload(file) {
  const note = say(`Uploading ${file.name}…`, 'info');
  let ds;
  try {
    ds = await api.uploadDataset(file, { name: file.name });
  } catch (e) {
    say(`${file.name}: ${e.message}`);
    return;
  } finally {
    note.remove();
  }
  csvFile = file;
  dataset = null;
  state.data = 'csv';
  state.ds = ds.id;
  state.feat = ds.features.slice();
  state.view = ds.features.length > 2 ? ds.features.slice(0, 2) : [];
  dataset = ds;
  datasetKey = `csv:${ds.id}`;
  data.showDataset(ds, { features: state.feat, view: state.view }, true);
  if (!ds.features.length) {
    say(`${file.name} has no numeric column to use as a feature besides the target.`);
    render();
    return;
  }
  changed('data');
}

async function applyColumns(choice) {
  if (!choice.features.length) { say('Choose at least one feature.'); return; }
  let ds = dataset;
  const taskChanged = choice.task !== 'auto' && choice.task !== ds.task;
  if (choice.target !== ds.target || taskChanged) {
    if (!csvFile) { say('To change the target or the task, upload the file again.'); return; }
    ds = await api.uploadDataset(csvFile, { name: csvFile.name, target: choice.target, task: choice.task });
    dataset = ds;
    datasetKey = `csv:${ds.id}`;
    state.ds = ds.id;
  }
  state.data = 'csv';
  state.feat = choice.features.filter((f) => ds.features.includes(f));
  state.view = state.feat.length > 2 ? choice.view : [];
  data.showDataset(ds, { features: state.feat, view: state.view }, Boolean(csvFile));
  changed('data');
}

// ---------------------------------------------------------------- training

function setRunning(r) {
  running = r;
  controls.setRunning(r);
}

function play() {
  if (!session) return;
  backToLive();
  divergedShown = false;
  stream.send({ type: 'play', speed: SPEEDS[state.speed], unit: state.unit });
  setRunning(true);
}

function togglePlay() {
  if (running) {
    stream.send({ type: 'pause' });
    setRunning(false);
    refreshTimeline();
  } else play();
}

function step() {
  if (!session) return;
  backToLive();
  if (running) { stream.send({ type: 'pause' }); setRunning(false); }
  stream.send({ type: 'step', steps: 1 });
}

function reset() {
  if (!session) return;
  backToLive();
  stream.send({ type: 'reset' });
  if (!running) refreshTimeline();
  chart.reset();
  divergedShown = false;
}

function onMessage(msg) {
  if (msg.type === 'init') {
    init = msg;
    session = msg.session;
    const g = msg.grid;
    const oneD = g.y === null || g.y === undefined;
    const ys = [...(msg.points.train.y || []), ...(msg.points.test.y || [])];
    let yScale = [0, 1];
    if (msg.network.task === 'regression' && ys.length) {
      yScale = [Infinity, -Infinity];
      for (const v of ys) { if (v < yScale[0]) yScale[0] = v; if (v > yScale[1]) yScale[1] = v; }
      if (yScale[0] === yScale[1]) yScale = [yScale[0] - 1, yScale[1] + 1];
    }
    init.info = { G: g.size, g: g.neuron_size, x: g.x, y: g.y, features: g.features, oneD, task: msg.network.task, classes: msg.network.classes, activation: msg.network.activation, yScale, target: dataset ? dataset.target : null };
    buildDiagram(msg.network.inputs);
    network.setInputMaps((msg.input_maps || []).map((m) => ({ name: m.name, lo: m.lo, hi: m.hi, bytes: decodeGrid(m.data) })), g.neuron_size, oneD);
    if (!oneD) network.prepare(g.neuron_size, g.size);
    output.setup(init.info, msg.points);
    chart.setHistory(msg.history);
    $('output-explainer').textContent = explainOutput(init.info);
    for (const e of document.querySelectorAll('.acc')) e.hidden = msg.network.task === 'regression';
    const st = session.status;
    setRunning(st === 'running');
    controls.setCounters(session.step, session.epoch);
    if (wantPlay && st !== 'running') { wantPlay = false; play(); }
    timeline.setHistory(msg.history, session.step);
    card.setup(init.info, msg.network, msg.points);
    compare.setup(init.info);
    const id = session.id;
    api.getModel(id).then((m) => { if (session && session.id === id) card.setModel(m); }).catch(() => {});
    views.setup(init, { api, sessionId: session.id, say, highlight: (ref) => { hover = ref; hoverDirty = true; } });
    return;
  }
  if (msg.type === 'frame' && msg.peek) {
    onPeekFrame(msg);
    return;
  }
  if (msg.type === 'frame') {
    live = msg;
    for (const f of frameWaiters.splice(0)) f(msg);
    if (rewinding !== null && msg.step === rewinding) arrivedAfterRewind();
    timeline.setNow(msg.step);
    if (timeline.viewing === null) show(msg);
    const m = msg.metrics || {};
    chart.push(msg.step, m.train_loss ?? null, m.test_loss ?? null);
    if (msg.status === 'diverged') {
      setRunning(false);
      if (!divergedShown) {
        divergedShown = true;
        say(msg.message ? `Training diverged: ${msg.message}` : 'Training diverged (the loss became infinite). Lower the learning rate, then reset.');
      }
    } else if ((msg.status === 'running') !== running) setRunning(msg.status === 'running');
    return;
  }
  if (msg.type === 'error') peekBusy = false;
  if (msg.type === 'error') say(msg.detail ? String(typeof msg.detail === 'string' ? msg.detail : JSON.stringify(msg.detail)) : 'The server refused a control.');
}

// ---------------------------------------------------------------- the timeline

// While the timeline shows the past, `latest` is the peek frame and live frames only update
// `live` (and the loss chart): they never overwrite the view. Training is paused on a grab.
let peekBusy = false;
let peekWanted = null;
let peekTimer = 0;
let rewinding = null; // the step a "continue from here" rewinds to, until its frame arrives
let rewindTimer = 0;
const frameWaiters = []; // resolved with the next live frame

/** Show a frame (live or a peek) through the one path every view follows. */
function show(frame) {
  frame.decoded = null; // decoded grids live in shared buffers: decode again when shown again
  latest = frame;
  frameDirty = true;
  views.frame(frame);
}

function nextLiveFrame(timeout) {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(null), timeout);
    frameWaiters.push((f) => { clearTimeout(t); resolve(f); });
  });
}

/** The user grabbed the scrubber: pause, then read the checkpoints. */
async function grabTimeline() {
  if (!session) return;
  if (running) {
    stream.send({ type: 'pause' });
    setRunning(false);
    for (let k = 0; k < 20; k++) {
      const f = await nextLiveFrame(1000);
      if (!f || f.status !== 'running') break;
    }
  }
  const id = session.id;
  const h = await api.getHistory(id).catch(() => null);
  if (!h || !session || session.id !== id) return;
  timeline.setHistory(h, h.steps.length ? h.steps[h.steps.length - 1] : (live ? live.step : 0));
}

/** After a pause: the checkpoints once the last running frame is in. */
async function refreshTimeline() {
  for (let k = 0; k < 20; k++) {
    const f = await nextLiveFrame(1000);
    if (!f || f.status !== 'running') break;
  }
  if (timeline.viewing === null && !running) await grabTimeline();
}

function requestPeek(step) {
  peekWanted = step;
  if (peekBusy) return;
  peekBusy = true;
  stream.send({ type: 'peek', step });
  clearTimeout(peekTimer);
  peekTimer = setTimeout(() => { peekBusy = false; }, 3000);
}

function onPeekFrame(msg) {
  peekBusy = false;
  clearTimeout(peekTimer);
  if (timeline.viewing === null) return; // back to live meanwhile
  if (peekWanted !== null && peekWanted !== msg.step) requestPeek(peekWanted);
  show(msg);
  card.setPast(true);
}

/** Leave the past without a word to the server (a rebuild, a rewind's frame). */
function leavePast() {
  timeline.leave();
  peekWanted = null;
  chart.setMarker(null);
  card.setPast(false);
}

/** Back to the live network (play, step, reset, or the "now" button). */
function backToLive() {
  if (timeline.viewing === null) return;
  leavePast();
  if (live) show(live);
}

function arrivedAfterRewind() {
  rewinding = null;
  clearTimeout(rewindTimer);
  leavePast();
  const id = session && session.id;
  if (id) api.getHistory(id).then((h) => { if (session && session.id === id) { timeline.setHistory(h, h.steps[h.steps.length - 1]); chart.setHistory(h); } }).catch(() => {});
}

const timeline = new Timeline({
  onGrab: () => grabTimeline(),
  onPeek: (step) => { chart.setMarker(step); card.setPast(true); requestPeek(step); },
  onLive: () => { leavePast(); if (live) show(live); },
  onContinue: (step) => {
    rewinding = step;
    stream.send({ type: 'rewind', step });
    clearTimeout(rewindTimer);
    rewindTimer = setTimeout(() => { if (rewinding !== null) { rewinding = null; backToLive(); } }, 4000);
  },
});

// ---------------------------------------------------------------- the neuron card

const card = new NeuronCard({
  nodeName: (L, i) => network.nodeName(L, i),
  onClose: () => {
    network.setSelected(null);
    $('columns').classList.remove('card-open');
  },
  onEditStart: () => {
    if (running) { stream.send({ type: 'pause' }); setRunning(false); }
  },
  onEdit: (layers) => (session ? api.setParameters(session.id, layers).catch((e) => say(e.message)) : Promise.resolve()),
});

function openCard(ref) {
  if (!init) return;
  $('columns').classList.add('card-open');
  network.setSelected(ref);
  card.open(ref);
  if (latest) card.update(latest, decodeFrame(latest));
}

// ---------------------------------------------------------------- beside the network

const compare = new Compare({
  api,
  say,
  context: () => (session && init ? { config: { ...session.config }, info: init.info, points: init.points } : null),
  onReady: () => { frameDirty = true; },
});

const symmetry = new SymmetryNotice({
  onBreak: () => {
    if (!session || !live) return;
    if (timeline.viewing !== null) { say('You are looking at the past: “Continue from here” first, or go back to now.', 'info'); return; }
    if (running) { stream.send({ type: 'pause' }); setRunning(false); }
    api.setParameters(session.id, withNoise(live.layers))
      .then(() => say('A little noise now tells the neurons apart. Press play: each gets its own gradient, and they drift apart.', 'info'))
      .catch((e) => say(e.message));
  },
});

function explainOutput(info) {
  if (info.oneD && info.task === 'regression') return 'The network’s prediction (the curve) over the one feature, with the training points. In 1-D the output is a weighted sum of the hidden neurons’ curves plus a bias: steps and bumps adding up to the shape.';
  if (info.oneD) return 'The probability of the second class over the one feature (the curve); the background shows the predicted class. Points sit at 0 or 1 by their class.';
  if (info.task === 'regression') return 'The predicted value over the input plane (dark = low, yellow = high), with the training points coloured by their value.';
  if (info.task === 'multiclass') return 'Each region takes the colour of its most probable class (softmax output), paler where the network is unsure. White rings: training points; dark rings: test points.';
  return 'The output neuron’s probability over the input plane: orange for the first class, purple for the second, pale near 50%. White rings: training points; dark rings: test points.';
}

// ---------------------------------------------------------------- drawing

// Decoded grids go into buffers reused from frame to frame (no garbage while running).
const pool = { output: [], neurons: [] };

function decodeFrame(frame) {
  if (!frame.decoded) {
    const dec = (m, slot, k) => {
      slot[k] = decodeGrid(m.data, slot[k]);
      return { lo: m.lo, hi: m.hi, bytes: slot[k] };
    };
    frame.decoded = {
      output: frame.output.map((m, k) => dec(m, pool.output, k)),
      neurons: frame.neurons.map((layer, l) => layer.map((m, j) => dec(m, pool.neurons[l] || (pool.neurons[l] = []), j))),
    };
  }
  return frame.decoded;
}

const ACT = { sigmoid: 'σ', tanh: 'tanh', relu: 'relu', linear: '' };

function formula(ref) {
  if (!ref || !latest || !init) return '';
  const layer = latest.layers[ref.layer - 1];
  if (!layer) return '';
  const j = ref.index;
  const isOut = ref.layer === latest.layers.length;
  const name = network.nodeName(ref.layer, j);
  const terms = layer.weights.map((row, i) => [row[j], network.nodeName(ref.layer - 1, i)]);
  const shown = terms.slice(0, 8).map(([w, x], k) => `${k === 0 ? (w < 0 ? '−' : '') : (w < 0 ? ' − ' : ' + ')}${fmtNum(Math.abs(w))}·${x}`).join('');
  const more = terms.length > 8 ? ` + … (${terms.length - 8} more)` : '';
  const b = layer.bias[j];
  const f = isOut ? { binary: 'σ', multiclass: 'softmax', regression: '' }[init.network.task] : ACT[init.network.activation];
  const kind = isOut ? (init.network.task === 'regression' ? 'linear regression' : 'logistic regression') : (init.network.activation === 'sigmoid' ? 'a logistic regression' : `a ${init.network.activation} unit`);
  const lead = isOut ? `Output ${name === 'output' ? '' : name} — a ${kind} on the last layer:` : `${name} — ${kind} on its inputs:`;
  return `${lead} ${name} = ${f}(${shown}${more} ${b < 0 ? '−' : '+'} ${fmtNum(Math.abs(b))})`;
}

const drawMsOut = $('draw-ms');
let lastFooter = 0;
let metricsText = '';
const parts = { decode: 0, network: 0, output: 0, inspect: 0, views: 0, chart: 0 };
window.__llDrawParts = parts;

function fmtMetric(v, pct) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return pct ? `${(v * 100).toFixed(1)}%` : v.toFixed(4);
}

function draw(now) {
  requestAnimationFrame(draw);
  if (!(frameDirty || hoverDirty || chart.dirty) || !init) return;
  const t0 = performance.now();
  if (latest && (frameDirty || hoverDirty)) {
    const grids = decodeFrame(latest);
    const t1 = performance.now();
    if (frameDirty) network.draw(latest, grids, init.info);
    const t2 = performance.now();
    output.draw(latest, grids, hover, formula(hover));
    const t4 = performance.now();
    if (frameDirty) {
      card.update(latest, grids);
      compare.draw(latest, grids, init.info);
      symmetry.update(latest);
    }
    const t5 = performance.now();
    if (frameDirty) views.draw(latest, grids);
    if (frameDirty) drawn = latest;
    parts.inspect = t5 - t4;
    parts.views = performance.now() - t5;
    parts.decode = t1 - t0;
    parts.network = t2 - t1;
    parts.output = t4 - t2;
  }
  const t3 = performance.now();
  chart.draw();
  parts.chart = performance.now() - t3;
  const ms = performance.now() - t0;
  window.__llDrawMs = ms;
  if (latest && frameDirty) {
    const m = latest.metrics || {};
    const text = [m.train_loss, m.test_loss, m.train_accuracy, m.test_accuracy, latest.step, latest.epoch].join();
    if (text !== metricsText) {
      metricsText = text;
      $('m-train-loss').textContent = fmtMetric(m.train_loss);
      $('m-test-loss').textContent = fmtMetric(m.test_loss);
      $('m-train-acc').textContent = fmtMetric(m.train_accuracy, true);
      $('m-test-acc').textContent = fmtMetric(m.test_accuracy, true);
      controls.setCounters(latest.step, latest.epoch);
    }
  }
  frameDirty = false;
  hoverDirty = false;
  if (now - lastFooter > 250) {
    lastFooter = now;
    drawMsOut.textContent = ms.toFixed(2);
  }
}
requestAnimationFrame(draw);

// ---------------------------------------------------------------- keyboard

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t && (t.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName))) return;
  if (e.key === ' ' || e.code === 'Space') {
    e.preventDefault();
    togglePlay();
  } else if (e.key === 's' || e.key === 'S') {
    step();
  } else if (e.key === 'r' || e.key === 'R') {
    reset();
  }
});

// ---------------------------------------------------------------- export

function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

async function exportAs(kind) {
  if (!session) { say('Nothing to export yet.', 'info'); return; }
  if (kind === 'model') {
    const model = await api.getModel(session.id);
    download(new Blob([JSON.stringify(model, null, 2)], { type: 'application/json' }), `logistic-lens-model-step${latest ? latest.step : 0}.json`);
  } else if (kind === 'png') {
    const blob = await output.toPNG();
    if (!blob) throw new Error('The map could not be turned into a PNG.');
    download(blob, `logistic-lens-map-step${latest ? latest.step : 0}.png`);
  } else {
    const h = await api.getHistory(session.id);
    const cols = ['steps', 'train_loss', 'test_loss', 'train_accuracy', 'test_accuracy'].filter((c) => Array.isArray(h[c]));
    const lines = [cols.map((c) => (c === 'steps' ? 'step' : c)).join(',')];
    for (let i = 0; i < h.steps.length; i++) lines.push(cols.map((c) => (h[c][i] ?? '')).join(','));
    download(new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' }), 'logistic-lens-history.csv');
  }
}

// ---------------------------------------------------------------- start

render();
saveHash();
buildDiagram();
scheduleRebuild(0);
window.__ll = { get state() { return state; }, get session() { return session; }, get latest() { return latest; }, get live() { return live; }, get info() { return init && init.info; }, get viewing() { return timeline.viewing; }, get drawn() { return drawn; } };
