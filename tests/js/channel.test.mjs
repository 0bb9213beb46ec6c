// The channel's view (static/js/channel.js): sent as a `view` control, sent again on every
// new socket of the same session, forgotten for a new session.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Channel } from '../../static/js/channel.js';

function channel() {
  const states = [];
  const c = new Channel({ onState: (s) => states.push(s) });
  const sent = [];
  c.stream.send = (msg) => sent.push(msg);
  c.stream.connect = () => {};
  return { c, sent, states };
}

test('view sends a view control with the spec', () => {
  const { c, sent } = channel();
  c.view({ output: 100, neurons: 'all', neuron_size: 24 });
  assert.deepEqual(sent, [{ type: 'view', output: 100, neurons: 'all', neuron_size: 24 }]);
});

test('a new socket gets the view again; a new session starts from every map', () => {
  const { c, sent, states } = channel();
  c.stream.onState('open'); // before any view: nothing to send
  assert.deepEqual(sent, []);
  c.view({ neurons: [{ layer: 1, index: 0 }] });
  c.stream.onState('open');
  assert.deepEqual(sent.map((m) => m.type), ['view', 'view']);
  assert.deepEqual(sent[1].neurons, [{ layer: 1, index: 0 }]);
  assert.deepEqual(states, ['open', 'open']); // the page's onState still hears every state
  c.connect('another');
  c.stream.onState('open');
  assert.equal(sent.length, 2);
});
