// The WebSocket client of one session's stream: connects, reconnects with back-off, queues
// controls sent while (re)connecting, and hands every parsed message to the callbacks. Frames
// come as binary messages (?format=binary), read by frames.readFrame; the rest is JSON text.

import { readFrame } from './frames.js';

/**
 * A session stream; callbacks: onMessage(msg), onState('connecting'|'open'|'closed'|'retrying', info).
 * `format`: 'binary' (default: frames as one binary message each) or 'json'; `role`: 'own' or 'watch'.
 */
export class Stream {
  constructor({ onMessage, onState, format = 'binary', role = 'own' }) {
    this.onMessage = onMessage;
    this.format = format;
    this.role = role; // 'watch': someone else's live session, read-only (?role=watch)
    this.onState = onState || (() => {});
    this.ws = null;
    this.sessionId = null;
    this.queue = [];
    this.retries = 0;
    this.timer = 0;
  }

  /** Connect to session `id`'s stream (closing any previous one). */
  connect(id) {
    this.close();
    this.sessionId = id;
    this.retries = 0;
    this.open();
  }

  open() {
    const id = this.sessionId;
    if (!id) return;
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${proto}://${location.host}/api/sessions/${encodeURIComponent(id)}/stream?format=${this.format}${this.role === 'watch' ? '&role=watch' : ''}`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.onState('connecting');
    ws.addEventListener('open', () => {
      if (ws !== this.ws) return;
      this.retries = 0;
      this.onState('open');
      const pending = this.queue;
      this.queue = [];
      for (const m of pending) ws.send(JSON.stringify(m));
    });
    ws.addEventListener('message', (ev) => {
      if (ws !== this.ws) return;
      const msg = typeof ev.data === 'string' ? parseLenient(ev.data) : readBinary(ev.data);
      if (msg === undefined) {
        this.onMessage({ type: 'error', detail: 'The server sent a message the page cannot read.' });
        return;
      }
      this.onMessage(msg);
    });
    ws.addEventListener('close', (ev) => {
      if (ws !== this.ws) return;
      this.ws = null;
      if (ev.code === 1008 || (ev.code >= 4000 && ev.code < 5000 && ev.code !== 4503)) { // refused (4403, 4404, 4429…): say why, stay closed; 4503 (held elsewhere, not yet handed over) and 1012 (moved) retry
        this.onState('closed', ev.reason || 'The server closed the stream.');
        return;
      }
      const delay = Math.min(8000, 250 * 2 ** this.retries++);
      this.onState('retrying', `Connection lost; retrying in ${Math.round(delay / 100) / 10} s`);
      this.timer = setTimeout(() => this.open(), delay);
    });
  }

  /** Send a control message (queued until the socket is open). */
  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
    else if (this.sessionId) {
      this.queue = this.queue.filter((m) => m.type !== msg.type || m.type === 'step');
      this.queue.push(msg);
    }
  }

  /** Close for good (no reconnect). */
  close() {
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    this.queue = [];
    this.sessionId = null;
    if (ws) ws.close(1000);
  }
}

/** A binary frame, or undefined if unreadable. */
function readBinary(buffer) {
  try {
    return readFrame(buffer);
  } catch {
    return undefined;
  }
}

/**
 * JSON.parse, but bare NaN / Infinity values (which Python's json writes for a diverged
 * network) become null instead of failing the whole message; undefined if unreadable.
 */
export function parseLenient(text) {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(text.replace(/(?<=[[,:]\s*)-?(?:NaN|Infinity)(?=\s*[,\]}])/g, 'null'));
    } catch {
      return undefined;
    }
  }
}
