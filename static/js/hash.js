// Reading and writing a URL hash, generic over a table of properties (after TensorFlow
// Playground's state.ts PROPS): each property names its key, type, default, bounds or
// choices, and when it applies. Pure: no DOM, no vocabulary; state.js builds the table.
//
// A property: { key, type, default, when?(state) }, with per type:
//   enum   choices                      number, int   min, max, above (exclusive lower bound)
//   text   maxLength                    list          choices?, maxItems?, nonEmpty?
//   ints   min, max, maxItems (each item clamped)    flag  (written as 1 when true)
//   batch  word (a value taking the place of a number), min, max

/** decodeURIComponent that gives `fallback` instead of throwing on a malformed escape. */
function decode(text, fallback = '') {
  try {
    return decodeURIComponent(text);
  } catch {
    return fallback;
  }
}

/** The raw (still percent-encoded) values of a hash, by key; the last one wins. */
export function rawPairs(hash) {
  const out = new Map();
  for (const part of String(hash || '').replace(/^#/, '').split('&')) {
    if (!part) continue;
    const at = part.indexOf('=');
    const key = decode(at < 0 ? part : part.slice(0, at));
    out.set(key, at < 0 ? '' : part.slice(at + 1));
  }
  return out;
}

function clampNumber(raw, p, integer) {
  const x = Number(decode(raw, 'NaN'));
  if (raw === '' || !Number.isFinite(x)) return p.default;
  if (p.above !== undefined && !(x > p.above)) return p.default;
  const c = Math.min(p.max ?? Infinity, Math.max(p.min ?? -Infinity, x));
  return integer ? Math.round(c) : c;
}

const listOf = (raw) => (raw ? raw.split(',').map((x) => decode(x)).filter((x) => x !== '') : []);

/** One property's value from its raw text (`undefined`: absent). */
function read(p, raw) {
  if (raw === undefined) return structuredClone(p.default);
  switch (p.type) {
    case 'enum': {
      const v = decode(raw);
      return p.choices.includes(v) ? v : p.default;
    }
    case 'number': return clampNumber(raw, p, false);
    case 'int': return clampNumber(raw, p, true);
    case 'text': return decode(raw).slice(0, p.maxLength ?? 256);
    case 'flag': return raw === '1';
    case 'batch': return decode(raw) === p.word ? p.word : clampNumber(raw, { ...p, default: p.word }, true);
    case 'ints': return listOf(raw).map((x) => clampNumber(x, { ...p, default: p.min }, true)).slice(0, p.maxItems);
    case 'list': {
      let items = listOf(raw);
      if (p.choices) items = items.filter((x) => p.choices.includes(x));
      if (p.maxItems !== undefined) items = items.slice(0, p.maxItems);
      return p.nonEmpty && !items.length ? structuredClone(p.default) : items;
    }
    default: throw new Error(`hash property ${p.key}: unknown type ${p.type}`);
  }
}

/** One property's text in a hash, or null when it is not written. */
function write(p, v) {
  switch (p.type) {
    case 'flag': return v ? '1' : null;
    case 'text': return encodeURIComponent(v);
    case 'list': return v.map(encodeURIComponent).join(',');
    case 'ints': return v.join(',');
    default: return encodeURIComponent(String(v));
  }
}

/** Parse a hash ('#data=xor&layers=4,4…') into a full state: every property, validated. */
export function parseHash(hash, table) {
  const raw = rawPairs(hash);
  const s = {};
  for (const p of table) s[p.key] = !p.when || p.when(s) ? read(p, raw.get(p.key)) : structuredClone(p.default);
  return s;
}

/** A state as a hash (without '#'), in the table's order, skipping what does not apply. */
export function toHash(s, table) {
  const parts = [];
  for (const p of table) {
    if (p.when && !p.when(s)) continue;
    const text = write(p, s[p.key]);
    if (text !== null && !(p.optional && !s[p.key].length)) parts.push(`${p.key}=${text}`); // an empty optional is left out
  }
  return parts.join('&');
}

/** The defaults of a table, as a fresh state. */
export function defaults(table) {
  return Object.fromEntries(table.map((p) => [p.key, structuredClone(p.default)]));
}
