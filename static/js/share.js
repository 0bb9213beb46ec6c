// A live session shared with a class: the owner's "Share live" link (?watch=<id>) and how many
// watch; a watcher's page, which streams with ?role=watch, never builds or deletes a session,
// keeps its editing controls inert and offers "Make my own copy" (a fork at the step on show,
// opened as ?session=<id>, a session the page adopts instead of building one).

/** What the URL asks: watch someone's session, or adopt one (a fork) instead of building one. */
export function shareMode(search) {
  const q = new URLSearchParams(search);
  const id = (name) => { const v = q.get(name); return v && /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : null; };
  return { watch: id('watch'), adopt: id('session') };
}

/** The page URL that watches (or, with `param` 'session', adopts) session `id` with state `hash`. */
export function sessionLink(loc, id, hash, param = 'watch') {
  return `${loc.origin}${loc.pathname}?${param}=${encodeURIComponent(id)}${hash || ''}`;
}

/** The elements the owner alone uses: a watcher's are inert (the server refuses them anyway). */
const OWNER_ONLY = ['.toolbar .transport', '.toolbar .field', '.col-data', '.net-head .layer-buttons', '.net-head .arch-fields'];

/**
 * The share bar (templates/_share.html). opts: watching (bool), sessionId() → id | null,
 * hash() → the page's state hash, onAllow(allow) (the owner lets watchers control),
 * fork() → Promise<id> (a copy of the watched session), say(text).
 */
export class ShareBar {
  constructor(doc, opts) {
    Object.assign(this, opts);
    this.doc = doc;
    this.audience = 0; // how many watch (the server's last `watchers` message)
    const $ = (id) => doc.getElementById(id);
    this.el = { share: $('btn-share'), box: $('share-box'), link: $('share-link'), copy: $('btn-copy-link'), audience: $('share-audience'), count: $('share-count'), allow: $('share-allow'), banner: $('watch-banner'), allowed: $('watch-allowed'), own: $('btn-own-copy') };
    const { el } = this;
    el.share.hidden = this.watching;
    el.banner.hidden = !this.watching;
    if (this.watching) {
      doc.body.classList.add('watching');
      for (const sel of OWNER_ONLY) for (const node of doc.querySelectorAll(sel)) node.inert = true;
      el.own.addEventListener('click', () => this.ownCopy());
    } else {
      el.share.addEventListener('click', () => this.open());
      el.copy.addEventListener('click', () => this.copy());
      el.allow.addEventListener('change', () => this.onAllow(el.allow.checked));
    }
  }

  /** Show the owner the link that opens this very session for watchers. */
  open() {
    const id = this.sessionId();
    if (!id) return;
    this.el.link.value = sessionLink(this.doc.location, id, this.hash());
    this.el.box.hidden = false;
    this.el.link.select();
  }

  async copy() {
    try {
      await navigator.clipboard.writeText(this.el.link.value);
      this.say('Link copied: anyone on this server who opens it watches this session live.', 'info');
    } catch {
      this.el.link.select(); // no clipboard (plain http off loopback): the selected link, to copy by hand
    }
  }

  /** The server's `watchers` message: how many watch, and whether they may control. */
  setAudience(count, allowControl) {
    const { el } = this;
    this.audience = count;
    if (this.watching) { el.allowed.hidden = !allowControl; return; }
    el.count.value = String(count);
    el.audience.hidden = count === 0;
    el.allow.checked = allowControl;
  }

  /** The owner's page replaces its session by `created` (a new network): its watchers follow. */
  replaced(created, send) {
    if (this.audience > 0) send({ type: 'share', follow: created.id, hash: this.hash() });
  }

  /** The server's `moved` message to a watcher: the owner went on to another session. */
  follow(msg) {
    if (this.watching) this.doc.location.assign(sessionLink(this.doc.location, msg.session, msg.hash));
  }

  /** A new session of the owner's (a rebuild): the link box shows the new link. */
  sessionChanged() {
    if (!this.watching && !this.el.box.hidden) this.open();
  }

  async ownCopy() {
    this.el.own.disabled = true;
    try {
      const id = await this.fork();
      this.doc.location.assign(sessionLink(this.doc.location, id, this.hash(), 'session'));
    } catch (e) {
      this.el.own.disabled = false;
      this.say(`No copy could be made: ${e.message}`);
    }
  }
}
