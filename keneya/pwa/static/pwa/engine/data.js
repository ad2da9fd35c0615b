// The engine bundle (keneya/clinical/bundle.py engine_bundle()), checked and decoded once.
//
// The bundle is the only source of thresholds, tables, texts and sources: the modules of this
// engine cite the keys they read (e.g. rules.iccm_rules.fast_breathing_per_min) instead of
// copying numbers. Growth columns arrive compact (bundle.py docstring): one number for a constant
// column, else {decimals: k, delta: [n0, d1, ...]} meaning (n0 + d1 + ... + di) / 10^k. Integer
// sums are exact and the division is correctly rounded, so every L, M and S is the very double
// the server reads from data/growth/*.csv.

export const SUPPORTED_FORMAT = 1;
const RULE_FILES = ['age_bands', 'iccm_rules', 'nutrition_rules', 'pregnancy_rules', 'pev_mali', 'older_child_rules'];
const TABLES_2007 = ['wfa', 'lhfa', 'bmi']; // WHO 2007 (5-19 years), by completed month
const TABLES = ['wfa', 'lhfa', 'bmi', 'acfa', 'hcfa', 'wfl', 'wfh'];

function decodeColumn(column, rows, where) {
  const out = new Float64Array(rows);
  if (typeof column === 'number') {
    out.fill(column);
    return out;
  }
  const { decimals, delta } = column ?? {};
  if (!Number.isInteger(decimals) || !Array.isArray(delta) || delta.length !== rows) {
    throw new Error(`engine bundle: growth column ${where} is malformed`);
  }
  const scale = 10 ** decimals; // exact for decimals <= 22
  let n = 0;
  for (let i = 0; i < rows; i += 1) {
    n += delta[i];
    out[i] = n / scale;
  }
  return out;
}

/**
 * Check and decode a bundle object (as parsed from JSON). Throws an Error if it is not a
 * bundle this engine can read. Returns {engineVersion, rules, engine, tables}; a table is
 * {index, first, rows, sexes: [M, F]} with sexes[i] = {l, m, s} Float64Arrays.
 */
export function loadBundle(bundle) {
  if (bundle === null || typeof bundle !== 'object') throw new Error('engine bundle: expected an object');
  if (bundle.format !== SUPPORTED_FORMAT) {
    throw new Error(`engine bundle: format ${bundle.format} is not supported (expected ${SUPPORTED_FORMAT})`);
  }
  if (typeof bundle.engine_version !== 'string') throw new Error('engine bundle: engine_version missing');
  for (const name of RULE_FILES) {
    if (!bundle.rules || typeof bundle.rules[name] !== 'object') {
      throw new Error(`engine bundle: rules.${name} missing`);
    }
  }
  const tables = {};
  for (const name of TABLES) {
    const t = bundle.growth_tables?.[name];
    if (!t) throw new Error(`engine bundle: growth table ${name} missing`);
    tables[name] = {
      index: t.index,
      first: t.first,
      rows: t.rows,
      // Sex index as growth._SEXES: 0 = "M", 1 = "F".
      sexes: ['M', 'F'].map((sex) => ({
        l: decodeColumn(t[sex].l, t.rows, `${name}.${sex}.l`),
        m: decodeColumn(t[sex].m, t.rows, `${name}.${sex}.m`),
        s: decodeColumn(t[sex].s, t.rows, `${name}.${sex}.s`),
      })),
    };
  }
  const tables2007 = {};
  for (const name of TABLES_2007) {
    const t = bundle.growth2007_tables?.[name];
    if (!t) throw new Error(`engine bundle: growth2007 table ${name} missing`);
    tables2007[name] = {
      first: t.first,
      rows: t.rows,
      sexes: ['M', 'F'].map((sex) => ({
        l: decodeColumn(t[sex].l, t.rows, `2007.${name}.${sex}.l`),
        m: decodeColumn(t[sex].m, t.rows, `2007.${name}.${sex}.m`),
        s: decodeColumn(t[sex].s, t.rows, `2007.${name}.${sex}.s`),
      })),
    };
  }
  return {
    engineVersion: bundle.engine_version,
    tables2007,
    rules: bundle.rules,
    engine: bundle.engine,
    tables,
  };
}
