// The explanatory views beside the playground (hidden space, the 1-D sum of sigmoids, …).
// main.js feeds them through three hooks and knows nothing else about them:
//   setup(init, ctx)  a new session's init message; ctx = { api, sessionId, say, highlight }
//   frame(frame)      every frame as it arrives (live or a peek at a past step)
//   draw(frame, grids) on requestAnimationFrame, with the frame's decoded grids
// A view module registers itself here; the list below is the only place views are named.

import { HiddenSpace } from './hiddenspace.js';
import { SumsView } from './sums1d.js';

const views = [];

// A view below the fold is not drawn (its canvas work would be wasted); it catches up with
// the latest frame as soon as it scrolls into sight.
let last = null;
const seen = new IntersectionObserver((entries) => {
  for (const e of entries) {
    const v = views.find((w) => w.root === e.target);
    if (!v) continue;
    v.visible = e.isIntersecting;
    if (v.visible && last && v.draw) requestAnimationFrame(() => v.draw(last.f, last.grids));
  }
});

/** Add a view (an object with any of setup, frame, draw) shown in the element `root`. */
export function register(view, root = null) {
  view.root = root;
  view.visible = !root;
  if (root) seen.observe(root);
  views.push(view);
}

const $ = (id) => document.getElementById(id);
if ($('view-hidden')) register(new HiddenSpace($('view-hidden')), $('view-hidden'));
if ($('view-sums')) register(new SumsView($('view-sums')), $('view-sums'));

const timing = { total: 0 };
window.__llViewsMs = timing;

/** A new session started streaming. */
export function setup(init, ctx) {
  // the exported model (standardization of x and of the target), fetched once for all views
  const oneD = init.grid && (init.grid.y === null || init.grid.y === undefined);
  let model = null;
  if (oneD || init.network.task === 'regression') {
    model = ctx.api.getModel(ctx.sessionId);
    model.catch(() => {});
  }
  const shared = { ...ctx, model };
  for (const v of views) if (v.setup) v.setup(init, shared);
}

/** A frame arrived. */
export function frame(f) {
  for (const v of views) if (v.frame) v.frame(f);
}

/** Draw the latest frame. */
export function draw(f, grids) {
  const t0 = performance.now();
  last = { f, grids };
  for (const v of views) if (v.draw && v.visible) v.draw(f, grids);
  timing.total = performance.now() - t0;
}
