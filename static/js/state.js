// The playground's whole configuration as one plain object, mirrored in the URL hash so that
// a shared link (or a lesson preset, app/lessons.py) opens the same data, network,
// hyperparameters and seed. Every key is declared once, in the table below; its choices,
// bounds and defaults come from the server's vocabulary. Pure: no DOM.

import { parseHash, toHash, defaults } from './hash.js';

/** Speed levels of the slider: steps (or epochs) per second; null = as fast as the server goes. */
export const SPEEDS = [1, 2, 5, 10, 30, 100, 300, 1000, 3000, null];

/** What a change asks of the page, weakest first: redraw, resend play, send `set`, rebuild. */
export const EFFECTS = ['view', 'speed', 'set', 'rebuild'];

const CSV = 'csv'; // the data value of an uploaded dataset (any other is a generator kind)
const CONSTANT = 'constant'; // the initialisation that takes init_value
const keys = (list) => list.map((x) => x.key);

/** The dataset kind whose number of classes is a choice (its classes are a range), if any. */
export function classChooser(vocab) {
  return vocab.dataset_kinds.find((k) => k.classes && k.classes[0] !== k.classes[1]) || null;
}

/**
 * The hash table, from the vocabulary: { key, type, default, effect, …bounds }. The playground
 * opens on the first dataset kind with the vocabulary's playground start (network, activation,
 * speed); every other default is SessionConfig's.
 */
export function stateTable(vocab) {
  const L = vocab.limits;
  const d = vocab.defaults;
  const start = vocab.playground;
  const speed = SPEEDS.indexOf(start.speed);
  const chooser = classChooser(vocab);
  const csv = (s) => s.data === CSV;
  const generated = (s) => s.data !== CSV;
  const kinds = keys(vocab.dataset_kinds);
  const transforms = keys(vocab.transforms);
  return [
    { key: 'data', type: 'enum', choices: [...kinds, CSV], default: kinds[0], effect: 'rebuild' },
    { key: 'ds', type: 'text', maxLength: 64, default: '', when: csv, effect: 'rebuild' },
    // the column an upload's session predicts ('' = the dataset's own target): no new upload
    { key: 'target', type: 'text', maxLength: 256, optional: true, default: '', when: csv, effect: 'rebuild' },
    { key: 'feat', type: 'list', optional: true, default: [], when: csv, effect: 'rebuild' },
    { key: 'view', type: 'list', optional: true, maxItems: 2, default: [], when: csv, effect: 'rebuild' },
    { key: 'n', type: 'int', min: L.dataset_n_min, max: L.dataset_n_max, default: 300, when: generated, effect: 'rebuild' },
    { key: 'noise', type: 'number', min: 0, max: L.noise_max, default: 0.1, when: generated, effect: 'rebuild' },
    { key: 'classes', type: 'int', min: chooser ? chooser.classes[0] : 2, max: chooser ? chooser.classes[1] : 2, default: chooser ? chooser.classes[0] : 2, when: (s) => chooser !== null && s.data === chooser.key, effect: 'rebuild' },
    { key: 'test', type: 'number', min: 0, max: L.test_fraction_max, default: d.test_fraction, effect: 'rebuild' },
    { key: 'seed', type: 'int', min: 0, max: L.seed_max, default: d.seed, effect: 'rebuild' },
    { key: 'layers', type: 'ints', min: 1, max: L.max_neurons, maxItems: L.max_hidden_layers, default: start.hidden_layers, effect: 'rebuild' },
    { key: 'act', type: 'enum', choices: keys(vocab.activations), default: start.activation, effect: 'rebuild' },
    { key: 'init', type: 'enum', choices: keys(vocab.inits), default: d.init, effect: 'rebuild' },
    { key: 'iv', type: 'number', min: L.init_value_min, max: L.init_value_max, default: d.init_value, when: usesInitValue, effect: 'rebuild' },
    { key: 'opt', type: 'enum', choices: keys(vocab.optimizers), default: d.optimizer, effect: 'set' },
    { key: 'lr', type: 'number', above: L.learning_rate_min_exclusive, max: L.learning_rate_max, default: d.learning_rate, effect: 'set' },
    { key: 'batch', type: 'batch', word: 'full', min: 1, max: L.batch_size_max, default: d.batch_size ?? 'full', effect: 'set' },
    { key: 'l1', type: 'number', min: 0, max: L.l1_max, default: d.l1, effect: 'set' },
    { key: 'l2', type: 'number', min: 0, max: L.l2_max, default: d.l2, effect: 'set' },
    // the two raw inputs come first in the vocabulary's transforms; they are the default
    { key: 'inputs', type: 'list', choices: transforms, nonEmpty: true, default: transforms.slice(0, 2), effect: 'rebuild' },
    { key: 'speed', type: 'int', min: 0, max: SPEEDS.length - 1, default: speed >= 0 ? speed : 5, effect: 'speed' },
    { key: 'unit', type: 'enum', choices: ['steps', 'epochs'], default: 'steps', effect: 'speed' },
    { key: 'showTest', type: 'flag', default: false, effect: 'view' },
    { key: 'disc', type: 'flag', default: false, effect: 'view' },
    // what the output column shows: the output map or an explanatory view (view-tabs.js)
    { key: 'pane', type: 'enum', choices: keys(vocab.panes), default: vocab.panes[0].key, effect: 'view' },
  ];
}

/** Whether the state's initialisation takes a weight value (constant). */
export function usesInitValue(s) {
  return s.init === CONSTANT;
}

