// Keyboard shortcuts: space plays or pauses, s steps, r resets (not while typing in a field).

const TYPING = ['INPUT', 'SELECT', 'TEXTAREA'];

/** Bind the keys; actions: togglePlay, step, reset. */
export function bindShortcuts({ togglePlay, step, reset }) {
  const keys = { ' ': togglePlay, s: step, r: reset };
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t && (t.isContentEditable || TYPING.includes(t.tagName))) return;
    const action = keys[e.code === 'Space' ? ' ' : e.key.toLowerCase()];
    if (!action) return;
    if (action === togglePlay) e.preventDefault();
    action();
  });
}
