// The few DOM helpers the page uses. User text (file, column and class names) always goes
// in as text, never as HTML.

/** The element with id `id`. */
export const $ = (id) => document.getElementById(id);

/** A new `tag` element with class `cls`, appended to `parent` and holding `text` (each optional). */
export function el(tag, cls, parent, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (parent) parent.appendChild(e);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The elements under `root` named by selectors: {name: selector} → {name: element}. */
export function find(root, selectors) {
  return Object.fromEntries(Object.entries(selectors).map(([name, s]) => [name, root.querySelector(s)]));
}

/** An <option> of a <select>. */
export function option(value, text) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  return o;
}

/** Set a node's text, touching the DOM only when it changes. */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
