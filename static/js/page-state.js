// The page's state, kept in the URL hash: read at load and on every hash change (a pasted
// link, the back button), written on every change. Each change is reported with its effect
// under state.js's one rebuild rule.

import { readHash, writeHash, effectOf } from './state.js';

/** The state; onChange(effect, source) with effect null|'view'|'speed'|'set'|'rebuild', source 'ui'|'hash'|'session'. */
export class PageState {
  constructor(table, onChange) {
    this.table = table;
    this.onChange = onChange;
    this.state = readHash(location.hash, table);
    window.addEventListener('hashchange', () => {
      const before = this.state;
      this.state = readHash(location.hash, table);
      this.onChange(effectOf(before, this.state, table), 'hash');
    });
  }

  /** Change some fields (never mutate the state in place: the rule compares before and after). */
  update(changes) {
    const before = this.state;
    this.state = { ...before, ...changes };
    this.save();
    this.onChange(effectOf(before, this.state, this.table), 'ui');
  }

  /** Take fields from the session the page adopted (a fork, a watched run): reported with
   * source 'session', so that nothing is sent back to it. */
  adopt(changes) {
    const before = this.state;
    this.state = { ...before, ...changes };
    this.save();
    this.onChange(effectOf(before, this.state, this.table), 'session');
  }

  /** Write the state to the hash (without a history entry). */
  save() {
    const hash = `#${writeHash(this.state, this.table)}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }
}
