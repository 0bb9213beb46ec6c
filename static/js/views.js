// The explanatory views beside the playground (hidden space, the 1-D sum of sigmoids, …).
// main.js creates them with the page's callbacks (setParameters(layers), pause(), play(),
// say(text), highlight(ref), light(ref), and update(change), a change of the page's state,
// if it passes one) and feeds them through three hooks, knowing nothing else:
//   setup(init, ctx)  a new session's init message; ctx = { model (init.model), say, highlight, sessionId }
//   frame(frame)      every frame as it arrives (live or a peek at a past step)
//   draw(frame, grids) on requestAnimationFrame, with the frame's decoded grids
//   applies            after setup: whether the view has something to show for this session
// The list in createViews is the only place views are named (by their tab's pane name).

import { HiddenSpace } from './hiddenspace.js';
import { SumsView } from './sums1d.js';
import { CollapseView } from './collapse.js';

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

/** Add a view (an object with any of setup, frame, draw) named `pane`, shown in the element `root`. */
export function register(view, root = null, pane = null) {
  view.root = root;
  view.pane = pane;
  view.visible = !root;
  if (root) seen.observe(root);
  views.push(view);
}

const $ = (id) => document.getElementById(id);
const timing = { total: 0 };
window.__llViewsMs = timing;
let page = null; // the callbacks the views edit and talk through

/** Create the views the page has; options: setParameters(layers), pause(), play(), say(text), highlight(ref), light(ref). */
export function createViews(options) {
  page = options;
  if ($('view-hidden')) register(new HiddenSpace($('view-hidden'), options), $('view-hidden'), 'hidden');
  if ($('view-sums')) register(new SumsView($('view-sums'), options), $('view-sums'), 'sums');
  if ($('view-collapse')) register(new CollapseView($('view-collapse'), options), $('view-collapse'), 'collapse');
}

/** A new session started streaming: its init message (with the exported model). */
export function setup(init) {
  const ctx = { model: Promise.resolve(init.model), say: page.say, highlight: page.highlight, sessionId: init.session.id };
  for (const v of views) if (v.setup) v.setup(init, ctx);
}

/** The panes of the views that apply to the session set up last. */
export function applicable() {
  return views.filter((v) => v.pane && v.on).map((v) => v.pane);
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
