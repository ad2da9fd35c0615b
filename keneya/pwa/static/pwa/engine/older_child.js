// Home follow-up of a child of 5-17 years: keneya/clinical/older_child.py (and growth2007.py),
// clinical-rules.md section 7. Same input, same JSON-ready result (vectors/older_child.json).
//
// Rules, texts and sources: rules.older_child_rules; WHO 2007 LMS tables: growth2007_tables
// (completed months 61-228, weight-for-age 61-120; no interpolation), with the restricted
// adjustment beyond +/-3 SD for BMI- and weight-for-age (growth.js kernel, same order of
// operations), never for height-for-age. Invalid input throws ValueError naming the field.

import { ValueError, isMapping, isNone, kwargs, pyNum, pyRepr, pyRound, sorted } from './py.js';
import { checkDate, completedMonths, isoformat } from './ages.js';

export function makeOlderChild(data, { immunization }) {
  const R = data.rules.older_child_rules;
  const G = data.engine.growth2007;
  const SD = data.engine.growth.restricted_sd;
  const Z_DECIMALS = data.engine.growth.z_decimals;
  const CITATIONS = R.citations;
  const ACTION_ORDER = ['urgent_referral', 'non_urgent_referral', 'treat_at_home', 'advise_only'];
  const FLAGS = { bmi: R.flag_limits.bmi, lhfa: R.flag_limits.hfa, wfa: R.flag_limits.wfa };
  const RESTRICTED = new Set(G.restricted);
  const THRESHOLD = {
    severe_thinness: 'bmi z < -3', thinness: 'bmi z < -2', overweight: 'bmi z > +1', obesity: 'bmi z > +2',
    severe_stunting: 'hfa z < -3', stunting: 'hfa z < -2',
  };
  const CONFIG_FIELDS = Object.keys(R.configurable);
  const DEFAULT_CONFIG = Object.fromEntries(CONFIG_FIELDS.map((k) => [k, R.configurable[k].default]));

  function makeConfig(config) {
    if (isNone(config)) return DEFAULT_CONFIG;
    if (!isMapping(config)) throw new ValueError(`config: expected an OlderChildConfig, got ${pyRepr(config)}`);
    const cfg = { ...DEFAULT_CONFIG, ...config };
    if (cfg.chw_may_treat_at_home !== true && cfg.chw_may_treat_at_home !== false) {
      throw new ValueError('chw_may_treat_at_home: expected True or False');
    }
    for (const name of ['treat_at_home_follow_up_days', 'problem_follow_up_days']) {
      const v = cfg[name];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
        throw new ValueError(`${name}: expected an integer >= 1, got ${pyRepr(v)}`);
      }
    }
    return cfg;
  }

  const cite = (source) => {
    const parts = source.split(',').map((p) => p.trim());
    return parts.every((p) => Object.prototype.hasOwnProperty.call(CITATIONS, p))
      ? parts.map((p) => CITATIONS[p]).join('; ') : source;
  };
  const reason = (rule, finding, threshold, spec) => ({
    rule, finding, threshold, source: cite(spec.source), text_fr: spec.text_fr,
  });

  // --- WHO 2007 z-scores (growth2007.zscores) ------------------------------------------------

  function lmsZ(y, lam, mu, sigma, restricted) {
    const z = ((y / mu) ** lam - 1.0) / (sigma * lam);
    if (!restricted || !(z > SD || z < -SD)) return z;
    const invL = 1.0 / lam;
    const ls = lam * sigma;
    if (z > SD) {
      const sd3 = mu * (1.0 + ls * SD) ** invL;
      const sd2 = mu * (1.0 + ls * (SD - 1.0)) ** invL;
      return SD + (y - sd3) / (sd3 - sd2);
    }
    const sdm2 = mu * (1.0 + ls * -(SD - 1.0)) ** invL;
    const sdm3 = mu * (1.0 + ls * -SD) ** invL;
    return -SD + (y - sdm3) / (sdm2 - sdm3);
  }

  function score(indicator, sex, months, y, missing) {
    const last = indicator === 'wfa' ? G.wfa_last_month : G.last_month;
    if (!(months >= G.first_month && months <= last)) return { z: null, flagged: false, reason: 'AGE_OUT_OF_RANGE' };
    if (y === null) return { z: null, flagged: false, reason: missing };
    const t = data.tables2007[indicator];
    const col = t.sexes[sex === 'M' ? 0 : 1];
    const i = months - t.first;
    const z = lmsZ(y, col.l[i], col.m[i], col.s[i], RESTRICTED.has(indicator));
    if (!Number.isFinite(z)) return { z: null, flagged: false, reason: 'Z_NOT_FINITE' };
    const [low, high] = FLAGS[indicator];
    const z2 = pyRound(z, Z_DECIMALS);
    return { z, flagged: z2 < low || z2 > high, reason: null };
  }

  function zscores(sex, months, weight, height, oedema) {
    const bmi = weight !== null && height !== null ? weight / ((height / 100.0) ** 2) : null;
    const out = {
      wfa: score('wfa', sex, months, weight, 'MISSING_WEIGHT'),
      lhfa: score('lhfa', sex, months, height, 'MISSING_HEIGHT'),
      bmi: score('bmi', sex, months, bmi, weight === null ? 'MISSING_WEIGHT' : 'MISSING_HEIGHT'),
    };
    if (oedema) {
      for (const key of ['wfa', 'bmi']) {
        if (out[key].reason !== 'AGE_OUT_OF_RANGE') out[key] = { z: null, flagged: false, reason: 'OEDEMA' };
      }
    }
    return out;
  }

  // --- findings (older_child._normalise) -----------------------------------------------------

  function normalise(findings) {
    if (!isMapping(findings)) throw new ValueError(`findings: expected a mapping, got ${pyRepr(findings)}`);
    const out = {};
    for (const [key, value] of Object.entries(findings)) {
      const spec = Object.prototype.hasOwnProperty.call(R.findings, key) ? R.findings[key] : undefined;
      if (spec === undefined) throw new ValueError(`findings: unknown finding '${key}' (see older_child.FINDINGS)`);
      if (isNone(value)) continue;
      if (spec.type === 'bool') {
        if (value !== true && value !== false) throw new ValueError(`${key}: expected True or False, got ${pyRepr(value)}`);
      } else if (spec.type === 'int') {
        if (typeof value !== 'number') throw new ValueError(`${key}: expected a number, got ${pyRepr(value)}`);
        if (!Number.isInteger(value)) throw new ValueError(`${key}: expected a whole number, got ${pyRepr(value)}`);
        if (!(spec.min <= value && value <= spec.max)) {
          throw new ValueError(`${key}: ${pyNum(value)} is outside the plausible range ${spec.min}-${spec.max}`);
        }
      } else if (!spec.values.includes(value)) {
        throw new ValueError(`${key}: expected one of ${JSON.stringify(sorted(spec.values))}, got ${pyRepr(value)}`);
      }
      out[key] = value;
    }
    for (const [flag, days] of [['fever', 'fever_days'], ['cough', 'cough_days']]) {
      if (out[flag] === false && out[days]) throw new ValueError(`${days}: ${pyNum(out[days])} contradicts ${flag}=False`);
    }
    if (out.in_school === false && !isNone(out.school_level)) {
      throw new ValueError(`school_level: ${pyRepr(out.school_level)} contradicts in_school=False`);
    }
    return out;
  }

  function measure(measurements, key) {
    const value = measurements[key];
    if (isNone(value) || value === '') return null;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new ValueError(`${key}: expected a positive number, got ${pyRepr(value)}`);
    }
    return value;
  }

  function growthClass(indicator, z) {
    const B = R.bmi_cutoffs;
    const H = R.hfa_cutoffs;
    if (indicator === 'bmi') {
      if (z < B.severe_thinness_below) return 'severe_thinness';
      if (z < B.thinness_below) return 'thinness';
      if (z > B.obesity_above) return 'obesity';
      if (z > B.overweight_above) return 'overweight';
      return null;
    }
    if (z < H.severe_stunting_below) return 'severe_stunting';
    if (z < H.stunting_below) return 'stunting';
    return null;
  }

  /** older_child.assess_older_child_visit */
  function assessOlderChildVisit(args) {
    const a = kwargs('assess_older_child_visit', args, ['sex', 'date_of_birth', 'visit_date'],
      { findings: null, measurements: null, doses_received: [], config: null });
    const dob = checkDate(a.date_of_birth, 'date_of_birth');
    const visit = checkDate(a.visit_date, 'visit_date');
    if (visit < dob) throw new ValueError(`visit_date: ${isoformat(visit)} is before date_of_birth ${isoformat(dob)}`);
    if (a.sex !== 'M' && a.sex !== 'F') throw new ValueError(`sex: expected 'M' or 'F', got ${pyRepr(a.sex)}`);
    const cfg = makeConfig(a.config);
    const months = completedMonths(dob, visit);
    if (!(months >= R.age_months.min && months <= R.age_months.max)) {
      throw new ValueError(`date_of_birth: the child is ${months} months old; this visit is for `
        + `${R.age_months.min}-${R.age_months.max} months (5-17 years)`);
    }
    const f = normalise(a.findings || {});
    const measurements = a.measurements || {};
    const weight = measure(measurements, 'weight_kg');
    const height = measure(measurements, 'length_or_height_cm');

    const danger = [];
    let reasons = [];
    const feverDays = isNone(f.fever_days) ? null : f.fever_days;
    for (const [code, spec] of Object.entries(R.danger_signs)) {
      if (code === 'fever_7_days_or_more') {
        if (feverDays !== null && feverDays >= R.fever_danger_days.value) {
          danger.push(code);
          reasons.push(reason(`OLDER.DANGER.${code.toUpperCase()}`, `fever_days=${pyNum(feverDays)}`, '>= 7 days', spec));
        }
      } else if (f[code] === true) {
        danger.push(code);
        reasons.push(reason(`OLDER.DANGER.${code.toUpperCase()}`, code, null, spec));
      }
    }
    const classes = [];
    const notes = [];
    const actions = [];
    const classify = (code, finding, threshold = null) => classes.push(
      [code, reason(`OLDER.CLASS.${code.toUpperCase()}`, finding, threshold, R.classifications[code])]);
    const note = (code, finding) => notes.push(reason(`OLDER.NOTE.${code.toUpperCase()}`, finding, null, R.notes[code]));

    if (danger.length) classify('danger_sign', danger[0]);
    if (f.fever === true || Boolean(feverDays)) {
      if (f.rdt_result === 'positive') {
        classify('malaria', 'fever+rdt_positive');
        if (cfg.chw_may_treat_at_home) {
          actions.push('treat_at_home');
        } else {
          actions.push('non_urgent_referral');
          note('treat_at_home_disabled', 'chw_may_treat_at_home');
        }
      } else if (f.rdt_result === 'negative') {
        classify('fever_rdt_negative', 'fever+rdt_negative');
      } else {
        classify('fever_no_rdt', 'fever');
        actions.push('non_urgent_referral');
      }
    }
    const coughDays = isNone(f.cough_days) ? null : f.cough_days;
    const longCough = coughDays !== null && coughDays >= R.cough_tb_days.value;
    if (longCough || f.weight_loss === true) {
      classify('tb_screening', longCough ? `cough_days=${pyNum(coughDays)}` : 'weight_loss',
        longCough ? `>= ${pyNum(R.cough_tb_days.value)} days` : null);
      actions.push('non_urgent_referral');
    }

    let zs = {};
    const growthClasses = {};
    if (weight !== null || height !== null) {
      zs = zscores(a.sex, months, weight, height, f.bilateral_oedema === true);
      for (const indicator of ['bmi', 'lhfa']) {
        const s = zs[indicator];
        if (s.z === null) continue;
        if (s.flagged) {
          note('remeasure', `${indicator}_z`);
          continue;
        }
        const code = growthClass(indicator, pyRound(s.z, Z_DECIMALS));
        growthClasses[indicator] = code;
        if (code !== null) {
          classify(code, `${indicator}_z`, THRESHOLD[code]);
          if (code === 'severe_thinness') actions.push('non_urgent_referral');
        }
      }
      if (months < G.first_month) note('no_zscore_age', `age_months=${months}`);
    }
    if (f.in_school === false) note('not_in_school', 'in_school=False');
    if (f.sleeps_under_net === false) note('no_net', 'sleeps_under_net=False');
    const due = immunization.dueVaccines({
      date_of_birth: a.date_of_birth, on: a.visit_date, doses_received: a.doses_received,
    }).filter((v) => v.status === 'due' || v.status === 'overdue').map((v) => v.code);
    if (due.length) note('vaccine_catch_up', due.join('+'));

    const action = danger.length ? 'urgent_referral'
      : [...actions, 'advise_only'].reduce((best, x) => (ACTION_ORDER.indexOf(x) < ACTION_ORDER.indexOf(best) ? x : best));
    const problems = classes.map(([code]) => code);
    if (!problems.length) classify('no_finding', 'none');
    let followUp = null;
    if (action === 'treat_at_home') {
      followUp = cfg.treat_at_home_follow_up_days;
    } else if (action !== 'urgent_referral'
        && (problems.length || notes.some((n) => !n.rule.includes('.NO_ZSCORE_AGE')))) {
      followUp = cfg.problem_follow_up_days;
    }
    reasons = [...reasons, ...classes.map(([, r]) => r), ...notes,
      reason(`OLDER.ACTION.${action.toUpperCase()}`, action, null, R.actions[action])];
    return {
      age_days: visit - dob,
      age_months: months,
      urgent_referral: action === 'urgent_referral',
      danger_signs: sorted(danger),
      classifications: sorted(new Set(classes.map(([code]) => code))),
      zscores: zs,
      growth_classes: growthClasses,
      schooling: { in_school: isNone(f.in_school) ? null : f.in_school, level: isNone(f.school_level) ? null : f.school_level },
      sleeps_under_net: isNone(f.sleeps_under_net) ? null : f.sleeps_under_net,
      vaccines_due: due,
      action,
      follow_up_days: followUp,
      reasons,
      rules_version: R.version,
      engine_version: data.engineVersion,
    };
  }

  return { assessOlderChildVisit, zscores };
}
