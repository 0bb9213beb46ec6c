// The URL hash and the rebuild rule (static/js/hash.js, static/js/state.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { rawPairs, parseHash, toHash, defaults } from '../../static/js/hash.js';
import { SPEEDS, stateTable, readHash, writeHash, effectOf, datasetSpec, sessionConfig, hyperparameters, featureCount, taskOf, withData } from '../../static/js/state.js';
import { fixture } from './load.mjs';

const VOCAB = fixture('vocabulary.json'); // the server's real vocabulary

const table = stateTable(VOCAB);
const D = defaults(table);

test('defaults come from the vocabulary, the opening network from the playground', () => {
  assert.equal(D.data, 'circle');
  assert.deepEqual(D.layers, VOCAB.playground.hidden_layers); // the measured first run: 8, 8 tanh
  assert.deepEqual(D.layers, [8, 8]);
  assert.equal(D.act, 'tanh');
  assert.equal(SPEEDS[D.speed], 30);
  assert.equal(D.lr, 0.03);
  assert.equal(D.batch, 'full');
  assert.deepEqual(D.inputs, ['x1', 'x2']);
});

test('an empty hash is the defaults, and writes them back in the presets\' order', () => {
  const s = readHash('', table);
  assert.deepEqual(s, D);
  assert.equal(writeHash(s, table), 'data=circle&n=300&noise=0.1&test=0.2&seed=0&layers=8,8&act=tanh&init=xavier&opt=adam&lr=0.03&batch=full&l1=0&l2=0&inputs=x1,x2&speed=4&unit=steps&pane=output');
});

test('a lesson preset\'s hash round-trips exactly', () => {
  for (const hash of [
    'data=xor&n=300&noise=0.1&test=0.2&seed=0&layers=4&act=sigmoid&init=constant&iv=0.5&opt=adam&lr=0.1&batch=full&l1=0&l2=0&inputs=x1,x2&speed=6&unit=steps&pane=output',
    'data=moons&n=80&noise=0.5&test=0.5&seed=0&layers=16,16&act=sigmoid&init=xavier&opt=adam&lr=0.03&batch=full&l1=0&l2=0&inputs=x1,x2&speed=6&unit=steps&showTest=1&pane=output',
    'data=circle&n=300&noise=0.1&test=0.2&seed=0&layers=&act=relu&init=xavier&opt=adam&lr=0.03&batch=full&l1=0&l2=0&inputs=x1,x2&speed=5&unit=steps&pane=output',
    'data=xor&n=300&noise=0.1&test=0.2&seed=0&layers=2&act=sigmoid&init=xavier&opt=adam&lr=0.1&batch=full&l1=0&l2=0&inputs=x1,x2&speed=5&unit=steps&pane=hidden',
  ]) assert.equal(writeHash(readHash(`#${hash}`, table), table), hash);
});

test('values are clamped to the limits and bad ones fall back to the default', () => {
  const s = readHash('#n=999999&noise=-1&test=5&seed=-3&layers=0,99,4,4,4,4,4,4&lr=0&l2=abc&speed=42&act=swish&batch=0&iv=50', table);
  assert.equal(s.n, 5000);
  assert.equal(s.noise, 0);
  assert.equal(s.test, 0.9);
  assert.equal(s.seed, 0);
  assert.deepEqual(s.layers, [1, 32, 4, 4, 4, 4]); // at most 6 layers, each 1…32
  assert.equal(s.lr, 0.03); // must be above 0
  assert.equal(s.l2, 0);
  assert.equal(s.speed, 9);
  assert.equal(s.act, 'tanh');
  assert.equal(s.batch, 1);
  assert.equal(s.iv, 0.5); // only read for a constant init
  assert.equal(readHash('#init=constant&iv=50', table).iv, 10);
  assert.equal(readHash('#batch=64', table).batch, 64);
  assert.equal(readHash('#batch=full', table).batch, 'full');
});

test('inputs keep only transform keys, and never become empty', () => {
  assert.deepEqual(readHash('#inputs=x1,nope,x1sq', table).inputs, ['x1', 'x1sq']);
  assert.deepEqual(readHash('#inputs=nope', table).inputs, ['x1', 'x2']);
});

test('classes apply to the kind that chooses them only', () => {
  assert.equal(readHash('#data=blobs&classes=9', table).classes, 5);
  assert.match(writeHash(readHash('#data=blobs&classes=4', table), table), /&classes=4&/);
  assert.doesNotMatch(writeHash(readHash('#data=xor&classes=4', table), table), /classes/);
});

