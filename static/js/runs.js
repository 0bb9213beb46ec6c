// Runs side by side (/runs): wiring only. `#ids=ID1,ID2,…` reads existing sessions;
// `#seeds=K&steps=N&<a playground hash>` makes that setup's dataset and K sessions whose
// weights start from seeds 0…K−1 (the data and its split stay the playground's), trains them
// round-robin over REST and deletes them when the page is left. Then: the loss curves, the
// maps at one shared step, what differs, and how far apart the final losses are.

import * as api from './api.js';
import { vocabulary, activation, transformLabel } from './vocabulary.js';
import { stateTable, readHash, writeHash, datasetSpec, sessionConfig, isUpload } from './state.js';
import { getSession, getHistory, reseed, getPoints, Made } from './runs-api.js';
import {
  parseRunsHash, seedsHash, smooth, spread, agree, configDiff, runNames, sameSplit,
  sliderSteps, stepShown, nextChunk, indexAt,
} from './runs-model.js';
import { drawCurves, drawMap, drawSpread, runColor } from './runs-plot.js';
import { $, el } from './dom.js';
import { fill } from './format.js';

const words = JSON.parse($('runs-words').textContent);
const vocab = vocabulary();
const root = $('runs');
const CHUNK = Number(root.dataset.chunk) || 50;
const made = new Made();
let leaving = false;
window.addEventListener('pagehide', () => { leaving = true; });
window.addEventListener('pageshow', (e) => { if (e.persisted) location.reload(); }); // its sessions are gone
window.addEventListener('hashchange', () => location.reload());

const page = {
  mode: null, runs: [], info: null, points: null, steps: [], alone: false, total: 0, seq: 0,
  curves: [], hover: null, stepAt: () => null, // the curves drawn, the hovered step, x → step
};

// ---------------------------------------------------------------- words

const say = (text, kind = 'info') => {
  const s = $('runs-status');
  s.textContent = text;
  s.dataset.kind = kind;
};

const label = (kind, key) => {
  if (kind === 'activation') return activation(key)?.label ?? key;
  if (kind === 'transform') return transformLabel(key);
  const list = kind === 'optimizer' ? vocab.optimizers : vocab.inits;
  return list.find((x) => x.key === key)?.label ?? key;
};

/** A loss in the summary: 4 significant digits. */
const four = (v) => (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : words.diverged);
/** A spread: 0, or 1 significant digit in exponent form below 0.001. */
const gap = (v) => (v === 0 ? '0' : Math.abs(v) < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(2))));
/** A loss in the table: 8 significant digits (enough to see two seeds agree). */
const eight = (v) => (Number.isFinite(v) ? String(Number(v.toPrecision(8))) : '–');

// ---------------------------------------------------------------- the two ways in

async function openIds(ids) {
  $('lead-ids').hidden = false;
  if (ids.length < 2) { say(words.too_few, 'error'); return; }
  say(fill(words.loading, { n: ids.length }));
  const sessions = [];
  for (const id of ids) {
    try {
      sessions.push(await getSession(id));
    } catch (e) {
      if (e.status === 404) { say(fill(words.missing, { id }), 'error'); return; }
      throw e;
    }
  }
  const datasets = [...new Set(sessions.map((s) => s.config.dataset_id))];
  if (datasets.length > 1) {
    const names = new Map();
    for (const d of datasets) names.set(d, await api.getDataset(d).then((x) => x.name, () => d));
    const list = sessions.map((s, i) => `${fill(words.run, { n: i + 1 })}: ${names.get(s.config.dataset_id)}`).join('; ');
    say(fill(words.other_data, { list }), 'error');
    return;
  }
  const configs = sessions.map((s) => s.config);
  const diff = configDiff(configs, words, label);
  const names = runNames(diff, sessions.length, words);
  page.runs = sessions.map((s, i) => ({ id: s.id, name: names[i], color: runColor(i), session: s, history: null }));
  showDiff(diff, configs);
  await refreshHistories();
  page.alone = configs.every((c) => !c.hidden_layers.length);
  say('');
  await ready(sessions[0]);
}

