// Tablet parity: every case of keneya/clinical/vectors/*.json through the JavaScript engine.
//
//   node --test tests/js/                 (node 18 and 20; node >= 21: node --test tests/js/*.test.mjs)
//
// The engine bundle is read from $KENEYA_ENGINE_BUNDLE (a JSON file written by
// keneya/clinical/tests/test_js_parity.py); without it, this file asks Python for it
// (.venv/bin/python -m keneya.clinical.bundle, or $KENEYA_PYTHON).
//
// One test per vector file, named with its case count. A case passes when the engine's output,
// reduced as the file's generator reduces Python's (vectors_<name>.py expected_for), equals the
// expected JSON: numbers within the file's "tolerance" (exact without one), lists in order (sets
// are sorted lists on both sides), reasons as the file gives them (rule codes, or whole reasons
// in visit.json). {"error": "ValueError"} expects a thrown ValueError. A new vector file without
// an adapter below fails: port the function first.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createEngine } from '../../keneya/pwa/static/pwa/engine/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VECTORS = join(ROOT, 'keneya', 'clinical', 'vectors');
const MAX_REPORTED = 5; // failing cases shown per file

function loadBundle() {
  const path = process.env.KENEYA_ENGINE_BUNDLE;
  if (path) return JSON.parse(readFileSync(path, 'utf8'));
  const venv = join(ROOT, '.venv', 'bin', 'python');
  const python = process.env.KENEYA_PYTHON || (existsSync(venv) ? venv : 'python3');
  const text = execFileSync(python, ['-m', 'keneya.clinical.bundle'], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(text);
}

const bundle = loadBundle();
const engine = createEngine(bundle);

// --- reductions, as the Python generators reduce their results ----------------------------------

function withReasonRules(out, { keepVersion = false } = {}) {
  const copy = { ...out, reason_rules: out.reasons.map((r) => r.rule) };
  delete copy.reasons;
  delete copy.rules_version;
  if (!keepVersion) delete copy.engine_version;
  return copy;
}

const CONTACT_KEYS = ['code', 'status', 'due_from', 'target_date', 'overdue_until', 'done_on'];

function pregnancyExpected(out) { // vectors_pregnancy.expected_for
  const copy = { ...out };
  delete copy.rules_version;
  if ('reasons' in copy) {
    copy.reason_rules = copy.reasons.map((r) => r.rule);
    delete copy.reasons;
  }
  if ('contacts' in copy) {
    copy.contacts = copy.contacts.map((c) => Object.fromEntries(CONTACT_KEYS.map((k) => [k, c[k]])));
  }
  return copy;
}

const PREGNANCY = {
  gestational_age: (i) => engine.gestationalAge(i),
  anc_schedule: (i) => engine.ancSchedule(i),
  postnatal_schedule: (i) => engine.postnatalSchedule(i),
  assess_pregnancy: (i) => engine.assessPregnancy(i.findings, i.config ?? null),
  assess_postpartum: (i) => engine.assessPostpartum(i.findings),
  assess_newborn: (i) => engine.assessNewborn(i),
};

// document.function -> (case) -> [actual, expected]
const ADAPTERS = {
  'keneya.clinical.growth.zscores': (c) => {
    const zs = engine.zscores(c.input);
    return [{ zscores: zs, classes: engine.classifyGrowth(zs) },
      { zscores: c.expected, classes: c.expected_classes }];
  },
  'keneya.clinical.iccm.classify_sick_child': (c) => [withReasonRules(engine.classifySickChild(c.input)), c.expected],
  'keneya.clinical.nutrition.assess_nutrition': (c) => [withReasonRules(engine.assessNutrition(c.input)), c.expected],
  'keneya.clinical.immunization.due_vaccines': (c) => {
    const keys = ['code', 'status', 'due_date', 'overdue_after', 'last_date'];
    const doses = engine.dueVaccines(c.input).map((v) => Object.fromEntries(keys.map((k) => [k, v[k]])));
    return [{ doses }, c.expected];
  },
  'keneya.clinical.pregnancy (per case: function)': (c) => {
    const run = PREGNANCY[c.function];
    if (!run) throw new Error(`no JavaScript function for pregnancy.${c.function}`);
    return [pregnancyExpected(run(c.input)), c.expected];
  },
  'keneya.clinical.vaccination_card (per case: function)': (c) => {
    if (c.function === 'card_doses') return [{ doses: engine.cardDoses(c.input) }, c.expected];
    if (c.function !== 'next_doses') throw new Error(`no JavaScript function for vaccination_card.${c.function}`);
    const keys = ['code', 'status', 'due_date'];
    const doses = engine.nextDoses(c.input).map((v) => Object.fromEntries(keys.map((k) => [k, v[k]])));
    return [{ doses }, c.expected];
  },
  'keneya.clinical.visit.assess_home_visit': (c) => [engine.assessHomeVisit(c.input), c.expected],
  'keneya.clinical.older_child.assess_older_child_visit': (c) => [engine.assessOlderChildVisit(c.input), c.expected],
};

// --- comparison -----------------------------------------------------------------------------------

const show = (v) => (v === undefined ? 'undefined' : JSON.stringify(v));

/** Differences between actual and expected JSON values, as "path: expected X, got Y" lines. */
function diff(actual, expected, tolerance, path = '', out = []) {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const equal = tolerance > 0 ? Math.abs(actual - expected) <= tolerance : actual === expected;
    if (!equal) out.push(`${path || '.'}: expected ${show(expected)}, got ${show(actual)}`);
  } else if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      out.push(`${path || '.'}: expected ${show(expected)}, got ${show(actual)}`);
    } else {
      expected.forEach((e, i) => diff(actual[i], e, tolerance, `${path}[${i}]`, out));
    }
  } else if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      out.push(`${path || '.'}: expected ${show(expected)}, got ${show(actual)}`);
    } else {
      for (const key of Object.keys(expected)) {
        if (!Object.prototype.hasOwnProperty.call(actual, key)) out.push(`${path}.${key}: missing (expected ${show(expected[key])})`);
        else diff(actual[key], expected[key], tolerance, `${path}.${key}`, out);
      }
      for (const key of Object.keys(actual)) {
        if (!Object.prototype.hasOwnProperty.call(expected, key)) out.push(`${path}.${key}: unexpected (got ${show(actual[key])})`);
      }
    }
  } else if (actual !== expected) {
    out.push(`${path || '.'}: expected ${show(expected)}, got ${show(actual)}`);
  }
  return out;
}

