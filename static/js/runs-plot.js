// Runs side by side, the painters: loss curves overlaid (one colour per run, train solid,
// test dashed, the raw curve faint behind the smoothed one), one run's output map with the
// data's rows and its boundary, and the final losses as a dot plot. The grids and colours are
// the playground's (maps.js, heatmap.js, colors.js); the strokes, draw.js's.

import { paintCurve, paintOutput, vectorContext } from './heatmap.js';
import { toBytes } from './maps.js';
import { OKABE_ITO } from './colors.js';
import { clipTo, contour, drawAxes, scale, scatterOnMap, strokeCurve, strokeSegments, ticks } from './draw.js';
import { fmtShort } from './format.js';

/** Run i's colour: Okabe-Ito's eight, then hues spread by the golden angle. */
export function runColor(i) {
  if (i < OKABE_ITO.length) return OKABE_ITO[i];
  return `hsl(${Math.round((i * 137.508) % 360)} 65% 42%)`;
}

/** A round number at or above v (1, 2, 2.5, 5 × a power of ten). */
export function niceCeil(v) {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const mag = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= v * (1 - 1e-12));
}

const finiteMax = (arrays) => {
  let m = 0;
  for (const a of arrays) for (const v of a) if (Number.isFinite(v) && v > m) m = v;
  return m;
};

/**
 * Loss curves: runs = [{color, steps, train, test, rawTrain, rawTest}] (raw: the unsmoothed
 * values, drawn faint when given). The y axis runs from 0. `hover`: a step marked with a
 * vertical line, or null. Returns the step under a CSS-px x: stepAt(x) (null off the plot).
 */
export function drawCurves(canvas, runs, hover = null) {
  const { ctx, w, h } = vectorContext(canvas);
  ctx.clearRect(0, 0, w, h);
  const r = { x: 44, y: 8, w: Math.max(10, w - 66), h: Math.max(10, h - 46) };
  const xmax = Math.max(1, ...runs.map((run) => run.steps[run.steps.length - 1] || 0));
  const ymax = niceCeil(finiteMax(runs.flatMap((run) => [run.rawTrain || run.train, run.rawTest || run.test])));
  const X = scale(0, xmax, r.x, r.x + r.w);
  const Y = scale(0, ymax, r.y + r.h, r.y);
  drawAxes(ctx, r, X, Y, [0, xmax], [0, ymax], { xTitle: 'step', yTitle: 'loss', nx: 6, ny: 4 });
  clipTo(ctx, r);
  const stroke = (steps, values, color, width, dash) => {
    // a gap (null, NaN) breaks the line
    let k = 0;
    while (k < steps.length) {
      while (k < steps.length && !Number.isFinite(values[k])) k++;
      const start = k;
      while (k < steps.length && Number.isFinite(values[k])) k++;
      if (k > start) strokeCurve(ctx, k - start, (j) => X(steps[start + j]), (j) => Y(values[start + j]), color, width, dash);
    }
  };
  ctx.globalAlpha = 0.22;
  for (const run of runs) {
    if (run.rawTrain) stroke(run.steps, run.rawTrain, run.color, 1, []);
    if (run.rawTest) stroke(run.steps, run.rawTest, run.color, 1, [4, 3]);
  }
  ctx.globalAlpha = 1;
  for (const run of runs) {
    stroke(run.steps, run.test, run.color, 1.6, [5, 3]);
    stroke(run.steps, run.train, run.color, 1.8, []);
  }
  if (hover !== null) strokeCurve(ctx, 2, () => Math.round(X(hover)) + 0.5, (j) => (j ? r.y + r.h : r.y), '#5f6675', 1, [2, 2]);
  ctx.restore();
  return (x) => (x < r.x || x > r.x + r.w ? null : Math.round(X.invert(x)));
}

