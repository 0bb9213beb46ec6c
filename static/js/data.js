// The data panel: built-in dataset thumbnails, the generator's parameters, CSV upload (button
// or drag-and-drop) and the column chooser (target, features, the two drawn features).
// Column names come from the user's file: they are only ever inserted with textContent.

import { $, el, option, breakableText } from './dom.js';
import { fmtShort } from './format.js';
import { defaultFeatures } from './state.js';

/** The data panel; callbacks: onKind(kind), onParam(name, value), onFile(file), onColumns(choice), onTarget(name). */
export class DataPanel {
  constructor(callbacks) {
    this.cb = callbacks;
    this.dataset = null;
    this.buttons = new Map(); // the built-in datasets' thumbnails (templates/_data.html renders them)
    for (const b of document.querySelectorAll('#dataset-grid .ds-thumb')) {
      b.addEventListener('click', () => this.cb.onKind(b.dataset.kind));
      this.buttons.set(b.dataset.kind, b);
    }
    const slider = (id, name, fmt) => {
      const input = $(`in-${id}`);
      const out = $(`out-${id}`);
      input.addEventListener('input', () => { out.textContent = fmt(Number(input.value)); });
      input.addEventListener('change', () => this.cb.onParam(name, Number(input.value)));
      return { input, out, fmt };
    };
    this.sliders = {
      test: slider('test', 'test', (v) => `${Math.round(v * 100)}%`),
      noise: slider('noise', 'noise', (v) => v.toFixed(2)),
      n: slider('n', 'n', (v) => String(v)),
    };
    if ($('in-classes')) this.sliders.classes = slider('classes', 'classes', (v) => String(v));
    const seed = $('in-seed');
    seed.addEventListener('change', () => {
      const v = Math.max(0, Math.min(Number(seed.max), Math.round(Number(seed.value) || 0)));
      this.cb.onParam('seed', v);
    });
    $('btn-reseed').addEventListener('click', () => this.cb.onParam('seed', Math.floor(Math.random() * 100000)));

    // upload: button and drag-and-drop
    const file = $('in-file');
    file.addEventListener('change', () => {
      if (file.files && file.files[0]) this.cb.onFile(file.files[0]);
      file.value = '';
    });
    const zone = $('dropzone');
    const panel = document.querySelector('.col-data');
    for (const t of [zone, panel]) {
      t.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
      t.addEventListener('dragleave', (e) => { if (!t.contains(e.relatedTarget)) zone.classList.remove('over'); });
      t.addEventListener('drop', (e) => {
        e.preventDefault();
        zone.classList.remove('over');
        const f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
        if (f) this.cb.onFile(f);
      });
    }
    $('btn-csv-train').addEventListener('click', () => this.cb.onColumns(this.choice()));
    $('in-view-x').addEventListener('change', () => this.syncView('x'));
    $('in-view-y').addEventListener('change', () => this.syncView('y'));
  }

  /** Reflect the state in the controls. */
  render(s) {
    for (const [kind, b] of this.buttons) {
      const on = s.data === kind;
      b.classList.toggle('selected', on);
      b.setAttribute('aria-checked', String(on));
    }
    for (const [name, sl] of Object.entries(this.sliders)) {
      sl.input.value = String(s[name]);
      sl.out.textContent = sl.fmt(s[name]);
    }
    if ($('row-classes')) $('row-classes').hidden = s.data !== $('row-classes').dataset.kind;
    for (const e of document.querySelectorAll('.gen-only')) e.classList.toggle('disabled', s.data === 'csv');
    for (const e of document.querySelectorAll('.gen-only input')) e.disabled = s.data === 'csv';
    $('in-seed').value = String(s.seed);
    $('csv-panel').hidden = s.data !== 'csv' || !this.dataset;
  }

