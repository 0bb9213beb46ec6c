// The vocabulary module (static/js/vocabulary.js) over the server's real vocabulary.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { vocabulary, useVocabulary, activation, taskOutput, transformLabel, rawInputs } from '../../static/js/vocabulary.js';
import { fixture } from './load.mjs';

useVocabulary(fixture('vocabulary.json'));

test('what was given is what is read', () => {
  assert.ok(vocabulary().activations.length >= 4);
  assert.equal(activation('sigmoid').symbol, 'σ');
  assert.deepEqual(activation('tanh').range, [-1, 1]);
  assert.equal(activation('no such'), undefined);
});

test('outputs per task, transform labels, the two raw inputs', () => {
  assert.equal(taskOutput('multiclass').activation, 'softmax');
  assert.equal(taskOutput('regression').activation, 'identity');
  assert.equal(transformLabel('x1sq'), 'x₁²');
  assert.equal(transformLabel('age'), 'age');
  assert.deepEqual(rawInputs(), ['x1', 'x2']);
});