async function trainSeeds(want) {
  $('lead-seeds').hidden = false;
  const table = stateTable(vocab);
  const s = readHash(`#${want.rest}`, table);
  setupForm(want, writeHash(s, table));
  say(fill(words.creating, { n: want.seeds }));
  let ds;
  if (isUpload(s)) ds = await api.getDataset(s.ds);
  else {
    ds = await api.generateDataset(datasetSpec(s, vocab));
    made.datasets.add(ds.id);
  }
  const config = sessionConfig(s, ds);
  page.alone = !config.hidden_layers.length;
  page.total = want.steps;
  for (let k = 0; k < want.seeds && !leaving; k++) {
    const created = await api.createSession(config);
    made.sessions.add(created.id);
    // the split is the config's seed's (the playground's); only the weights start from seed k
    const session = await reseed(created.id, k);
    page.runs.push({ id: created.id, name: fill(words.seed_name, { k }), color: runColor(k), session, history: null, seed: k });
  }
  $('diff-note').textContent = fill(words.only_seed, { seeds: page.runs.map((r) => r.seed).join(', ') });
  showBody();
  await train(want.steps);
  if (leaving) return;
  // the final numbers as the API has them
  for (const r of page.runs) r.session = await getSession(r.id);
  await refreshHistories();
  $('runs-progress').hidden = true;
  const diverged = page.runs.filter((r) => r.session.status === 'diverged').length;
  say(fill(diverged ? words.trained_diverged : words.trained, { n: page.runs.length, steps: want.steps, d: diverged }));
  await ready(page.runs[0].session);
}

/** Train every run to `total` steps, CHUNK steps a request, in turn; the curves follow. */
async function train(total) {
  const progress = $('runs-progress');
  progress.hidden = false;
  progress.max = total * page.runs.length;
  const done = page.runs.map(() => 0);
  let i = 0;
  let chunk;
  while (!leaving && (chunk = nextChunk(done, total, CHUNK, i))) {
    const [k, n] = chunk;
    const before = done[k];
    let s;
    try {
      s = await api.stepSession(page.runs[k].id, { steps: n });
    } catch (e) {
      if (leaving) return;
      throw new Error(fill(words.stopped, { message: e.message }));
    }
    page.runs[k].session = s;
    done[k] = s.status === 'diverged' || s.step <= before ? null : s.step;
    progress.value = page.runs.reduce((sum, r) => sum + Math.min(total, r.session.step), 0);
    const least = Math.min(...page.runs.map((r) => r.session.step));
    say(fill(words.training, { n: page.runs.length, chunk: CHUNK, done: least, total }));
    i = (k + 1) % page.runs.length;
    if (i === 0) {
      await refreshHistories();
      drawAll();
    }
  }
}

// ---------------------------------------------------------------- the panels

function setupForm(want, hash) {
  const form = $('runs-setup');
  form.hidden = false;
  const pick = (select, value) => {
    if (![...select.options].some((o) => Number(o.value) === value)) select.append(new Option(String(value), String(value)));
    select.value = String(value);
  };
  pick($('setup-seeds'), want.seeds);
  pick($('setup-steps'), want.steps);
  $('setup-open').href = `/#${hash}`;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = seedsHash(Number($('setup-seeds').value), Number($('setup-steps').value), hash);
    if (`#${next}` === location.hash) location.reload(); // the same hash: no hashchange
    else location.hash = next;
  });
}

function showBody() {
  $('runs-body').hidden = false;
  const legend = $('runs-legend');
  legend.replaceChildren();
  for (const r of page.runs) {
    const li = el('li', null, legend);
    li.dataset.session = r.id;
    el('span', 'swatch', li).style.background = r.color;
    el('span', null, li, r.name); // a name may hold column names: text only
  }
  drawAll();
}

function showDiff(diff, configs) {
  const list = $('diff-list');
  list.replaceChildren();
  const notes = [];
  if (!diff.length) notes.push(words.same_config);
  if (!sameSplit(configs)) notes.push(words.other_split);
  $('diff-note').textContent = notes.join(' ');
  for (const d of diff) {
    el('dt', null, list, d.label);
    const dd = el('dd', null, list);
    d.values.forEach((v, i) => {
      const item = el('span', 'diff-value', dd);
      el('span', 'swatch', item).style.background = page.runs[i] ? page.runs[i].color : runColor(i);
      el('span', null, item, v);
    });
  }
}

async function refreshHistories() {
  const hs = await Promise.all(page.runs.map((r) => getHistory(r.id)));
  hs.forEach((h, i) => { page.runs[i].history = h; });
}

/** Everything is trained (or read): the maps, the slider, the spread and the verdict. */
async function ready(first) {
  showBody();
  const points = await getPoints(first.config.dataset_id).catch(() => null);
  page.info = { task: first.task, classes: first.classes, yScale: yScale(points, first) };
  page.points = points;
  for (const id of ['maps-wait', 'spread-wait']) $(id).hidden = true;
  for (const id of ['maps-ready', 'spread-ready']) $(id).hidden = false;
  showSpread();
  await buildMaps();
  root.dataset.state = 'done'; // every panel drawn
}

