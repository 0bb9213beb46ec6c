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

/**
 * A paragraph cut to its first lines (CSS `.clamp`) with a button that shows all of it and
 * back; the button's data-more / data-less are its two labels, and it hides when all fits.
 */
export function clampable(text, button) {
  const fits = () => text.classList.contains('open') || text.scrollHeight <= text.clientHeight + 1;
  const render = () => {
    const open = text.classList.contains('open');
    button.textContent = open ? button.dataset.less : button.dataset.more;
    button.setAttribute('aria-expanded', String(open));
    button.hidden = !open && fits();
  };
  button.addEventListener('click', () => { text.classList.toggle('open'); render(); });
  new ResizeObserver(render).observe(text);
  return render; // call after the text changes
}

/** Append `text` to `parent` as text, with a line-break opportunity after each _ . - (column names). */
export function breakableText(parent, text) {
  for (const part of text.split(/(?<=[_.-])/)) {
    parent.append(document.createTextNode(part), document.createElement('wbr'));
  }
  return parent;
}
