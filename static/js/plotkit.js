// Moved: decodeMaps lives in heatmap.js now, beside the grids it decodes. This re-export
// stays only until main.js imports it from there; nothing else imports this file.
export { decodeMaps } from './heatmap.js';
