// Dispatch: what each message of the stream does to the page. `init` sets every part up for
// the new session, a live `frame` goes to the frame store, the record, the timeline, the
// chart and the transport (and is shown unless the past is), a `peek` to the history
// navigation, a `history` replaces the record, an `error` is said.

import { $ } from './dom.js';
import { fmtShort } from './format.js';
import { viewText } from './vocabulary.js';
import { describe } from './channel.js';
import { describeInit, inputMaps } from './frames.js';
import { decodeMaps } from './maps.js';

/** Connect `channel`'s messages to the page's parts (p); p.setInit(init) takes the new session's init. */
export function dispatch(channel, p) {
  const onHistory = (h) => {
    p.record.setHistory(h);
    p.chart.setHistory(h);
    p.chart.setMarker(p.nav.viewing);
    p.timeline.setCheckpoints(p.record.checkpoints, Math.max(p.record.lastStep(), p.frames.live ? p.frames.live.step : 0));
  };
  channel.on('init', (msg) => {
    const init = { ...msg, info: describeInit(msg) };
    const { info } = init;
    p.setInit(init);
    p.network.setInputMaps(inputMaps(msg, decodeMaps), info.g, info.oneD, (name) => heldText(msg, name));
    if (!info.oneD) p.network.prepare(info.g, info.G);
    p.output.setup(info, msg.points);
    $('output-explainer').textContent = outputExplainer(info, msg.network);
    for (const e of document.querySelectorAll('.acc')) e.hidden = info.task === 'regression';
    p.controls.setCounters(msg.session.step, msg.session.epoch);
    onHistory(msg.history);
    p.card.setup(info, msg.network, msg.points);
    p.card.setModel(msg.model);
    p.compare.setup(info, msg.network);
    p.views.setup(init);
    p.stuck.setup(info);
    p.showPane();
    p.transport.onInit(msg.session);
  });
  channel.on('frame', (f) => {
    p.frames.setLive(f);
    p.record.frame(f);
    p.timeline.setCheckpoints(p.record.checkpoints, f.step);
    if (p.nav.onLiveFrame(f)) p.show(f);
    const m = f.metrics || {};
    p.chart.push(f.step, m.train_loss ?? null, m.test_loss ?? null);
    p.transport.onFrame(f);
    p.stuck.frame(f);
  });
  channel.on('peek', (f) => p.nav.onPeekFrame(f));
  channel.on('history', onHistory);
  channel.on('error', (msg) => { p.nav.onError(); p.say(describe(msg.detail)); });
}

const WORDS = { connecting: 'connecting…', open: 'live', closed: 'disconnected', retrying: 'reconnecting…' };

/** The stream's onState: the footer's connection status; a refusal's reason is said, and so
 * is a lost connection, for as long as the page is reconnecting (then that it is back). */
export function connectionStatus(node, say) {
  let lost = null; // the message shown while reconnecting
  return (state, reason) => {
    node.dataset.state = state;
    node.textContent = WORDS[state] || state;
    if (reason && state === 'closed') say(reason);
    if (state === 'retrying') {
      const text = `The connection to the server was lost; reconnecting (${reason.replace(/^.*retrying/, 'next try')})…`;
      if (lost) lost.firstChild.textContent = text; else lost = say(text, 'error');
    } else if (state === 'open' && lost) {
      lost.remove();
      lost = null;
      say('Reconnected: the session goes on from where the server saved it.', 'info');
    }
  };
}

/** Why input `name`'s map is flat: it is held at its training mean (init.model's, raw units). */
function heldText(msg, name) {
  const { model, grid } = msg;
  const k = model ? model.features.indexOf(name) : -1;
  const mean = k >= 0 && model.standardize ? fmtShort(model.standardize.mean[k]) : '?';
  return viewText('network', 'held', { name, mean, drawn: (grid.features || []).join(' and ') });
}

/** The output map's explainer for the session: by dimensions and task, and for a 1-D
 * regression by what its last hidden layer's curves are (none, straight lines, ramps, steps). */
function outputExplainer(info, network) {
  const key = `${info.oneD ? 1 : 2}_${info.task}`;
  if (key !== '1_regression') return viewText('output', key);
  if (network.sizes.length === 2) return viewText('output', `${key}_alone`);
  if (network.activation === 'linear') return viewText('output', `${key}_linear`);
  return viewText('output', key, { pieces: viewText('output', `pieces_${network.activation}`) });
}