/** A snapshot's output as maps {lo, hi, bytes} per channel, the way the big map takes them. */
export function outputChannels(snap, task) {
  if (task === 'multiclass') return snap.output.map((rows) => toBytes(rows, 0, 1));
  if (task === 'regression') {
    let lo = Infinity;
    let hi = -Infinity;
    for (const row of snap.output) for (const v of row) { if (v < lo) lo = v; if (v > hi) hi = v; }
    return [toBytes(snap.output, lo, hi > lo ? hi : lo + 1)];
  }
  return [toBytes(snap.output, 0, 1)];
}

/**
 * One run's map at a step: the output painted on `map` (a curve for 1-D data), the rows and
 * (two classes) the boundary P = 0.5 on `overlay`. info: {task, classes, yScale}; points:
 * {x: [[v1, v2]…], y: [class index or value…]} in the map's features, or null.
 */
export function drawMap(map, overlay, snap, info, points) {
  const G = snap.grid.size;
  const oneD = snap.grid.y === null || snap.grid.y === undefined;
  const channels = outputChannels(snap, info.task);
  const full = { ...info, x: snap.grid.x, y: snap.grid.y, oneD, G };
  const { ctx, w, h } = vectorContext(overlay);
  ctx.clearRect(0, 0, w, h);
  if (oneD) {
    const range = info.task === 'regression' ? info.yScale : [0, 1];
    paintCurve(map, channels[0].bytes, channels[0].lo, channels[0].hi, range[0], range[1], '#1d2330');
    return;
  }
  paintOutput(map, channels, full, G);
  scatterOnMap(ctx, full, points, G, w, h, 1.7, 400);
  if (info.task === 'binary') {
    const values = new Float32Array(G * G);
    snap.output.forEach((row, i) => row.forEach((v, j) => { values[i * G + j] = v; }));
    strokeSegments(ctx, contour(values, G, 0.5), G, w, h, '#1d2330', 1.4);
  }
}

/**
 * The final losses as dots on one axis from 0: a row for train and one for test, a dot per
 * run in its colour (runs = [{color, train, test}]).
 */
export function drawSpread(canvas, runs) {
  const { ctx, w, h } = vectorContext(canvas);
  ctx.clearRect(0, 0, w, h);
  const r = { x: 44, y: 6, w: Math.max(10, w - 66), h: Math.max(10, h - 40) };
  const xmax = niceCeil(finiteMax([runs.map((x) => x.train), runs.map((x) => x.test)]));
  const X = scale(0, xmax, r.x, r.x + r.w);
  const rows = [['train', 'train'], ['test', 'test']].filter(([k]) => runs.some((x) => Number.isFinite(x[k])));
  const rowY = (k) => r.y + ((k + 0.5) / rows.length) * r.h;
  ctx.font = '10.5px system-ui, sans-serif';
  ctx.strokeStyle = '#e6e8ee';
  ctx.fillStyle = '#5f6675';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.beginPath();
  for (const t of ticks(0, xmax, 5)) {
    const px = Math.round(X(t)) + 0.5;
    ctx.moveTo(px, r.y);
    ctx.lineTo(px, r.y + r.h);
    ctx.fillText(fmtShort(t), px, r.y + r.h + 3);
  }
  ctx.stroke();
  ctx.strokeStyle = '#c8ccd6';
  ctx.strokeRect(r.x + 0.5, r.y + 0.5, r.w - 1, r.h - 1);
  ctx.font = '11px system-ui, sans-serif';
  rows.forEach(([key, name], k) => {
    const y = rowY(k);
    ctx.fillStyle = '#5f6675';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText(name, r.x - 6, y);
    for (const run of runs) {
      const v = run[key];
      if (!Number.isFinite(v)) continue;
      ctx.beginPath();
      ctx.arc(X(v), y, 5, 0, 2 * Math.PI);
      ctx.fillStyle = run.color;
      ctx.globalAlpha = 0.75;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  });
  ctx.textAlign = 'center';
  ctx.fillStyle = '#1d2330';
  ctx.fillText('final loss', r.x + r.w / 2, r.y + r.h + 28);
}
