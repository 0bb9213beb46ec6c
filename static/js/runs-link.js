// The playground's link to Runs side by side: at click time it points at /runs with the
// playground's current setup (its URL hash), trained from 8 seeds. Self-contained.

const SEEDS = 8;

/** Make `anchor` open /runs#seeds=8&<the playground's hash>, read when it is clicked. */
export function bindRunsLink(anchor) {
  const update = () => { anchor.href = `/runs#seeds=${SEEDS}&${location.hash.replace(/^#/, '')}`; };
  update();
  // pointerdown and focus too, so a middle click or "open in new tab" gets the current setup
  for (const type of ['click', 'pointerdown', 'focus', 'contextmenu']) anchor.addEventListener(type, update);
}
