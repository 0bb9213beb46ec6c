// Colours live here: a diverging colour-blind-safe pair for two classes (PuOr), the
// Okabe-Ito categorical palette for more, a viridis-like sequential scale for values, and
// the table of which colours a task's outputs, its targets and a neuron's map take.

import { activation } from './vocabulary.js';

/** The two classes' colours: class 0 orange, class 1 purple (PuOr ends, colour-blind safe). */
export const CLASS2 = ['#e66101', '#5e3c99'];

/** Okabe-Ito: eight colours distinguishable with the common colour-vision deficiencies. */
export const OKABE_ITO = ['#e69f00', '#0072b2', '#009e73', '#cc79a7', '#d55e00', '#56b4e9', '#f0e442', '#000000'];

const DIVERGING_STOPS = ['#e66101', '#fdb863', '#f7f7f7', '#b2abd2', '#5e3c99'];
const VIRIDIS_STOPS = ['#440154', '#414487', '#2a788e', '#22a884', '#7ad151', '#fde725'];

/** '#rrggbb' → [r, g, b]. */
export function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function table(stops) {
  const rgb = stops.map(hexToRgb);
  const out = new Array(256);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (rgb.length - 1);
    const k = Math.min(Math.floor(t), rgb.length - 2);
    const f = t - k;
    out[i] = [0, 1, 2].map((c) => Math.round(rgb[k][c] + (rgb[k + 1][c] - rgb[k][c]) * f));
  }
  return out;
}

const DIVERGING = table(DIVERGING_STOPS);
const SEQUENTIAL = table(VIRIDIS_STOPS);

/** Diverging colour at t in [0, 1] (0 orange, 0.5 near white, 1 purple) as [r, g, b]. */
export function diverging(t) {
  return DIVERGING[Math.round(clamp01(t) * 255)];
}

/** Sequential (viridis-like) colour at t in [0, 1] as [r, g, b]. */
export function sequential(t) {
  return SEQUENTIAL[Math.round(clamp01(t) * 255)];
}

/** Colour of class k among n classes, as '#rrggbb'. */
export function classColor(k, n) {
  return n <= 2 ? CLASS2[k] : OKABE_ITO[k % OKABE_ITO.length];
}

/** [r, g, b] → 'rgb(r,g,b)'. */
export function css(rgb, alpha = 1) {
  return alpha >= 1 ? `rgb(${rgb[0]},${rgb[1]},${rgb[2]})` : `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${alpha})`;
}

function clamp01(t) {
  return t < 0 ? 0 : t > 1 ? 1 : Number.isFinite(t) ? t : 0.5;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Pack [r, g, b] and alpha 0..255 into one Uint32 pixel of an ImageData buffer. */
export function pack(rgb, a = 255) {
  return LITTLE_ENDIAN
    ? ((a << 24) | (rgb[2] << 16) | (rgb[1] << 8) | rgb[0]) >>> 0
    : ((rgb[0] << 24) | (rgb[1] << 16) | (rgb[2] << 8) | a) >>> 0;
}

const PACKED = { diverging: DIVERGING.map((c) => pack(c)), sequential: SEQUENTIAL.map((c) => pack(c)) };

/**
 * A 256-entry lookup from a grid byte u to a packed pixel: the byte means lo + (hi − lo)·u/255,
 * placed on `palette` ('diverging' | 'sequential') between scaleLo and scaleHi.
 * With `steps`, the scale is discretized at its midpoint (two colours).
 */
export function lut(palette, lo, hi, scaleLo, scaleHi, discretize = false) {
  const src = PACKED[palette];
  const out = new Uint32Array(256);
  const span = scaleHi - scaleLo || 1;
  for (let u = 0; u < 256; u++) {
    let t = (lo + ((hi - lo) * u) / 255 - scaleLo) / span;
    t = clamp01(t);
    if (discretize) t = t >= 0.5 ? 1 : 0;
    out[u] = src[Math.round(t * 255)];
  }
  return out;
}

/**
 * The scale [lo, hi] a hidden activation is coloured over: its own range when bounded (the
 * vocabulary's), else symmetric around 0 over the map's values (0 ↦ white).
 */
export function activationScale(key, lo, hi) {
  const a = activation(key);
  const r = a ? a.range : [null, null];
  if (r[0] !== null && r[1] !== null) return [r[0], r[1]];
  const m = Math.max(Math.abs(lo), Math.abs(hi), 1e-6);
  return [-m, m];
}

/** A hidden neuron's map m = {lo, hi}: diverging over its activation's scale. */
export function neuronLut(key, m, discretize = false) {
  const [a, b] = activationScale(key, m.lo, m.hi);
  return lut('diverging', m.lo, m.hi, a, b, discretize);
}

/**
 * Output channel k of K, m = {lo, hi}, for `task`: a value on the sequential scale over
 * yScale (regression), one class's probability from white to its colour (multiclass), or
 * P(second class) on the diverging scale (binary; two colours when `discretize`).
 */
export function outputLut(task, m, k, K, yScale, discretize = false) {
  if (task === 'regression') return lut('sequential', m.lo, m.hi, yScale[0], yScale[1]);
  if (task === 'multiclass') return rampLut(classColor(k, K), m.lo, m.hi);
  return lut('diverging', m.lo, m.hi, 0, 1, discretize);
}

/** The colour (CSS) of a point of target y: its class's (K classes), or its value over [lo, hi]. */
export function targetColor(task, K, [lo, hi]) {
  if (task === 'regression') return (y) => css(sequential((y - lo) / (hi - lo || 1)));
  return (y) => classColor(y, K);
}

/** A CSS linear-gradient of a palette, for legends. */
export function gradientCss(palette) {
  const stops = palette === 'sequential' ? VIRIDIS_STOPS : DIVERGING_STOPS;
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/** A lookup from bytes to a white → `hex` ramp, the value placed between scaleLo and scaleHi. */
export function rampLut(hex, lo, hi, scaleLo = 0, scaleHi = 1) {
  const c = hexToRgb(hex);
  const out = new Uint32Array(256);
  const span = scaleHi - scaleLo || 1;
  for (let u = 0; u < 256; u++) {
    const t = clamp01((lo + ((hi - lo) * u) / 255 - scaleLo) / span);
    out[u] = pack([0, 1, 2].map((k) => Math.round(250 + (c[k] - 250) * t)));
  }
  return out;
}
