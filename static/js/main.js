// Wiring only: construct the page's modules and connect them. The state lives in the URL
// hash (page-state.js), sessions come and go (session.js), live work goes over one channel
// (channel.js), history navigation is one state machine (history-nav.js), and one
// requestAnimationFrame loop draws the frame on show (render-loop.js).

import * as api from './api.js';
import { vocabulary, viewText } from './vocabulary.js';
import { $, clampable } from './dom.js';
import { stateTable, hyperparameters, hyperparametersOf, withData, taskOf, targeted, SPEEDS } from './state.js';
import { PageState } from './page-state.js';
import { messageBox, sayRejections } from './messages.js';
import { Channel } from './channel.js';
import { dispatch, connectionStatus } from './dispatch.js';
import { Sessions } from './session.js';
import { CsvFlow } from './csv-flow.js';
import { Transport } from './transport.js';
import { HistoryNav } from './history-nav.js';
import { FrameStore } from './frames.js';
import { RunRecord } from './record.js';
import { RenderLoop } from './render-loop.js';
import { diagramSpec, explainerText, toggledInputs, resizedLayer, addedLayer } from './diagram.js';
import { formulaText } from './formula.js';
import { exportAs } from './exports.js';
import { bindShortcuts } from './shortcuts.js';
import { exposeForTests } from './test-hooks.js';
import { decodeMaps } from './maps.js';
import { NetworkView } from './network.js';
import { OutputView } from './output.js';
import { LossChart } from './chart.js';
import { Controls } from './controls.js';
import { DataPanel } from './data.js';
import { Timeline } from './timeline.js';
import { NeuronCard } from './card.js';
import { Compare } from './compare.js';
import { SymmetryNotice, breakSymmetry } from './symmetry.js';
import { StuckNotice } from './stuck.js';
import * as views from './views.js';
import { ViewTabs } from './view-tabs.js';
import { bindRunsLink } from './runs-link.js';
import { viewSpec } from './view-spec.js';
import { ShareBar, shareMode } from './share.js';

const vocab = vocabulary();
const table = stateTable(vocab);
const say = messageBox($('messages'));
sayRejections(say);
let init = null; // the current session's init message, with `info` (frames.describeInit)
const mode = shareMode(location.search); // ?watch=<id>: someone's live session; ?session=<id>: adopt one
const watching = Boolean(mode.watch);
const notYours = () => say('This is someone else\'s live session: make your own copy to change it.', 'info');

const frames = new FrameStore(decodeMaps);
const record = new RunRecord();
const page = new PageState(table, changed);
const channel = new Channel({ onState: connectionStatus($('conn-status'), say), role: watching ? 'watch' : 'own' });
const pauseFor = () => transport.pause();
const setParameters = (layers) => channel.setParameters(layers);
const show = (f) => { frames.show(f); if (f) views.frame(f); };
const resetRun = () => { transport.reset(); chart.reset(); };
const nav = new HistoryNav({
  send: (msg) => channel.send(msg),
  running: () => transport.running,
  pause: pauseFor,
  show,
  showLive: () => show(frames.live),
  setPast: (step) => { chart.setMarker(step); card.setPast(step !== null); if (step === null) timeline.leave(); },
});

const network = new NetworkView($('network'), {
  onHover: (ref) => loop.setHover(ref),
  onSelect: (ref) => openCard(ref),
  onToggleInput: (key, on) => {
    if (watching) { notYours(); drawDiagram(); return; }
    const inputs = toggledInputs(page.state, vocab, key, on);
    if (inputs) page.update({ inputs }); else { say('The network needs at least one input.', 'info'); drawDiagram(); }
  },
  onNeurons: (h, d) => (watching ? notYours() : page.update({ layers: resizedLayer(page.state.layers, vocab, h, d) })),
});
const output = new OutputView({ map: $('output-map'), overlay: $('output-overlay'), caption: $('output-caption'), scale: $('output-scale') });
const chart = new LossChart($('loss-chart'));
const controls = new Controls({
  onPlay: () => transport.togglePlay(),
  onStep: () => transport.step(),
  onReset: resetRun,
  onChange: (fields) => page.update(fields),
  onLayers: (d) => page.update({ layers: addedLayer(page.state.layers, vocab, d) }),
  onExport: (kind) => {
    if (!init) say('Nothing to export yet.', 'info');
    else exportAs(kind, { model: init.model, live: frames.live, output, record }).catch((e) => say(e.message));
  },
});
const data = new DataPanel({
  onKind: (kind) => { if (kind !== page.state.data) page.update(withData(page.state, kind)); },
  onParam: (name, v) => page.update({ [name]: v }),
  onFile: (file) => csv.upload(file),
  onColumns: (choice) => csv.applyColumns(choice).catch((e) => say(e.message)),
  onTarget: (name) => csv.setTarget(name),
});
const transport = new Transport({ channel, controls, nav, say, speed: () => [SPEEDS[page.state.speed], page.state.unit], hasSession: () => Boolean(sessions.session) });
const sessions = new Sessions({ api, vocab, say, onDataset: (ds, fetched) => { if (fetched) csv.show(ds); drawDiagram(); }, onSession: streamSession, onReplace: (old, created) => share.replaced(created, (msg) => channel.send(msg)), adopt: mode.watch || mode.adopt, watching });
const share = new ShareBar(document, {
  watching,
  sessionId: () => sessions.session && sessions.session.id,
  hash: () => location.hash,
  onAllow: (allow) => channel.share(allow),
  fork: async () => (await api.forkSession(sessions.session.id, nav.viewing)).id, // the step on show
  say,
});
const csv = new CsvFlow({ api, sessions, panel: data, page, say });
const timeline = new Timeline(nav, { sessionId: () => sessions.session && sessions.session.id, hash: () => location.hash });
const card = new NeuronCard({
  nodeName: (L, i) => network.nodeName(L, i),
  onClose: () => { network.setSelected(null); $('columns').classList.remove('card-open'); sendView(); },
  setParameters, // a refusal is said by the stream's error handler
  pause: pauseFor,
  sessionId: () => sessions.session && sessions.session.id,
  step: () => transport.step(),
  say,
});
const compare = new Compare({ api, say, context: () => (init ? { config: { ...sessions.session.config }, info: init.info, points: init.points } : null), onReady: () => frames.show(frames.shown) });
const symmetry = new SymmetryNotice({
  onBreak: () => {
    if (!frames.live) return;
    if (nav.viewing !== null) { say(viewText('symmetry', 'past'), 'info'); return; }
    breakSymmetry(frames.live.layers, { running: transport.running, pause: pauseFor, play: () => transport.play(), setParameters, say });
  },
});
const stuck = new StuckNotice({ onFix: (change) => page.update(change) }); // a new run, still playing
views.createViews({ setParameters, pause: pauseFor, play: () => { if (!transport.running) transport.play(); }, say, highlight: (ref) => loop.setHover(ref), light: (ref) => network.setLit(ref), update: (change) => page.update(change) });
const tabs = new ViewTabs($('view-tabs'), (pane) => page.update({ pane }));
const loop = new RenderLoop({ frames, info: () => init && init.info, formula: (ref) => formulaText(ref, frames.shown, init && init.network, (L, i) => network.nodeName(L, i)), network, output, card, compare, symmetry, views, chart, controls });

