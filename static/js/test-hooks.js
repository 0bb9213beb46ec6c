// What the browser tests and the page benchmark read (window.__ll and the draw timings);
// nothing on the page uses them.

/** window.__ll: state, session, latest (the frame on show), live, info, viewing, drawn, chart; and the draw timings. */
export function exposeForTests({ page, sessions, frames, nav, loop, info, chart }) {
  const get = {
    state: () => page.state, session: () => sessions.session, latest: () => frames.shown, live: () => frames.live,
    info, viewing: () => nav.viewing, drawn: () => frames.drawn, chart: () => chart,
  };
  window.__ll = Object.defineProperties({}, Object.fromEntries(
    Object.entries(get).map(([name, fn]) => [name, { get: fn, enumerable: true }])));
  Object.defineProperty(window, '__llDrawMs', { get: () => loop.ms ?? undefined, configurable: true });
  window.__llDrawParts = loop.times;
}
