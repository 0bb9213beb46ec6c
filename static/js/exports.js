// Exports: the model as JSON (the session's exported model from the stream's init, with the
// weights of the live frame: what GET /model answers), the output map as PNG, the run's
// record as CSV.

function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** The exported model with the live frame's weights. */
export function currentModel(model, live) {
  if (!live) return model;
  return { ...model, layers: live.layers.map((l, k) => ({ ...model.layers[k], weights: l.weights, bias: l.bias })) };
}

/** Download `kind` ('model' | 'png' | 'csv'); ctx: model (init's), live (frame), output (OutputView), record (RunRecord). */
export async function exportAs(kind, { model, live, output, record }) {
  const step = live ? live.step : 0;
  if (kind === 'model') {
    download(new Blob([JSON.stringify(currentModel(model, live), null, 2)], { type: 'application/json' }), `logistic-lens-model-step${step}.json`);
  } else if (kind === 'png') {
    const blob = await output.toPNG();
    if (!blob) throw new Error('The map could not be turned into a PNG.');
    download(blob, `logistic-lens-map-step${step}.png`);
  } else {
    download(new Blob([record.csv()], { type: 'text/csv' }), 'logistic-lens-history.csv');
  }
}
