// The dataset and session lifecycle: the dataset a state asks for (generated, or an upload
// fetched by id), one session for the state at a time (a newer request wins), and cleanup:
// the replaced session is deleted, and so are generated datasets no session uses any more.
// A page may instead adopt an existing session (a fork it made, ?session=) or watch someone
// else's (?watch=): a watched session and its dataset are never built, replaced or deleted.

import { isUpload, datasetSpec, sessionConfig } from './state.js';

const DEBOUNCE_MS = 180;

/**
 * callbacks: onDataset(ds, fetched) (a dataset is in use), onSession(session) (streaming it is
 * next), onReplace(old, created) (just before a new session replaces one). adopt: a session id to take instead of building the first one; watching: it is
 * someone else's (never replaced, never deleted).
 */
export class Sessions {
  constructor({ api, vocab, say, onDataset, onSession, onReplace = () => {}, adopt = null, watching = false }) {
    Object.assign(this, { api, vocab, say, onDataset, onSession, onReplace, adopt, watching });
    this.dataset = null; // the Dataset the session trains on
    this.key = ''; // what produced it: a generator spec, or 'csv:<id>'
    this.session = null;
    this.garbage = []; // generated datasets to delete once no session uses them
    this.seq = 0;
    this.timer = 0;
  }

  /** Use `ds` from now on (`key`: its generator spec, or none for an upload). */
  use(ds, key = `csv:${ds.id}`) {
    if (this.dataset && this.key.startsWith('{') && this.dataset.id !== ds.id) this.garbage.push(this.dataset.id); // generated here
    this.dataset = ds;
    this.key = key;
  }

  async ensureDataset(s) {
    if (isUpload(s)) {
      if (this.dataset && this.key === `csv:${s.ds}`) return this.dataset;
      const ds = await this.api.getDataset(s.ds);
      this.use(ds);
      this.onDataset(ds, true);
      return ds;
    }
    const spec = datasetSpec(s, this.vocab);
    const key = JSON.stringify(spec);
    if (this.dataset && this.key === key) return this.dataset;
    const ds = await this.api.generateDataset(spec);
    this.use(ds, key);
    this.onDataset(ds, false);
    return ds;
  }

  /** Rebuild soon for the state `current()` returns then (a burst of changes builds once). */
  schedule(current, delay = DEBOUNCE_MS) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.rebuild(current()).catch((e) => this.say(e.message)), delay);
  }

  /** Take the session to adopt (the first time), or create one for state `s`, hand it on,
   * and delete the one it replaces. A watching page builds nothing. */
  async rebuild(s) {
    if (this.adopt) return this.take(this.adopt, s);
    if (this.watching) return undefined;
    const seq = ++this.seq;
    const ds = await this.ensureDataset(s);
    if (seq !== this.seq) return;
    let created;
    try {
      created = await this.api.createSession(sessionConfig(s, ds));
    } catch (e) {
      this.say(`The network could not be built: ${e.message}`);
      return;
    }
    if (seq !== this.seq) { this.api.deleteSession(created.id).catch(() => {}); return; }
    const old = this.session;
    if (old) this.onReplace(old, created);
    this.session = created;
    this.onSession(created);
    if (old) await this.api.deleteSession(old.id).catch(() => {});
    while (this.garbage.length) await this.api.deleteDataset(this.garbage.pop()).catch(() => {});
    return undefined;
  }

  /** Stream existing session `id` (its dataset is someone else's: never deleted from here). */
  async take(id, s) {
    const seq = ++this.seq;
    this.adopt = null;
    let session;
    let ds;
    try {
      session = await this.api.getSession(id);
      ds = await this.api.getDataset(session.config.dataset_id);
    } catch (e) {
      this.say(`The session in the link could not be opened: ${e.message}`);
      if (!this.watching) await this.rebuild(s); // a fork that is gone: a new session instead
      return;
    }
    if (seq !== this.seq) return;
    this.use(ds, `adopted:${ds.id}`);
    this.onDataset(ds, isUpload(s));
    this.session = session;
    this.onSession(session);
  }
}