function yScale(points, session) {
  if (!points || session.task !== 'regression') return [0, 1];
  const ys = points.target.map(Number).filter(Number.isFinite);
  if (!ys.length) return [0, 1];
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  return lo < hi ? [lo, hi] : [lo - 1, hi + 1];
}

/** The dataset's rows in the map's two features: {x: [[v1, v2]…], y: [class index or value…]}. */
function pointsOn(features, session) {
  const p = page.points;
  if (!p || features.length !== 2 || !features.every((f) => p.columns[f])) return null;
  if ((session.config.target ?? p.target_name) !== p.target_name) return null;
  const [a, b] = features.map((f) => p.columns[f]);
  const classes = session.classes || p.classes;
  const y = p.target.map((t) => (session.task === 'regression' ? Number(t) : classes.indexOf(String(t))));
  return { x: a.map((v, i) => [v, b[i]]), y };
}

function curvesData() {
  const w = Number($('smoothing').value);
  return page.runs.filter((r) => r.history).map((r) => {
    const h = r.history;
    const train = h.train_loss.map((v) => (v === null ? NaN : v));
    const test = h.test_loss.map((v) => (v === null ? NaN : v));
    return { color: r.color, steps: h.steps, train: smooth(train, w), test: smooth(test, w), rawTrain: w > 0 ? train : null, rawTest: w > 0 ? test : null };
  });
}

function drawAll() {
  if ($('runs-body').hidden) return;
  page.curves = curvesData();
  redrawCurves();
  if (root.dataset.state === 'done') showSpreadPlot();
}

function redrawCurves() {
  page.stepAt = drawCurves($('curves'), page.curves, page.hover);
}

/** The values under the pointer: each run's (smoothed) train and test loss at that step. */
function showTip(x) {
  const tip = $('curves-tip');
  const step = page.stepAt(x);
  page.hover = step;
  redrawCurves();
  if (step === null) { tip.hidden = true; return; }
  tip.replaceChildren();
  const first = page.curves[0];
  const shown = first && first.steps.length ? first.steps[indexAt(first.steps, step)] : step; // a recorded step
  el('div', 'tip-step', tip, fill(words.step_label_any, { step: shown }));
  page.curves.forEach((c, i) => {
    const k = indexAt(c.steps, step);
    const line = el('div', 'tip-run', tip);
    el('span', 'swatch', line).style.background = c.color;
    el('span', null, line, `${page.runs[i].name}: ${fill(words.map_caption, { train: four(c.train[k]), test: four(c.test[k]) })}`);
  });
  tip.hidden = false;
  const box = $('curves').getBoundingClientRect();
  tip.style.left = `${Math.min(x + 14, Math.max(0, box.width - tip.offsetWidth))}px`;
}

// ---------------------------------------------------------------- maps at one step

/** A map per run and the shared step slider, at the last step; resolves once they are drawn. */
function buildMaps() {
  const box = $('maps');
  box.replaceChildren();
  box.dataset.count = String(page.runs.length);
  for (const r of page.runs) {
    const fig = el('figure', 'run-map', box);
    fig.dataset.session = r.id;
    const frame = el('div', 'map-frame', fig);
    r.map = el('canvas', 'map', frame);
    r.overlay = el('canvas', 'map-overlay', frame);
    const cap = el('figcaption', null, fig);
    const name = el('span', 'map-name', cap);
    el('span', 'swatch', name).style.background = r.color;
    el('span', null, name, r.name);
    r.caption = el('span', 'map-numbers', cap);
  }
  page.steps = sliderSteps(page.runs.map((r) => ({ step: r.session.step, checkpoints: r.history.checkpoints })));
  const slider = $('step-slider');
  slider.max = String(page.steps.length - 1);
  slider.value = slider.max;
  return showStep();
}

