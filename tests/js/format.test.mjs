// Number formatting (static/js/format.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { fmtNum, fmtShort, fmtAxis, fmtPercent, fmtMetric, fmtLoss } from '../../static/js/format.js';

test('weights and biases: 4 significant digits, exponent outside [1e-3, 1e4)', () => {
  assert.equal(fmtNum(1.23456), '1.235');
  assert.equal(fmtNum(-2.75), '-2.75');
  assert.equal(fmtNum(0), '0');
  assert.equal(fmtNum(0.00123456), '0.001235');
  assert.equal(fmtNum(0.000123), '1.23e-4');
  assert.equal(fmtNum(12345), '1.23e+4');
  assert.equal(fmtNum(9999), '9999');
  assert.equal(fmtNum(NaN), 'NaN');
  assert.equal(fmtNum(null), 'null');
});

test('labels and ticks: 3 significant digits, exponent outside [1e-3, 1e5)', () => {
  assert.equal(fmtShort(3.14159), '3.14');
  assert.equal(fmtShort(-0.5), '-0.5');
  assert.equal(fmtShort(12345), '12300');
  assert.equal(fmtShort(123456), '1.2e+5');
  assert.equal(fmtShort(0.0001), '1.0e-4');
  assert.equal(fmtShort(Infinity), 'Infinity');
});

test('the loss axis: whole from 100, one decimal from 1, two digits below', () => {
  assert.equal(fmtAxis(0), '0');
  assert.equal(fmtAxis(150), '150');
  assert.equal(fmtAxis(2.5), '2.5');
  assert.equal(fmtAxis(0.35), '0.35');
  assert.equal(fmtAxis(0.123), '0.12');
});

test('percentages, metrics and losses in sentences, with a dash when missing', () => {
  assert.equal(fmtPercent(0.9876), '98.8%');
  assert.equal(fmtPercent(null), '–');
  assert.equal(fmtMetric(0.123456), '0.1235');
  assert.equal(fmtMetric(0.5, true), '50.0%');
  assert.equal(fmtMetric(undefined), '–');
  assert.equal(fmtLoss(0.012345), '0.0123');
  assert.equal(fmtLoss(NaN), '–');
});