  /** Show an uploaded dataset's columns to choose from; `choice` = {target, features, view} to preselect. */
  showDataset(ds, choice = {}) {
    this.dataset = ds;
    const target = choice.target || ds.target;
    const cands = new Map((ds.target_candidates || []).map((c) => [c.name, c]));
    const cand = cands.get(target);
    const task = cand ? cand.task : ds.task;
    const n = cand ? cand.n_classes : ds.classes && ds.classes.length;
    $('csv-panel').hidden = false;
    $('csv-name').textContent = ds.name;
    const classes = task === 'classification' && n ? `, ${n} classes` : '';
    $('csv-meta').textContent = `${ds.n_rows} rows, ${task}${classes}${ds.dropped_rows ? `, ${ds.dropped_rows} rows dropped` : ''}`;
    $('csv-target-why').textContent = target === ds.target
      ? `Target ${target}: ${ds.target_reason}. Click another column's circle to predict it instead.`
      : `Target ${target}: your choice (a ${task}). The upload's own guess was ${ds.target}.`;
    $('in-task').value = 'auto';
    const features = new Set(choice.features && choice.features.length ? choice.features : defaultFeatures(ds, target));
    const tbody = $('csv-columns');
    tbody.replaceChildren();
    for (const col of ds.columns) {
      const tr = el('tr', '', tbody);
      const th = breakableText(el('th', '', tr), col.name);
      th.scope = 'row';
      th.title = col.name;
      el('td', 'muted', tr, col.kind === 'numeric' ? `${fmt(col.min)} … ${fmt(col.max)}` : `text, ${col.distinct ?? '?'} values`);
      const radio = el('input', '', el('td', '', tr));
      radio.type = 'radio';
      radio.name = 'csv-target';
      radio.value = col.name;
      radio.checked = col.name === target;
      const usable = col.name === ds.target || cands.has(col.name);
      radio.disabled = !usable;
      const c = cands.get(col.name);
      radio.title = !usable ? 'This column cannot be a target.' : c ? `Predict ${col.name}: ${c.task}${c.n_classes ? `, ${c.n_classes} classes` : ''}` : `Predict ${col.name}`;
      radio.setAttribute('aria-label', `Target: ${col.name}`);
      radio.addEventListener('change', () => { this.onTarget(col.name); this.cb.onTarget(col.name); });
      const box = el('input', 'csv-feature', el('td', '', tr));
      box.type = 'checkbox';
      box.value = col.name;
      box.dataset.kind = col.kind;
      box.setAttribute('aria-label', `Feature: ${col.name}`);
      box.checked = col.kind === 'numeric' && col.name !== target && features.has(col.name);
      box.disabled = col.kind !== 'numeric' || col.name === target;
      if (col.kind !== 'numeric') box.title = 'A text column cannot be a feature.';
      else if (col.name === target) box.title = 'The target cannot also be a feature.';
      box.addEventListener('change', () => this.renderView());
    }
    const nf = $('csv-nonfeatures');
    nf.textContent = (ds.non_features || []).filter((x) => x.name !== ds.target && x.name !== target)
      .map((x) => `${x.name}: ${x.reason}`).join(' · ');
    this.renderView(choice.view);
  }

  onTarget(name) {
    for (const box of document.querySelectorAll('.csv-feature')) {
      const isTarget = box.value === name;
      box.disabled = box.dataset.kind !== 'numeric' || isTarget;
      if (isTarget) box.checked = false;
      box.title = box.dataset.kind !== 'numeric' ? 'A text column cannot be a feature.' : isTarget ? 'The target cannot also be a feature.' : '';
    }
    this.renderView();
  }

  selectedFeatures() {
    return [...document.querySelectorAll('.csv-feature')].filter((b) => b.checked && !b.disabled).map((b) => b.value);
  }

  renderView(view) {
    const feats = this.selectedFeatures();
    const box = $('view-pickers');
    box.hidden = feats.length <= 2;
    const sx = $('in-view-x');
    const sy = $('in-view-y');
    const prev = view && view.length === 2 ? view : [sx.value, sy.value];
    for (const [sel, k] of [[sx, 0], [sy, 1]]) {
      sel.replaceChildren(...feats.map((f) => option(f, f)));
      sel.value = feats.includes(prev[k]) ? prev[k] : feats[k] || feats[0] || '';
    }
    if (sx.value === sy.value && feats.length > 1) sy.value = feats.find((f) => f !== sx.value);
    $('btn-csv-train').disabled = feats.length === 0;
  }

  syncView(which) {
    const sx = $('in-view-x');
    const sy = $('in-view-y');
    if (sx.value === sy.value) {
      const other = this.selectedFeatures().find((f) => f !== sx.value);
      if (which === 'x') sy.value = other; else sx.value = this.selectedFeatures().find((f) => f !== sy.value);
    }
  }

  /** The current column choice: {target, task, features, view}. */
  choice() {
    const t = document.querySelector('input[name="csv-target"]:checked');
    const features = this.selectedFeatures();
    return {
      target: t ? t.value : null,
      task: $('in-task').value,
      features,
      view: features.length > 2 ? [$('in-view-x').value, $('in-view-y').value] : [],
    };
  }
}

function fmt(v) {
  return Number.isFinite(v) ? fmtShort(v) : '?';
}
