// Numbers as the page writes them: every formatter lives here.

const DASH = '–';

function significant(v, digits, small, large) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < small || a >= large)) return v.toExponential(digits - 2);
  return String(Number(v.toPrecision(digits)));
}

/** A weight or a bias: 4 significant digits, exponent form below 1e-3 and from 1e4. */
export function fmtNum(v) {
  if (v === null || v === undefined) return String(v);
  return significant(v, 4, 1e-3, 1e4);
}

/** A label or an axis tick: 3 significant digits, exponent form below 1e-3 and from 1e5. */
export function fmtShort(v) {
  return significant(v, 3, 1e-3, 1e5);
}

/** A value on the loss chart's axis: 0, whole from 100, one decimal from 1, else 2 digits. */
export function fmtAxis(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(1) : v.toPrecision(2);
}

/** A share as a percentage with one decimal; '–' when there is none. */
export function fmtPercent(v) {
  return Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : DASH;
}

/** A metric: a loss with 4 decimals, or (pct) an accuracy in percent; '–' when there is none. */
export function fmtMetric(v, pct = false) {
  if (pct) return fmtPercent(v);
  return Number.isFinite(v) ? v.toFixed(4) : DASH;
}

/** A loss in a sentence: 3 significant digits; '–' when there is none. */
export function fmtLoss(v) {
  return Number.isFinite(v) ? fmtShort(v) : DASH;
}

/**
 * A weighted sum in words, "1.2·x₁ − 0.5·x₂ + 0.3", for terms [[w, name], …] and a bias:
 * each number by `fmt`; past `max` terms the rest are counted, not written.
 */
export function weightedSum(terms, bias, { fmt = fmtNum, max = Infinity } = {}) {
  const sign = (w, first) => (first ? (w < 0 ? '−' : '') : (w < 0 ? ' − ' : ' + '));
  const shown = terms.slice(0, max).map(([w, name], k) => `${sign(w, k === 0)}${fmt(Math.abs(w))}·${name}`).join('');
  const more = terms.length > max ? ` + … (${terms.length - max} more)` : '';
  return `${shown}${more} ${bias < 0 ? '−' : '+'} ${fmt(Math.abs(bias))}`;
}

/** `template` with each {name} replaced by values[name] (left as it is when values has none). */
export function fill(template, values = {}) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}
