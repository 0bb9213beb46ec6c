// "Try something else from here": fork the run at the step on show (REST POST /fork) and open
// the fork in this page (?session=<fork>, the page adopts it; &from=<source> remembers the run
// it came from), so the learner can change the learning rate, the activation or the
// regularisation and compare the two side by side on /runs (#ids=<source>,<this run>).

import { forkSession } from './api.js';

/** The page URL that opens fork `id` (made from session `from`) with state `hash`. */
export function forkLink(loc, id, from, hash) {
  return `${loc.origin}${loc.pathname}?session=${encodeURIComponent(id)}&from=${encodeURIComponent(from)}${hash || ''}`;
}

/** The /runs URL that compares session `from` with session `id`. */
export function compareLink(from, id) {
  return `/runs#ids=${encodeURIComponent(from)},${encodeURIComponent(id)}`;
}

/** The run a page's session was forked from (?from=), or null. */
export function forkedFrom(search) {
  const v = new URLSearchParams(search).get('from');
  return v && /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : null;
}

/** Fork session `id` at `step` (null: now) and open the fork here. */
export async function tryFromHere({ id, step, hash, loc = location, fork = forkSession }) {
  const made = await fork(id, step);
  loc.assign(forkLink(loc, made.id, id, hash));
  return made;
}

/** On a fork's page, show `anchor` as the link comparing it with the run it came from (the
 * session on show is read when the link is used: a rebuilt network is compared, too). */
export function bindCompareLink(anchor, sessionId, search = location.search) {
  const from = forkedFrom(search);
  if (!anchor || !from) return;
  anchor.hidden = false;
  const update = () => { const id = sessionId(); if (id) anchor.href = compareLink(from, id); };
  update();
  for (const type of ['click', 'pointerdown', 'focus', 'contextmenu']) anchor.addEventListener(type, update);
}
