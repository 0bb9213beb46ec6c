// Runs side by side, the REST calls api.js does not make (read a session, its history and its
// dataset's rows; new weights from a seed), and the cleanup: what this page made is deleted
// when the page is left (fetch with keepalive, so the requests outlive the page).

import { request as call } from './api.js';

const at = (id) => `/sessions/${encodeURIComponent(id)}`;

/** GET /api/sessions/{id}. */
export const getSession = (id) => call('GET', at(id));

/** GET /api/sessions/{id}/history: metrics per step and the checkpoints. */
export const getHistory = (id) => call('GET', `${at(id)}/history`);

/** POST /api/sessions/{id}/reset {seed}: new initial weights from `seed`, the split kept. */
export const reseed = (id, seed) => call('POST', `${at(id)}/reset`, { seed });

/** GET /api/datasets/{id}/points: the rows as numbers. */
export const getPoints = (id) => call('GET', `/datasets/${encodeURIComponent(id)}/points`);

/** What the page made, deleted when the page is left (pagehide), with keepalive requests. */
export class Made {
  constructor() {
    this.sessions = new Set();
    this.datasets = new Set();
    window.addEventListener('pagehide', () => this.dropAll());
  }

  /** Delete everything made so far, now; the requests survive the page going away. */
  dropAll() {
    const gone = (path) => fetch(`/api${path}`, { method: 'DELETE', keepalive: true }).catch(() => {});
    for (const id of this.sessions) gone(at(id));
    for (const id of this.datasets) gone(`/datasets/${encodeURIComponent(id)}`);
    this.sessions.clear();
    this.datasets.clear();
  }
}
