// The explanatory views beside the playground (hidden space, the 1-D sum of sigmoids, …).
// main.js feeds them through three hooks and knows nothing else about them:
//   setup(init, ctx)  a new session's init message; ctx = { api, sessionId, say, highlight }
//   frame(frame)      every frame as it arrives (live or a peek at a past step)
//   draw(frame, grids) on requestAnimationFrame, with the frame's decoded grids
// A view module registers itself here; the list below is the only place views are named.

const views = [];

/** Add a view: an object with any of setup, frame, draw. */
export function register(view) {
  views.push(view);
}

/** A new session started streaming. */
export function setup(init, ctx) {
  for (const v of views) if (v.setup) v.setup(init, ctx);
}

/** A frame arrived. */
export function frame(f) {
  for (const v of views) if (v.frame) v.frame(f);
}

/** Draw the latest frame. */
export function draw(f, grids) {
  for (const v of views) if (v.draw) v.draw(f, grids);
}
