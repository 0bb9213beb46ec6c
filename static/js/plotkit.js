// Moved: decodeMaps lives in maps.js now, with the rest of the maps' decoding. This
// re-export stays only until main.js imports it from there; nothing else imports this file.
export { decodeMaps } from './maps.js';