// state → page
function changed(effect, source) {
  const s = page.state;
  renderControls();
  data.render(s);
  output.setOptions({ showTest: s.showTest, discretize: s.disc });
  if (effect === 'rebuild') { drawDiagram(); sessions.schedule(() => page.state, source === 'hash' ? 0 : undefined); }
  if (effect === 'set' && sessions.session && source !== 'session') channel.set(hyperparameters(s));
  if (effect === 'speed') transport.speedChanged();
  if (effect === 'view') { showPane(); loop.repaint(); }
}

function renderControls() {
  const s = page.state;
  controls.render(s, { maxLayers: vocab.limits.max_hidden_layers }, init ? init.network.task : taskOf(s, vocab, sessions.dataset));
}

let pane = 'output'; // the pane on show (the state's, where it applies)
let sentView = ''; // the view last asked of this session's stream

function showPane() {
  pane = tabs.render(views.applicable(), page.state.pane);
  sendView();
}

/** Tell the stream which maps are on show (view-spec.js), when that changes. */
function sendView() {
  if (!init) return;
  const spec = viewSpec({ cardOpen: card.ref !== null, pane }, init.info);
  const key = `${init.session.id}:${JSON.stringify(spec)}`;
  if (key !== sentView) { sentView = key; channel.view(spec); }
}

const explainerFits = clampable($('net-explainer'), $('net-more'));

/** The dataset as the current session sees it: with the state's target (an upload's). */
const dataset = () => targeted(sessions.dataset, page.state, init && init.network);

function drawDiagram(order = null) {
  const s = page.state;
  network.build(diagramSpec(s, vocab, dataset(), order));
  $('net-explainer').textContent = explainerText(vocab, s.act, init ? init.network.task : taskOf(s, vocab, sessions.dataset), s.layers.length);
  explainerFits();
}

function openCard(ref) {
  if (!init) return;
  $('columns').classList.add('card-open');
  network.setSelected(ref);
  card.open(ref);
  sendView();
  if (frames.shown) card.update(frames.shown, frames.grids());
}

// a session → the stream
function streamSession(session) {
  init = null;
  page.adopt(hyperparametersOf(session.config)); // an adopted session's own (a built one's are the state's)
  share.sessionChanged();
  transport.carryOver();
  frames.clear(); chart.reset(); nav.leave(); compare.sessionChanged();
  channel.connect(session.id);
}

dispatch(channel, {
  frames, record, nav, transport, timeline, chart, network, output, controls, card, compare, views, say, showPane,
  stuck: { setup: (info) => stuck.setup(info), frame: (f) => stuck.frame(f, page.state, vocab) },
  setInit: (msg) => { init = msg; sessions.session = msg.session; drawDiagram(msg.network.inputs); renderControls(); },
  show,
});
channel.on('watchers', (msg) => share.setAudience(msg.count, msg.allow_control));
channel.on('moved', (msg) => share.follow(msg));

// start
bindRunsLink($('runs-link'));
bindShortcuts({ togglePlay: () => transport.togglePlay(), step: () => transport.step(), reset: resetRun });
exposeForTests({ page, sessions, frames, nav, loop, chart, info: () => init && init.info });
changed(null);
page.save();
drawDiagram();
sessions.schedule(() => page.state, 0);
loop.start();