/** Differences for one case; [] when it passes. */
function runCase(adapter, c, tolerance) {
  const wantsError = c.expected && c.expected.error !== undefined && Object.keys(c.expected).length === 1;
  let actual;
  let expected;
  try {
    [actual, expected] = adapter(c);
  } catch (error) {
    if (wantsError && error?.name === c.expected.error) return [];
    return [`threw ${error?.name}: ${error?.message}${wantsError ? ` (expected ${c.expected.error})` : ''}`];
  }
  if (wantsError) return [`expected ${c.expected.error}, got a result: ${JSON.stringify(actual).slice(0, 300)}`];
  return diff(actual, expected, tolerance);
}

// --- one test per vector file ---------------------------------------------------------------------

const files = readdirSync(VECTORS).filter((f) => f.endsWith('.json')).sort();

test('every vector file is present and has cases', () => {
  assert.ok(files.length > 0, `no vectors in ${VECTORS}`);
});

for (const file of files) {
  const doc = JSON.parse(readFileSync(join(VECTORS, file), 'utf8'));
  const cases = doc.cases ?? [];
  test(`${file}: ${cases.length} cases (${doc.function})`, (t) => {
    assert.ok(cases.length > 0, `${file} has no cases`);
    assert.equal(doc.engine_version, engine.version,
      `${file} was exported by engine ${doc.engine_version}, the bundle is ${engine.version}`);
    const adapter = ADAPTERS[doc.function];
    assert.ok(adapter, `${file}: no JavaScript adapter for ${doc.function} (port it, then add it here)`);
    const tolerance = doc.tolerance ?? 0;
    const failures = [];
    let failed = 0;
    for (const c of cases) {
      const problems = runCase(adapter, c, tolerance);
      if (problems.length) {
        failed += 1;
        if (failures.length < MAX_REPORTED) {
          failures.push([`case ${JSON.stringify(c.name)}${c.function ? ` (${c.function})` : ''}`,
            `  input: ${JSON.stringify(c.input)}`,
            ...problems.slice(0, 12).map((p) => `  ${p}`)].join('\n'));
        }
      }
    }
    t.diagnostic(`${cases.length - failed}/${cases.length} cases pass`);
    if (failed) {
      assert.fail(`${file}: ${failed} of ${cases.length} cases differ from Python; first ${failures.length}:\n`
        + failures.join('\n'));
    }
  });
}
