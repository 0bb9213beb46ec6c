// The gradient endpoint over REST: GET /api/sessions/{id}/gradient (app/routes/gradients.py).

import { request } from './api.js';

/** GET /api/sessions/{id}/gradient?grid=G: ∂loss/∂(every weight and bias), the next step's weights and every hidden neuron's δ. */
export const getGradient = (id, grid) => request('GET', `/sessions/${encodeURIComponent(id)}/gradient?grid=${grid}`);
