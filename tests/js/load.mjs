// Fixtures for the drawing modules' tests: the server's real vocabulary (written by
// `python -c` from app.vocabulary.build, see tests/js/fixtures/README) and small frames.
import { readFileSync } from 'node:fs';

/** tests/js/fixtures/<name>, parsed. */
export function fixture(name) {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}
