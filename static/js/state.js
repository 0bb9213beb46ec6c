// The whole configuration as one plain object, mirrored in the URL hash so that a shared
// link opens the same data, network, hyperparameters and seed.

/** Transform keys (the API values) and their labels, in display order. */
export const TRANSFORMS = [
  ['x1', 'x₁'], ['x2', 'x₂'], ['x1sq', 'x₁²'], ['x2sq', 'x₂²'], ['x1x2', 'x₁·x₂'], ['sinx1', 'sin x₁'], ['sinx2', 'sin x₂'],
];

/** Speed levels of the slider: steps (or epochs) per second; null = as fast as the server goes. */
export const SPEEDS = [1, 2, 5, 10, 30, 100, 300, 1000, 3000, null];

/** Built-in dataset kinds the picker offers (the generator's registry keys). */
export const KINDS = [
  'circle', 'xor', 'gauss', 'spiral', 'moons', 'linear', 'blobs', 'spiral3',
  'plane', 'hills', 'interval', 'sine', 'step', 'abs', 'cubic', 'bump',
];

/** The default configuration. */
export const DEFAULTS = Object.freeze({
  data: 'circle', // a generator kind, or 'csv' for an uploaded dataset
  ds: '', // uploaded dataset id (data = 'csv')
  feat: [], // chosen feature columns (csv)
  view: [], // the two features the maps are drawn over (csv with > 2 features)
  n: 300,
  noise: 0.1,
  classes: 3,
  test: 0.2,
  seed: 0,
  layers: [4, 2],
  act: 'sigmoid',
  init: 'xavier',
  iv: 0.5,
  opt: 'adam',
  lr: 0.03,
  batch: 'full', // 'full' or a number
  l1: 0,
  l2: 0,
  inputs: ['x1', 'x2'],
  speed: 5,
  unit: 'steps',
  showTest: false,
  disc: false,
});

const CHOICES = {
  act: ['sigmoid', 'tanh', 'relu', 'linear'],
  init: ['xavier', 'he', 'uniform', 'constant', 'zeros'],
  opt: ['sgd', 'momentum', 'adam'],
  unit: ['steps', 'epochs'],
};

function num(v, lo, hi, fallback, integer = false) {
  const x = Number(v);
  if (v === null || v === '' || !Number.isFinite(x)) return fallback;
  const c = Math.min(hi, Math.max(lo, x));
  return integer ? Math.round(c) : c;
}

function list(v) {
  return v ? v.split(',').map(decodeURIComponent).filter((s) => s !== '') : [];
}

/** Parse a URL hash ('#data=xor&layers=4,4…') into a full, validated state. */
export function parseHash(hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const s = structuredClone({ ...DEFAULTS });
  const data = p.get('data');
  if (data && (KINDS.includes(data) || data === 'csv')) s.data = data;
  if (s.data === 'csv') {
    s.ds = (p.get('ds') || '').slice(0, 64);
    if (!s.ds) s.data = DEFAULTS.data;
  }
  s.feat = list(p.get('feat'));
  s.view = list(p.get('view')).slice(0, 2);
  s.n = num(p.get('n'), 10, 5000, s.n, true);
  s.noise = num(p.get('noise'), 0, 1, s.noise);
  s.classes = num(p.get('classes'), 3, 5, s.classes, true);
  s.test = num(p.get('test'), 0, 0.9, s.test);
  s.seed = num(p.get('seed'), 0, 2 ** 32 - 1, s.seed, true);
  if (p.has('layers')) {
    s.layers = list(p.get('layers')).map((x) => num(x, 1, 32, 1, true)).slice(0, 6);
  }
  for (const [k, opts] of Object.entries(CHOICES)) {
    const v = p.get(k);
    if (v && opts.includes(v)) s[k] = v;
  }
  s.iv = num(p.get('iv'), -10, 10, s.iv);
  s.lr = num(p.get('lr'), 1e-6, 10, s.lr);
  const b = p.get('batch');
  s.batch = b === 'full' || b === null ? (b === null ? s.batch : 'full') : num(b, 1, 200000, 'full', true);
  s.l1 = num(p.get('l1'), 0, 10, s.l1);
  s.l2 = num(p.get('l2'), 0, 10, s.l2);
  if (p.has('inputs')) {
    const valid = TRANSFORMS.map(([k]) => k);
    const inputs = list(p.get('inputs')).filter((k) => valid.includes(k));
    if (inputs.length) s.inputs = inputs;
  }
  s.speed = num(p.get('speed'), 0, SPEEDS.length - 1, s.speed, true);
  s.showTest = p.get('showTest') === '1';
  s.disc = p.get('disc') === '1';
  return s;
}

/** Serialise a state to a URL hash (without '#'), skipping the dataset fields that do not apply. */
export function toHash(s) {
  const p = [];
  const put = (k, v) => p.push(`${k}=${v}`);
  const enc = (a) => a.map(encodeURIComponent).join(',');
  put('data', s.data);
  if (s.data === 'csv') {
    put('ds', encodeURIComponent(s.ds));
    if (s.feat.length) put('feat', enc(s.feat));
    if (s.view.length) put('view', enc(s.view));
  } else {
    put('n', s.n);
    put('noise', s.noise);
    if (s.data === 'blobs') put('classes', s.classes);
  }
  put('test', s.test);
  put('seed', s.seed);
  put('layers', s.layers.join(','));
  put('act', s.act);
  put('init', s.init);
  if (s.init === 'constant') put('iv', s.iv);
  put('opt', s.opt);
  put('lr', s.lr);
  put('batch', s.batch);
  put('l1', s.l1);
  put('l2', s.l2);
  put('inputs', s.inputs.join(','));
  put('speed', s.speed);
  put('unit', s.unit);
  if (s.showTest) put('showTest', 1);
  if (s.disc) put('disc', 1);
  return p.join('&');
}

/** The SessionConfig the sessions API takes, for a state and a dataset. */
export function sessionConfig(s, dataset) {
  const features = s.data === 'csv' && s.feat.length ? s.feat : null;
  const twoD = (features || dataset.features).length === 2;
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
  if (s.data === 'csv' && s.view.length === 2) cfg.view_features = s.view;
  return cfg;
}

/** Hyperparameters (the stream's `set` message fields) of a state. */
export function hyperparameters(s) {
  const h = { learning_rate: s.lr, l1: s.l1, l2: s.l2, optimizer: s.opt };
  if (s.batch === 'full') h.full_batch = true; else h.batch_size = s.batch;
  return h;
}
