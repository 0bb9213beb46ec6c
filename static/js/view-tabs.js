// The tabs of the output column: the output map, or one of the explanatory views that applies
// to the session on show (views.js says which). The choice is the page state's `pane`; a
// chosen view that does not apply shows the output map instead. DOM only; no training logic.

/** The tabs in `root` (buttons with data-pane); onPick(pane) when one is clicked. */
export class ViewTabs {
  constructor(root, onPick) {
    this.tabs = [...root.querySelectorAll('[data-pane]')];
    this.applies = new Set(['output']);
    for (const tab of this.tabs) tab.addEventListener('click', () => onPick(tab.dataset.pane));
  }

  /** Show the tabs of the panes that apply and the chosen pane (or the output map); → the pane shown. */
  render(applicable, chosen) {
    this.applies = new Set(['output', ...applicable]);
    const shown = this.applies.has(chosen) ? chosen : 'output';
    for (const tab of this.tabs) {
      const pane = tab.dataset.pane;
      tab.hidden = !this.applies.has(pane);
      tab.setAttribute('aria-selected', String(pane === shown));
      tab.tabIndex = pane === shown ? 0 : -1;
      const panel = document.getElementById(tab.getAttribute('aria-controls'));
      if (panel) panel.hidden = pane !== shown;
    }
    // one tab alone says nothing: the bar shows only when there is a choice
    this.tabs[0].parentElement.hidden = this.applies.size < 2;
    return shown;
  }
}