async function showStep() {
  const seq = ++page.seq;
  const s = page.steps[Number($('step-slider').value)] ?? 0;
  const exact = page.runs.every((r) => stepShown({ step: r.session.step, checkpoints: r.history.checkpoints }, s) === s);
  $('step-label').textContent = fill(exact ? words.step_label_any : words.step_label, { step: s });
  const G = page.runs.length > 4 ? 40 : 64;
  const snaps = await Promise.all(page.runs.map((r) => {
    const at = stepShown({ step: r.session.step, checkpoints: r.history.checkpoints }, s);
    return api.getSnapshot(r.id, G, at === r.session.step ? null : at);
  }));
  if (seq !== page.seq || leaving) return;
  const oneD = snaps[0].grid.y === null || snaps[0].grid.y === undefined;
  $('maps-hint').textContent = words[`maps_${oneD ? 1 : 2}_${page.info.task}`] ?? '';
  snaps.forEach((snap, i) => {
    const r = page.runs[i];
    drawMap(r.map, r.overlay, snap, page.info, pointsOn(snap.grid.features, r.session));
    const m = snap.metrics;
    const numbers = fill(words.map_caption, { train: four(m.train_loss), test: four(m.test_loss) });
    r.caption.textContent = snap.step === s ? numbers : `${numbers}, ${fill(words.step_shown, { step: snap.step })}`;
  });
  $('maps').dataset.step = String(s);
}

// ---------------------------------------------------------------- final losses

function finals() {
  return page.runs.map((r) => ({ color: r.color, train: r.session.metrics.train_loss ?? NaN, test: r.session.metrics.test_loss ?? NaN }));
}

function showSpreadPlot() {
  drawSpread($('spread-plot'), finals());
}

function showSpread() {
  const f = finals();
  const which = f.every((x) => Number.isFinite(x.test)) ? 'test' : 'train';
  const sp = { train: spread(f.map((x) => x.train)), test: spread(f.map((x) => x.test)) };
  const main = sp[which];
  const n = page.runs.length;
  // the sorted list
  const body = $('spread-table').tBodies[0];
  body.replaceChildren();
  for (const i of [...main.order, ...page.runs.keys()].filter((v, k, a) => a.indexOf(v) === k)) {
    const r = page.runs[i];
    const tr = el('tr', null, body);
    tr.dataset.session = r.id;
    const name = el('td', null, tr);
    el('span', 'swatch', name).style.background = r.color;
    el('span', null, name, r.name);
    for (const key of ['train', 'test']) {
      const td = el('td', 'num', tr, eight(f[i][key]));
      td.dataset.value = String(f[i][key]);
      td.dataset.key = key;
    }
  }
  const foot = $('spread-table').tFoot;
  foot.replaceChildren();
  for (const [rowName, pick] of [['min', (s) => eight(s.min)], ['max', (s) => eight(s.max)], ['spread', (s) => (s.spread === null ? '–' : gap(s.spread))]]) {
    const tr = el('tr', null, foot);
    el('th', null, tr, rowName).scope = 'row';
    el('td', 'num', tr, pick(sp.train));
    el('td', 'num', tr, pick(sp.test));
  }
  showSpreadPlot();
  // the verdict, computed from the runs
  const numbers = fill(page.mode === 'seeds' ? words.summary_seeds : words.summary,
    { n, which, min: four(main.min), max: four(main.max), spread: main.spread === null ? '–' : gap(main.spread) });
  const same = agree(main, n);
  let why = '';
  if (page.mode === 'seeds') {
    const batch = page.alone && !same && page.runs[0].session.config.batch_size !== null;
    why = fill(words[batch ? 'apart_alone_batch' : `${same ? 'agree' : 'apart'}_${page.alone ? 'alone' : 'hidden'}`], { steps: page.total });
  } else if (main.order.length > 1 && !same) {
    const [lo, hi] = [main.order[0], main.order[main.order.length - 1]];
    why = fill(words.lowest_highest, { low: page.runs[lo].name, low_loss: four(main.min), high: page.runs[hi].name, high_loss: four(main.max) });
  }
  $('verdict-numbers').textContent = numbers;
  $('verdict-why').textContent = why;
  const v = $('runs-verdict');
  v.hidden = false;
  v.dataset.agree = String(same);
}

// ---------------------------------------------------------------- go

$('curves').addEventListener('pointermove', (e) => showTip(e.clientX - $('curves').getBoundingClientRect().left));
$('curves').addEventListener('pointerleave', () => { page.hover = null; $('curves-tip').hidden = true; redrawCurves(); });
$('smoothing').addEventListener('input', () => {
  $('smoothing-out').textContent = $('smoothing').value;
  drawAll();
});
$('step-slider').addEventListener('input', () => showStep().catch((e) => say(e.message, 'error')));
let pending = 0;
new ResizeObserver(() => {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(drawAll);
}).observe($('runs-body'));

async function main() {
  const want = parseRunsHash(location.hash);
  page.mode = want.mode;
  if (want.mode === 'ids') await openIds(want.ids);
  else if (want.mode === 'seeds') await trainSeeds(want);
  else say(words.too_few, 'error');
}

main().catch((e) => { if (!leaving) say(e.message, 'error'); });
