// The model's standardization, in one place: a feature between its raw units and the
// standardized value the network sees, the target between the network's output and its own
// units, and a first-layer line carried into raw units. `model` is the stream's init.model
// (GET /model's content: standardize {mean, std}, target_standardize {mean, std} or null).

/** Feature f's raw value at standardized value z. */
export function rawFeature(model, f, z) {
  const { mean, std } = model.standardize;
  return mean[f] + (std[f] || 1) * z;
}

/** Feature f's standardized value at raw value x. */
export function standardFeature(model, f, x) {
  const { mean, std } = model.standardize;
  return (x - mean[f]) / (std[f] || 1);
}

/** The target's units: raw = ys·(network output) + ym (1 and 0 when it is not standardized). */
export function targetScale(model) {
  const t = model && model.target_standardize;
  return t ? { ys: t.std, ym: t.mean } : { ys: 1, ym: 0 };
}

/**
 * The line Σ w·z_f + b = 0 over standardized features, terms = [{f, w}], as A·X + B·Y + C = 0
 * in the raw units of view features vx and vy (vy = −1 in 1-D). Any other feature is held at
 * its training mean on the map, standardized 0, and adds nothing.
 */
export function lineInRaw(model, terms, b, vx, vy) {
  const { mean, std } = model.standardize;
  let A = 0;
  let B = 0;
  let C = b;
  for (const { f, w } of terms) {
    const s = std[f] || 1;
    if (f === vx) A += w / s; else if (f === vy) B += w / s; else continue;
    C -= (w * mean[f]) / s;
  }
  return { A, B, C };
}
