// The vocabulary: every name, range, limit and explanatory text the page shows, exactly as
// GET /api/vocabulary answers it (every page embeds the same JSON in <script id="vocabulary">).
// It is read from the page on first use, not at import, so that modules importing this one
// load in Node too; tests hand it one with useVocabulary().

import { fill } from './format.js';

let parsed = null;

/** The vocabulary: the page's embedded JSON, parsed once (or the one useVocabulary gave). */
export function vocabulary() {
  if (!parsed) parsed = JSON.parse(document.getElementById('vocabulary').textContent);
  return parsed;
}

/** Use `v` as the vocabulary from now on (tests, or a page without the embedded JSON). */
export function useVocabulary(v) {
  parsed = v;
}

/** The words of hidden activation `key`: {key, label, symbol, formula, range}, or undefined. */
export function activation(key) {
  return vocabulary().activations.find((a) => a.key === key);
}

/** The output of `task`: {activation, label, formula, range, units, loss, loss_formula}. */
export function taskOutput(task) {
  const t = vocabulary().tasks.find((x) => x.key === task);
  return t ? t.output : undefined;
}

/** A transform's label (the key itself when the vocabulary has none: a CSV column's name). */
export function transformLabel(key) {
  const t = vocabulary().transforms.find((x) => x.key === key);
  return t ? t.label : key;
}

/** The transforms that are the two view features themselves: the vocabulary lists them first. */
export function rawInputs() {
  return vocabulary().transforms.slice(0, 2).map((t) => t.key);
}

/** View `view`'s text `key` (vocabulary texts.views), its {names} filled from `values`. */
export function viewText(view, key, values = {}) {
  const t = vocabulary().texts.views[view][key];
  if (t === undefined) throw new Error(`no text ${view}.${key} in the vocabulary`);
  return fill(t, values);
}

/** The one-line explanation of a term the page shows on hover (texts.hints: pca, xavier, …). */
export function hint(key) {
  return vocabulary().texts.hints[key] || '';
}
