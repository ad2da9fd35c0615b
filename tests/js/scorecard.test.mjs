// Tablet parity of the vulnerability scorecard: every case of
// keneya/social_rules/vectors/scorecard.json through the JavaScript twin.
//
//   node --test tests/js/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ScoringError, scoreAnswers } from '../../keneya/pwa/static/pwa/engine/scorecard.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vectors = JSON.parse(
  readFileSync(join(ROOT, 'keneya', 'social_rules', 'vectors', 'scorecard.json'), 'utf8'),
);

test(`scorecard: ${vectors.cases.length} cases`, () => {
  const failures = [];
  for (const [index, c] of vectors.cases.entries()) {
    let got;
    try {
      got = scoreAnswers(vectors.scorecard, c.input.answers, c.input.admis_de_droit ?? null);
    } catch (error) {
      if (!(error instanceof ScoringError)) throw error;
      got = { error: 'ScoringError', fields: Object.keys(error.errors).sort() };
    }
    try {
      assert.deepEqual(got, c.expected);
    } catch (error) {
      failures.push(`case ${index}: ${error.message.slice(0, 300)}`);
    }
  }
  assert.deepEqual(failures.slice(0, 5), []);
});
