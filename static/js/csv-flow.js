// Your own data: upload a CSV file, then choose its target, task, features and the two drawn
// features. A new target is a new session on the same upload (SessionConfig.target); only a
// new task needs a new upload of the same file (kept for that).

import { withData, withTarget } from './state.js';

/** The CSV flow between the data panel, the sessions and the page state. */
export class CsvFlow {
  constructor({ api, sessions, panel, page, say }) {
    Object.assign(this, { api, sessions, panel, page, say });
    this.file = null; // the uploaded File, kept to upload again with another target
  }

  /** Show an uploaded dataset's columns with the state's choice. */
  show(ds) {
    const s = this.page.state;
    this.panel.showDataset(ds, { target: s.target || ds.target, features: s.feat, view: s.view });
  }

  /** One click on a target: a new session predicting that column, on the same upload. */
  setTarget(name) {
    const ds = this.sessions.dataset;
    if (!ds) return;
    this.page.update(withTarget(this.page.state, ds, name));
    this.show(ds);
  }

  async upload(file) {
    const note = this.say(`Uploading ${file.name}…`, 'info');
    let ds;
    try {
      ds = await this.api.uploadDataset(file, { name: file.name });
    } catch (e) {
      this.say(`${file.name}: ${e.message}`);
      return;
    } finally {
      note.remove();
    }
    this.file = file;
    this.sessions.use(ds);
    this.panel.showDataset(ds, { target: ds.target, features: ds.features, view: ds.features.slice(0, 2) });
    if (!ds.features.length) {
      this.say(`${file.name} has no numeric column to use as a feature besides the target.`);
      return;
    }
    this.page.update(withData(this.page.state, 'csv', { id: ds.id, target: '', features: ds.features.slice(), view: ds.features.slice(0, 2) }));
  }

  /** "Use these columns": {target, task, features, view}. */
  async applyColumns(choice) {
    if (!choice.features.length) { this.say('Choose at least one feature.'); return; }
    let ds = this.sessions.dataset;
    let target = choice.target === ds.target ? '' : choice.target;
    const cand = (ds.target_candidates || []).find((c) => c.name === choice.target);
    const task = cand ? cand.task : ds.task;
    if (choice.task !== 'auto' && choice.task !== task) {
      // the task a column gives is the server's rule; another one needs the file again
      if (!this.file) { this.say('To change the task, upload the file again.'); return; }
      ds = await this.api.uploadDataset(this.file, { name: this.file.name, target: choice.target, task: choice.task });
      this.sessions.use(ds);
      target = '';
    }
    this.page.update(withData(this.page.state, 'csv', { id: ds.id, target, features: choice.features, view: choice.view }));
    this.show(ds);
  }
}
