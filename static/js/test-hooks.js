// What the browser tests and the page benchmark read (window.__ll and the draw timings);
// nothing on the page uses them.

/** Expose getters: state, session, latest, live, info, viewing, drawn; and the render loop's timings. */
export function exposeForTests(get, loop) {
  window.__ll = Object.defineProperties({}, Object.fromEntries(
    Object.entries(get).map(([name, fn]) => [name, { get: fn, enumerable: true }])));
  Object.defineProperty(window, '__llDrawMs', { get: () => loop.ms ?? undefined, configurable: true });
  window.__llDrawParts = loop.times;
}