test('an uploaded dataset: its id and columns, percent-encoded, never split inside a name', () => {
  const s = { ...D, data: 'csv', ds: 'ab/c', feat: ['a,b', '100%', 'x y'], view: ['a,b', 'x y'] };
  const hash = writeHash(s, table);
  assert.match(hash, /^data=csv&ds=ab%2Fc&feat=a%2Cb,100%25,x%20y&view=a%2Cb,x%20y&test=/);
  assert.doesNotMatch(hash, /&n=|noise=/);
  assert.deepEqual(readHash(`#${hash}`, table), s);
  assert.equal(readHash('#data=csv', table).data, 'circle'); // no id: the default data
  assert.equal(readHash('#data=csv&ds=%E0%A4', table).data, 'circle'); // a malformed escape
});

test('rawPairs keeps values encoded and the last of a repeated key', () => {
  const p = rawPairs('#a=1&b=x%2Cy&a=2&flag');
  assert.equal(p.get('a'), '2');
  assert.equal(p.get('b'), 'x%2Cy');
  assert.equal(p.get('flag'), '');
});

test('parseHash and toHash are generic over any table', () => {
  const t = [{ key: 'k', type: 'enum', choices: ['a', 'b'], default: 'a' }, { key: 'on', type: 'flag', default: false }];
  assert.deepEqual(parseHash('#k=b&on=1', t), { k: 'b', on: true });
  assert.equal(toHash({ k: 'b', on: false }, t), 'k=b');
});

test('the rebuild rule: the strongest effect among the keys that changed', () => {
  assert.equal(effectOf(D, { ...D }, table), null);
  assert.equal(effectOf(D, { ...D, disc: true }, table), 'view');
  assert.equal(effectOf(D, { ...D, speed: 2 }, table), 'speed');
  assert.equal(effectOf(D, { ...D, lr: 0.1, opt: 'sgd' }, table), 'set');
  assert.equal(effectOf(D, { ...D, lr: 0.1, layers: [4] }, table), 'rebuild');
  for (const key of ['data', 'n', 'noise', 'test', 'seed', 'act', 'init', 'inputs']) {
    const p = table.find((x) => x.key === key);
    const other = p.type === 'enum' ? p.choices.find((c) => c !== D[key]) : p.type === 'list' ? ['x1'] : D[key] + 1;
    assert.equal(effectOf(D, { ...D, [key]: other }, table), 'rebuild', key);
  }
});

test('the API bodies of a state', () => {
  const s = readHash('#data=blobs&classes=4&seed=3&layers=3&batch=16&l2=0.01', table);
  assert.deepEqual(datasetSpec(s, VOCAB), { kind: 'blobs', n: 300, noise: 0.1, seed: 3, classes: 4 });
  assert.deepEqual(datasetSpec(readHash('#data=xor', table), VOCAB), { kind: 'xor', n: 300, noise: 0.1, seed: 0 });
  const cfg = sessionConfig(s, { id: 'd1', features: ['x1', 'x2'] });
  assert.equal(cfg.dataset_id, 'd1');
  assert.deepEqual(cfg.hidden_layers, [3]);
  assert.deepEqual(cfg.transforms, ['x1', 'x2']);
  assert.equal(cfg.batch_size, 16);
  assert.equal(sessionConfig(readHash('#data=sine', table), { id: 'd2', features: ['x'] }).transforms, null);
  assert.deepEqual(hyperparameters(s), { learning_rate: 0.03, l1: 0, l2: 0.01, optimizer: 'adam', batch_size: 16 });
  assert.equal(hyperparameters(D).full_batch, true);
});

test('features and task of a state, from the vocabulary or the uploaded dataset', () => {
  assert.equal(featureCount(readHash('#data=sine', table), VOCAB), 1);
  assert.equal(featureCount(D, VOCAB), 2);
  assert.equal(taskOf(readHash('#data=hills', table), VOCAB), 'regression');
  assert.equal(taskOf(readHash('#data=blobs', table), VOCAB), 'multiclass');
  const up = withData(D, 'csv', { id: 'u', features: ['a', 'b', 'c'], view: ['b', 'c'] });
  assert.deepEqual([up.data, up.ds, up.view], ['csv', 'u', ['b', 'c']]);
  assert.equal(featureCount(up, VOCAB), 3);
  assert.equal(taskOf(up, VOCAB, { task: 'classification', classes: ['a', 'b', 'c'] }), 'multiclass');
  assert.equal(taskOf(up, VOCAB, { task: 'regression', classes: null }), 'regression');
  assert.deepEqual(withData(up, 'xor'), { ...up, data: 'xor', ds: '', feat: [], view: [] });
});
