// REST calls to the Logistic Lens API: the datasets' and sessions' lifecycle and the
// comparison's side session (live work goes over the stream, channel.js). Every failure
// becomes an Error with a message a person can read (the server's `detail`, or what went
// wrong with the connection).

/** An API failure: `message` is readable, `status` the HTTP status (0 when unreachable). */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** Turn a FastAPI error body's `detail` (a string or a list of validation errors) into text. */
export function describeDetail(detail) {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      const where = Array.isArray(d.loc) ? d.loc.filter((x) => x !== 'body').join('.') : '';
      return where ? `${where}: ${d.msg}` : String(d.msg ?? JSON.stringify(d));
    }).join('; ');
  }
  return detail == null ? '' : JSON.stringify(detail);
}

/** One call of the REST API: the JSON answer (null for 204), or an ApiError naming the problem. */
export async function request(method, path, body, { form = false, raw = false } = {}) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    if (form) init.body = body;
    else {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
  }
  let res;
  try {
    res = await fetch(`/api${path}`, init);
  } catch {
    throw new ApiError('The server cannot be reached. Is it still running?', 0);
  }
  if (!res.ok) {
    let text = '';
    try {
      const data = await res.json();
      text = describeDetail(data.detail);
    } catch {
      text = res.statusText;
    }
    throw new ApiError(text || `The server answered ${res.status}.`, res.status);
  }
  if (raw) return res;
  if (res.status === 204) return null;
  return res.json();
}

/** POST /api/datasets/generate: a built-in dataset ({kind, n, noise, seed[, classes]}). */
export const generateDataset = (spec) => request('POST', '/datasets/generate', spec);

/** POST /api/datasets: upload a CSV file; `fields` may hold name, target and task. */
export function uploadDataset(file, fields = {}) {
  const form = new FormData();
  form.append('file', file, file.name);
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null && v !== '') form.append(k, v);
  return request('POST', '/datasets', form, { form: true });
}

/** GET /api/datasets/{id}. */
export const getDataset = (id) => request('GET', `/datasets/${encodeURIComponent(id)}`);

/** DELETE /api/datasets/{id}. */
export const deleteDataset = (id) => request('DELETE', `/datasets/${encodeURIComponent(id)}`);

/** POST /api/sessions: a new session from a SessionConfig. */
export const createSession = (config) => request('POST', '/sessions', config);

/** GET /api/sessions/{id}. */
export const getSession = (id) => request('GET', `/sessions/${encodeURIComponent(id)}`);

/** POST /api/sessions/{id}/fork: a new session copied from `id` as it was at `step` (default: now). */
export const forkSession = (id, step = null) => request('POST', `/sessions/${encodeURIComponent(id)}/fork`, step === null ? {} : { step });

/** DELETE /api/sessions/{id}. */
export const deleteSession = (id) => request('DELETE', `/sessions/${encodeURIComponent(id)}`);

/** POST /api/sessions/{id}/step: train {steps: n} or {epochs: n}. */
export const stepSession = (id, body) => request('POST', `/sessions/${encodeURIComponent(id)}/step`, body);

/** GET /api/sessions/{id}/snapshot: every map as numbers (at checkpoint `step` when given). */
export const getSnapshot = (id, grid, step = null) => request('GET', `/sessions/${encodeURIComponent(id)}/snapshot?grid=${grid}${step === null ? '' : `&step=${step}`}`);