/** A URL hash as a full, validated state (an uploaded dataset without its id: the default data). */
export function readHash(hash, table) {
  const s = parseHash(hash, table);
  if (s.data === CSV && !s.ds) return { ...s, data: defaults(table).data, target: '', feat: [], view: [] };
  return s;
}

/** A state as a URL hash (without '#'). */
export function writeHash(s, table) {
  return toHash(s, table);
}

/** The rebuild rule: the strongest effect among the keys that differ (null: none). */
export function effectOf(before, after, table) {
  let strongest = -1;
  for (const p of table) {
    if (JSON.stringify(before[p.key]) !== JSON.stringify(after[p.key])) strongest = Math.max(strongest, EFFECTS.indexOf(p.effect));
  }
  return strongest < 0 ? null : EFFECTS[strongest];
}

/** Whether the state's data is an uploaded dataset. */
export const isUpload = (s) => s.data === CSV;

/** The state after choosing a data source: a generator kind, or an uploaded dataset. */
export function withData(s, kind, upload = null) {
  if (!upload) return { ...s, data: kind, ds: '', target: '', feat: [], view: [] };
  return { ...s, data: CSV, ds: upload.id, target: upload.target ?? s.target, feat: upload.features, view: upload.features.length > 2 ? upload.view : [] };
}

/** The state after choosing column `name` of dataset `ds` as the target: its default features. */
export function withTarget(s, ds, name) {
  return { ...s, target: name === ds.target ? '' : name, feat: [], view: [] };
}

/** The numeric columns a session with `target` takes by default: the dataset's features without
 * the target, and the dataset's own target back among them when it is numeric (file order). */
export function defaultFeatures(ds, target) {
  if (!target || target === ds.target) return ds.features;
  const numeric = (c) => c.kind === 'numeric';
  return ds.columns.filter((c) => c.name !== target && (ds.features.includes(c.name) || (c.name === ds.target && numeric(c)))).map((c) => c.name);
}

/**
 * The dataset as a session of state `s` sees it: with the state's target, that target's task,
 * classes (the session's, from its init's `network`, once known) and default features.
 */
export function targeted(ds, s, network = null) {
  if (!ds || s.data !== CSV || !s.target || s.target === ds.target) return ds;
  const cand = (ds.target_candidates || []).find((c) => c.name === s.target);
  if (!cand) return ds;
  let classes = null;
  if (network && network.classes) classes = network.classes;
  else if (cand.n_classes) classes = Array.from({ length: cand.n_classes }, (_, i) => String(i + 1));
  return { ...ds, target: s.target, task: cand.task, classes, features: defaultFeatures(ds, s.target) };
}

/** How many features the state's data has (a generator's from the vocabulary; an upload's chosen ones). */
export function featureCount(s, vocab, dataset = null) {
  if (s.data === CSV) return (s.feat.length ? s.feat : (dataset ? defaultFeatures(dataset, s.target) : [])).length;
  const kind = vocab.dataset_kinds.find((k) => k.key === s.data);
  return kind ? kind.dimensions : 2;
}

/** The task the state's data poses (binary, multiclass, regression), before the server says. */
export function taskOf(s, vocab, dataset = null) {
  if (s.data !== CSV) {
    const kind = vocab.dataset_kinds.find((k) => k.key === s.data);
    return kind ? kind.task : 'binary';
  }
  const ds = targeted(dataset, s);
  if (!ds || ds.task === 'regression') return ds ? 'regression' : 'binary';
  return ds.classes && ds.classes.length > 2 ? 'multiclass' : 'binary';
}

/** POST /api/datasets/generate's body for a generator state. */
export function datasetSpec(s, vocab) {
  const spec = { kind: s.data, n: s.n, noise: s.noise, seed: s.seed };
  const chooser = classChooser(vocab);
  if (chooser && s.data === chooser.key) spec.classes = s.classes;
  return spec;
}

/** The SessionConfig the sessions API takes, for a state and a dataset. */
export function sessionConfig(s, dataset) {
  const features = s.data === CSV && s.feat.length ? s.feat : null;
  const twoD = (features || (s.data === CSV ? defaultFeatures(dataset, s.target) : dataset.features)).length === 2;
  const cfg = {
    dataset_id: dataset.id,
    hidden_layers: s.layers,
    activation: s.act,
    optimizer: s.opt,
    learning_rate: s.lr,
    batch_size: s.batch === 'full' ? null : s.batch,
    l1: s.l1,
    l2: s.l2,
    init: s.init,
    init_value: s.iv,
    seed: s.seed,
    test_fraction: s.test,
    transforms: twoD ? s.inputs : null,
  };
  if (features) cfg.features = features;
  if (s.data === CSV && s.target) cfg.target = s.target;
  if (s.data === CSV && s.view.length === 2) cfg.view_features = s.view;
  return cfg;
}

/** The state's hyperparameter fields for a session's config (the inverse of `hyperparameters`). */
export function hyperparametersOf(config) {
  return { lr: config.learning_rate, l1: config.l1, l2: config.l2, opt: config.optimizer, batch: config.batch_size ?? 'full' };
}

/** Hyperparameters (the stream's `set` message fields) of a state. */
export function hyperparameters(s) {
  const h = { learning_rate: s.lr, l1: s.l1, l2: s.l2, optimizer: s.opt };
  if (s.batch === 'full') h.full_batch = true; else h.batch_size = s.batch;
  return h;
}
