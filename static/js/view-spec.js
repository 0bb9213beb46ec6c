// The stream's view: which maps the page draws, so that the server builds only those
// (README, "The view"). While only the diagram's thumbnails show neurons (no card open,
// the output map's tab), they come at 24² — drawn at about 48 px — and no hidden points;
// a card or an explanatory view asks for every neuron at the init's full size again.
// 1-D data keeps every map as it is (a curve's maps are one row). Pure: no DOM.

export const THUMBNAIL = 24;

/** The view control for what is on show: {cardOpen, pane ('output'|'hidden'|'sums'|'collapse')}, init.info. */
export function viewSpec({ cardOpen, pane }, info) {
  if (info.oneD) return { neurons: 'all', neuron_size: info.g, hidden_points: pane === 'hidden' };
  const small = !cardOpen && (pane === 'output' || pane === 'collapse'); // the equivalent layer draws the output map only
  return {
    neurons: 'all',
    neuron_size: small ? Math.min(THUMBNAIL, info.g) : info.g,
    hidden_points: pane === 'hidden',
  };
}
