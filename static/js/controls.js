// The toolbar and the page's other controls: transport buttons, speed, hyperparameters,
// architecture buttons, output toggles and exports. It reads and writes the controls only;
// what a change means is main.js's business (through the callbacks).

import { SPEEDS, usesInitValue } from './state.js';
import { $, option } from './dom.js';

/** Bind the controls; callbacks: onPlay, onStep, onReset, onChange({stateKey: value}), onLayers(d), onExport(kind). */
export class Controls {
  constructor(cb) {
    this.cb = cb;
    this.running = false;
    $('btn-play').addEventListener('click', () => cb.onPlay());
    $('btn-step').addEventListener('click', () => cb.onStep());
    $('btn-reset').addEventListener('click', () => cb.onReset());
    const speed = $('in-speed');
    speed.addEventListener('input', () => { $('out-speed').textContent = speedLabel(Number(speed.value), $('in-unit').value); });
    const onSpeed = () => cb.onChange({ speed: Number(speed.value), unit: $('in-unit').value });
    speed.addEventListener('change', onSpeed);
    $('in-unit').addEventListener('change', onSpeed);
    const sel = (id, name, parse) => $(id).addEventListener('change', (e) => cb.onChange({ [name]: parse(e.target.value) }));
    sel('in-lr', 'lr', Number);
    sel('in-opt', 'opt', String);
    sel('in-batch', 'batch', (v) => (v === 'full' ? 'full' : Number(v)));
    sel('in-l1', 'l1', Number);
    sel('in-l2', 'l2', Number);
    sel('in-act', 'act', String);
    sel('in-init', 'init', String);
    const iv = $('in-init-value');
    sel('in-init-value', 'iv', (v) => Math.max(Number(iv.min), Math.min(Number(iv.max), Number(v) || 0)));
    $('btn-layer-add').addEventListener('click', () => cb.onLayers(+1));
    $('btn-layer-remove').addEventListener('click', () => cb.onLayers(-1));
    $('in-show-test').addEventListener('change', (e) => cb.onChange({ showTest: e.target.checked }));
    $('in-discretize').addEventListener('change', (e) => cb.onChange({ disc: e.target.checked }));
    $('btn-export-model').addEventListener('click', () => cb.onExport('model'));
    $('btn-export-png').addEventListener('click', () => cb.onExport('png'));
    $('btn-export-csv').addEventListener('click', () => cb.onExport('csv'));
  }

  /** Reflect the state in the controls; `limits` = {maxLayers}; `task` words the 0-layer label. */
  render(s, limits, task) {
    setSelect($('in-lr'), String(s.lr));
    setSelect($('in-opt'), s.opt);
    setSelect($('in-batch'), String(s.batch));
    setSelect($('in-l1'), String(s.l1));
    setSelect($('in-l2'), String(s.l2));
    setSelect($('in-act'), s.act);
    setSelect($('in-init'), s.init);
    $('in-init-value').value = String(s.iv);
    $('field-init-value').hidden = !usesInitValue(s);
    $('in-speed').value = String(s.speed);
    $('in-unit').value = s.unit;
    $('out-speed').textContent = speedLabel(s.speed, s.unit);
    $('in-show-test').checked = s.showTest;
    $('in-discretize').checked = s.disc;
    const n = s.layers.length;
    const label = $('layers-label');
    label.textContent = n === 0 ? label.dataset[`zero${task[0].toUpperCase()}${task.slice(1)}`] || '0 hidden layers' : `${n} hidden layer${n === 1 ? '' : 's'}`;
    $('btn-layer-add').disabled = n >= limits.maxLayers;
    $('btn-layer-remove').disabled = n === 0;
    // the activation acts on hidden neurons only; a regression has no classes to discretize
    const act = $('in-act');
    act.disabled = n === 0;
    act.title = n === 0 ? act.dataset.noLayers : '';
    $('in-discretize').closest('label').hidden = task === 'regression';
  }

  /** Show the play button as playing or paused. */
  setRunning(running) {
    this.running = running;
    const b = $('btn-play');
    b.classList.toggle('playing', running);
    b.setAttribute('aria-pressed', String(running));
    b.setAttribute('aria-label', running ? 'Pause' : 'Play');
  }

  /** Step and epoch counters. */
  setCounters(step, epoch) {
    $('out-step').textContent = step.toLocaleString('en-US');
    $('out-epoch').textContent = epoch.toLocaleString('en-US');
  }
}

/** A select keeps a value not among its options by adding it (e.g. a learning rate from a URL). */
function setSelect(sel, value) {
  if (![...sel.options].some((o) => o.value === value)) {
    sel.appendChild(option(value, value));
  }
  sel.value = value;
}

/** The speed slider's label. */
export function speedLabel(level, unit) {
  const v = SPEEDS[level];
  if (v === null || v === undefined) return 'max';
  return `${v.toLocaleString('en-US')} ${unit === 'epochs' ? 'epochs' : 'steps'}/s`;
}
