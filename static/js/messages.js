// Messages on the page: an error stays until it is closed, a note fades. At most three show,
// and a message already showing moves to the end instead of appearing twice.

import { el } from './dom.js';

const KEEP = 3;
const FADE_MS = 6000;

/** The `say(text, kind = 'error' | 'info')` of a message box; it returns the message element. */
export function messageBox(box) {
  return function say(text, kind = 'error') {
    const msg = el('div', `msg ${kind}`);
    el('span', '', msg, text);
    const close = el('button', 'msg-close', msg, '×');
    close.type = 'button';
    close.setAttribute('aria-label', 'Dismiss');
    close.addEventListener('click', () => msg.remove());
    for (const old of box.querySelectorAll('.msg')) if (old.firstChild.textContent === text) old.remove();
    box.appendChild(msg);
    while (box.children.length > KEEP) box.firstChild.remove();
    if (kind !== 'error') setTimeout(() => msg.remove(), FADE_MS);
    return msg;
  };
}

/** Every promise rejection nobody caught becomes an error message. */
export function sayRejections(say) {
  window.addEventListener('unhandledrejection', (e) => {
    e.preventDefault();
    say(e.reason && e.reason.message ? e.reason.message : String(e.reason));
  });
}
