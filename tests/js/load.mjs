// Fixtures for the drawing modules' tests: the server's real vocabulary (written by
// `python -c` from app.vocabulary.build, see tests/js/fixtures/README) and small frames.
import { readFileSync } from 'node:fs';

/** tests/js/fixtures/<name>, parsed. */
export function fixture(name) {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}

/** A frame fixture ({init: {network, grid, model}, frame}) with every map decoded: grids = {output, neurons}. */
export async function frameFixture(name) {
  const { decodeMaps } = await import('../../static/js/maps.js');
  const data = fixture(`${name}.json`);
  const f = data.frame;
  data.grids = { output: decodeMaps(f.output, []), neurons: f.neurons.map((layer) => decodeMaps(layer, [])) };
  return data;
}

/** The step of a decoded map: one byte is worth (hi − lo)/255. */
export const step = (m) => (m.hi - m.lo) / 255;
