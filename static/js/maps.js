// Maps as the server sends them: a grid of values as row-major bytes u with lo and hi, where
// value = lo + (hi − lo)·u/255 — base64 in a JSON frame, a Uint8Array view of the message in
// a binary one (frames.readFrame). Decoding them (base64 into buffers reused from frame to
// frame; bytes as they are, no copy), their values, and quantising numbers the same way. No DOM.

const B64 = new Uint8Array(128);
[...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].forEach((c, i) => { B64[c.charCodeAt(0)] = i; });

/**
 * Decode a grid's base64 payload into bytes, into `out` when it has the right length
 * (so a running stream decodes every frame without allocating).
 */
export function decodeGrid(b64, out) {
  const n = b64.length;
  const pad = n && b64[n - 1] === '=' ? (b64[n - 2] === '=' ? 2 : 1) : 0;
  const len = ((n * 3) >> 2) - pad;
  const bytes = out && out.length === len ? out : new Uint8Array(len);
  const full = Math.floor(len / 3) * 4;
  let j = 0;
  let i = 0;
  for (; i < full; i += 4) {
    const v = (B64[b64.charCodeAt(i)] << 18) | (B64[b64.charCodeAt(i + 1)] << 12)
      | (B64[b64.charCodeAt(i + 2)] << 6) | B64[b64.charCodeAt(i + 3)];
    bytes[j++] = v >> 16;
    bytes[j++] = (v >> 8) & 255;
    bytes[j++] = v & 255;
  }
  if (j < len) {
    const v = (B64[b64.charCodeAt(i)] << 18) | (B64[b64.charCodeAt(i + 1)] << 12) | (B64[b64.charCodeAt(i + 2)] << 6);
    bytes[j++] = v >> 16;
    if (j < len) bytes[j++] = (v >> 8) & 255;
  }
  return bytes;
}

/**
 * Decode a list of maps — {lo, hi, data: base64} or {lo, hi, bytes} — into {lo, hi, bytes,
 * shape}: base64 into `slots`' buffers (reused), bytes passed on without a copy; a map the
 * frame does not carry (null: not in the client's view) stays null.
 */
export function decodeMaps(maps, slots) {
  return maps.map((m, k) => {
    if (!m) return null;
    if (m.bytes) return { lo: m.lo, hi: m.hi, bytes: m.bytes, shape: m.shape };
    slots[k] = decodeGrid(m.data, slots[k]);
    return { lo: m.lo, hi: m.hi, bytes: slots[k], shape: m.shape };
  });
}

/** Quantise rows of numbers (row 0 = lowest y) into a map {lo, hi, bytes}, as the server does. */
export function toBytes(rows, lo, hi) {
  const G = rows.length;
  const W = rows[0].length;
  const bytes = new Uint8Array(G * W);
  const s = 255 / (hi - lo || 1);
  for (let i = 0; i < G; i++) {
    for (let j = 0; j < W; j++) {
      const v = rows[i][j];
      bytes[i * W + j] = Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round((v - lo) * s))) : 0;
    }
  }
  return { lo, hi, bytes };
}

/** Values of a byte grid: lo + (hi − lo)·u/255. */
export function gridValues(bytes, lo, hi) {
  const out = new Float32Array(bytes.length);
  const s = (hi - lo) / 255;
  for (let i = 0; i < bytes.length; i++) out[i] = lo + s * bytes[i];
  return out;
}
