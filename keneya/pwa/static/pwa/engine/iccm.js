// Sick child 0-59 months at community level: iCCM with IMCI thresholds, as
// keneya/clinical/iccm.py (clinical-rules.md v1, sections 0, 1.2-1.7).
//
// Sources (rules.iccm_rules.citations): WHO/UNICEF 2011 iCCM (S1), WHO IMCI 2014 (S2),
// WHO/UNICEF 2009 SAM (S3), WHO PSBI 2015 (S4), WHO PNC 2013 (S5), Mali SEC (S6). Thresholds,
// vocabulary, texts and sources come from rules.iccm_rules; MUAC cut-offs and the plausible MUAC
// range from rules.nutrition_rules (through nutrition.js).
//
// classifySickChild applies the combined rule of spec 1.5:
// - age_months >= out_of_scope_min_age_months: {age_out_of_scope}, no referral, action advise_only;
// - young infant (age_days <= young_infant_max_age_days): any sign of
//   danger_signs.young_infant_0_59d -> danger_sign + urgent_referral; local bacterial infection
//   only -> non_urgent_referral; else advise_only;
// - child 2-59 months: every classification is kept under a danger sign; urgent_referral if any
//   danger sign, else treat_at_home (engine.iccm.home_treated: fast_breathing, malaria,
//   diarrhoea; treat_at_home_follow_up_days), else advise_only. With
//   config.chw_may_treat_at_home = false, treat_at_home becomes non_urgent_referral.
// - fast_breathing needs RR >= threshold and no chest indrawing (spec 1.4/1.5 corrected).
// - an urgent referral names the pre-referral treatment (rules.iccm_rules.pre_referral).
// Findings: the keys of rules.iccm_rules.findings (and aliases); null/missing = not observed. An
// unknown key, a wrong type, an implausible value or a contradiction throws ValueError naming
// the field, because a typo must never drop a danger sign.

import { PyTypeError, ValueError, isMapping, isNone, kwargs, pyNum, pyRepr, sorted } from './py.js';
import { checkDate, isoformat } from './ages.js';

export function makeIccm(data, ages, nutrition) {
  const R = data.rules.iccm_rules;
  const RULES_VERSION = R.version;
  const ENGINE_VERSION = data.engineVersion;
  const CITATIONS = R.citations;
  // Fast breathing, inclusive, per age band (S1, S2, S4, S5) [H].
  const FAST_BREATHING = Object.fromEntries(
    Object.entries(R.fast_breathing_per_min).map(([band, spec]) => [band, spec.value]));
  const CHILD_FEVER_C = R.child_fever_c.value; // IMCI 2014 [H]
  const COUGH_DANGER_DAYS = R.cough_danger_days.value; // S1 [H]
  const DIARRHOEA_DANGER_DAYS = R.diarrhoea_danger_days.value; // S1 [H]
  const FEVER_DANGER_DAYS = R.fever_danger_days.value; // S1 [H]
  const YI_LOW_TEMPERATURE_C = R.young_infant_low_temperature_below_c.value; // S2, S4, S5 [H]
  const TREAT_AT_HOME_FOLLOW_UP_DAYS = R.treat_at_home_follow_up_days.value; // S1 [H]
  const CHILD_DANGER_SIGNS = Object.keys(R.danger_signs.child_2_59m);
  const YI_DANGER_SIGNS = Object.keys(R.danger_signs.young_infant_0_59d);
  const HOME_TREATED = new Set(data.engine.iccm.home_treated);
  const SAME_SIGN = R.same_sign_across_bands;
  const {
    MUAC_MIN_AGE_MONTHS, MUAC_RED_BELOW_MM, MUAC_YELLOW_BELOW_MM, MUAC_PLAUSIBLE,
  } = nutrition;

  // --- configuration (IccmConfig, defaults in rules.iccm_rules.configurable) ---------------

  const CONFIG_FIELDS = Object.keys(R.configurable);
  const DEFAULT_CONFIG = Object.fromEntries(CONFIG_FIELDS.map((k) => [k, R.configurable[k].default]));

  /** IccmConfig(**config): the fields that differ from the defaults; validated like __post_init__. */
  function makeConfig(config) {
    if (isNone(config)) return DEFAULT_CONFIG;
    if (!isMapping(config)) throw new ValueError(`config: expected an IccmConfig, got ${pyRepr(config)}`);
    for (const key of Object.keys(config)) {
      if (!CONFIG_FIELDS.includes(key)) {
        throw new PyTypeError(`IccmConfig.__init__() got an unexpected keyword argument '${key}'`);
      }
    }
    const cfg = { ...DEFAULT_CONFIG };
    for (const [key, value] of Object.entries(config)) if (value !== undefined) cfg[key] = value;
    if (cfg.chw_may_treat_at_home !== true && cfg.chw_may_treat_at_home !== false) {
      throw new ValueError('chw_may_treat_at_home: expected True or False');
    }
    const t = cfg.young_infant_fever_c; // 36.0-40.0: a literal of IccmConfig.__post_init__ (iccm.py)
    if (typeof t !== 'number' || !(t >= 36.0 && t <= 40.0)) {
      throw new ValueError(`young_infant_fever_c: expected 36.0-40.0 C, got ${pyRepr(t)}`);
    }
    for (const name of ['mam_follow_up_days', 'fever_rdt_negative_follow_up_days']) {
      const v = cfg[name];
      if (!isNone(v) && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) {
        throw new ValueError(`${name}: expected None or an integer >= 1, got ${pyRepr(v)}`);
      }
    }
    return cfg;
  }

  // --- findings: validation and normalisation (iccm._normalise) -----------------------------

  const BOUNDS = new Map([
    ['respiratory_rate', [R.plausibility.respiratory_rate.min, R.plausibility.respiratory_rate.max]],
    ['temperature_c', [R.plausibility.temperature_c.min, R.plausibility.temperature_c.max]],
    ['muac_mm', [MUAC_PLAUSIBLE.min, MUAC_PLAUSIBLE.max]],
  ]);
  const DAYS_MIN = R.plausibility.days.min;
  // key -> {canonical, kind, bounds, extra}
  const SPECS = new Map();
  for (const [key, spec] of Object.entries(R.findings)) {
    const bounds = BOUNDS.get(key) ?? (key.endsWith('_days') ? [DAYS_MIN, Infinity] : null);
    SPECS.set(key, { canonical: key, kind: spec.type, bounds, extra: spec.values ?? [] });
  }
  for (const [key, alias] of Object.entries(R.aliases)) {
    if (key === 'note') continue;
    const target = SPECS.get(alias.to);
    if (Object.prototype.hasOwnProperty.call(alias, 'true')) { // a yes/no spelling of an enum
      SPECS.set(key, { canonical: target.canonical, kind: 'bool_enum', bounds: null,
        extra: { true: alias.true, false: alias.false } });
    } else {
      SPECS.set(key, { ...target });
    }
  }
  const BAND_KEYS = {
    child: new Set(Object.entries(R.findings)
      .filter(([, s]) => s.band === 'child' || s.band === 'both').map(([k]) => k)),
    young_infant: new Set(Object.entries(R.findings)
      .filter(([, s]) => s.band === 'young_infant' || s.band === 'both').map(([k]) => k)),
  };

  /** Canonical key -> checked value (a Map, in input order); null values are dropped. */
  function normalise(findings) {
    if (!isMapping(findings)) throw new ValueError(`findings: expected a mapping, got ${pyRepr(findings)}`);
    const out = new Map();
    for (const [key, raw] of Object.entries(findings)) {
      const spec = SPECS.get(key);
      if (spec === undefined) throw new ValueError(`findings: unknown finding '${key}' (see iccm.FINDINGS)`);
      if (isNone(raw)) continue;
      let value = raw;
      const { canonical, kind, bounds, extra } = spec;
      if (kind === 'bool') {
        if (value !== true && value !== false) throw new ValueError(`${key}: expected True or False, got ${pyRepr(value)}`);
      } else if (kind === 'int' || kind === 'number') {
        if (typeof value !== 'number') throw new ValueError(`${key}: expected a number, got ${pyRepr(value)}`);
        if (kind === 'int') {
          if (!Number.isInteger(value)) throw new ValueError(`${key}: expected a whole number, got ${pyRepr(value)}`);
        } else if (!Number.isFinite(value)) {
          throw new ValueError(`${key}: expected a finite number, got ${pyRepr(value)}`);
        }
        if (bounds === null) throw new PyTypeError(`${key}: no plausible range`);
        const [lo, hi] = bounds;
        if (!(lo <= value && value <= hi)) {
          throw new ValueError(`${key}: ${pyNum(value)} is outside the plausible range ${lo}-${hi}`);
        }
      } else if (kind === 'enum') {
        if (!extra.includes(value)) throw new ValueError(`${key}: expected one of ${JSON.stringify(sorted(extra))}, got ${pyRepr(value)}`);
      } else { // bool_enum
        if (value !== true && value !== false) throw new ValueError(`${key}: expected True or False, got ${pyRepr(value)}`);
        value = extra[value];
      }
      const previous = out.get(canonical);
      if (previous !== undefined && previous !== value) {
        throw new ValueError(`${key}: ${pyRepr(value)} contradicts ${canonical}=${pyRepr(previous)}`);
      }
      out.set(canonical, value);
    }
    return out;
  }

  const val = (f, key) => (f.has(key) ? f.get(key) : null); // f.get(key) in Python
  const positive = (f) => new Set([...f].filter(([, v]) => v !== false).map(([k]) => k));
  const minus = (a, b) => new Set([...a].filter((k) => !b.has(k)));

  // --- reasons --------------------------------------------------------------------------------

  /** 'S1, S2' -> the short citations of S1 and S2 (a free-text source is kept as it is). */
  function cite(source) {
    const parts = source.split(',').map((p) => p.trim());
    if (parts.every((p) => Object.prototype.hasOwnProperty.call(CITATIONS, p))) {
      return parts.map((p) => CITATIONS[p]).join('; ');
    }
    return source;
  }

  const reasonFrom = (rule, finding, threshold, spec) => ({
    rule, finding, threshold, source: cite(spec.source), text_fr: spec.text_fr,
  });
  const DANGER_SPECS = { child: R.danger_signs.child_2_59m, young_infant: R.danger_signs.young_infant_0_59d };
  const dangerReason = (band, code, finding, threshold = null) => reasonFrom(
    (band === 'young_infant' ? 'ICCM.YI.DANGER.' : 'ICCM.DANGER.') + code.toUpperCase(),
    finding, threshold, DANGER_SPECS[band][code]);
  const classReason = (code, finding, threshold = null) => reasonFrom(
    `ICCM.CLASS.${code.toUpperCase()}`, finding, threshold, R.classifications[code]);
  const PRE = R.pre_referral;
  const preReason = (code, finding) => reasonFrom(
    `ICCM.PRE_REFERRAL.${code.toUpperCase()}`, finding, null, PRE.treatments[code]);
  const actionReason = (action) => reasonFrom(
    `ICCM.ACTION.${action.toUpperCase()}`, action, null, R.actions[action]);

  // --- the two algorithms ----------------------------------------------------------------------

  /** [present, long, finding] for cough / diarrhoea / fever: their day counts and danger flag. */
  function duration(name, flagKey, f, limit) {
    const daysKey = `${name}_days`;
    const present = val(f, name);
    const days = val(f, daysKey);
    const flag = val(f, flagKey);
    if (present === false && (days || flag)) {
      const bad = days ? daysKey : flagKey;
      throw new ValueError(`${bad}: ${pyRepr(f.get(bad))} contradicts ${name}=False`);
    }
    if (flag !== null && days !== null && (days >= limit) !== flag) {
      throw new ValueError(`${flagKey}: ${pyRepr(flag)} contradicts ${daysKey}=${pyNum(days)}`);
    }
    const long = flag !== null ? flag : days !== null && days >= limit;
    const finding = days !== null ? `${daysKey}=${pyNum(days)}` : flagKey;
    return [present === true || Boolean(days) || long, long, finding];
  }

  /** The key that records this yes/no sign (its own, or the other band's wording), if any. */
  function sign(f, code, band) {
    if (val(f, code)) return code;
    for (const [other, same] of Object.entries(SAME_SIGN[band])) {
      if (same === code && val(f, other)) return other;
    }
    return null;
  }

  function child(f, band, months, cfg) {
    const threshold = FAST_BREATHING[band];
    const danger = []; // [code, reason]
    const ignored = minus(positive(f), BAND_KEYS.child);

    const [hasCough, coughLong, coughFinding] = duration('cough', 'cough_14_days_or_more', f, COUGH_DANGER_DAYS);
    const [hasDiarrhoea, diarrhoeaLong, diarrhoeaFinding] = duration(
      'diarrhoea', 'diarrhoea_14_days_or_more', f, DIARRHOEA_DANGER_DAYS);
    const [reportedFever, feverLong, feverFinding] = duration('fever', 'fever_7_days_or_more', f, FEVER_DANGER_DAYS);
    const temperature = val(f, 'temperature_c');
    const hot = temperature !== null && temperature >= CHILD_FEVER_C;
    const hasFever = reportedFever || hot;
    const blood = val(f, 'blood_in_stool') === true;
    const oedema = val(f, 'bilateral_oedema') === true;

    let muac = val(f, 'muac_mm');
    const muacFlag = val(f, 'muac_red');
    let muacRed = false;
    if (months >= MUAC_MIN_AGE_MONTHS) {
      if (muac !== null) {
        muacRed = muac < MUAC_RED_BELOW_MM;
        if (muacFlag !== null && muacFlag !== muacRed) {
          throw new ValueError(`muac_red: ${pyRepr(muacFlag)} contradicts muac_mm=${pyNum(muac)}`);
        }
      } else {
        muacRed = muacFlag === true;
      }
    } else { // MUAC colours apply from muac_mm.min_age_months only (S1, S3)
      for (const k of ['muac_mm', 'muac_red']) if (f.has(k) && f.get(k) !== false) ignored.add(k);
      muac = null;
    }

    for (const code of CHILD_DANGER_SIGNS) {
      if (code === 'cough_14_days_or_more') {
        if (coughLong) danger.push([code, dangerReason('child', code, coughFinding, `>= ${pyNum(COUGH_DANGER_DAYS)} days`)]);
      } else if (code === 'diarrhoea_14_days_or_more') {
        if (diarrhoeaLong) {
          danger.push([code, dangerReason('child', code, diarrhoeaFinding, `>= ${pyNum(DIARRHOEA_DANGER_DAYS)} days`)]);
        }
      } else if (code === 'fever_7_days_or_more') {
        if (feverLong) danger.push([code, dangerReason('child', code, feverFinding, `>= ${pyNum(FEVER_DANGER_DAYS)} days`)]);
      } else if (code === 'muac_red') {
        if (muacRed) {
          const finding = muac !== null ? `muac_mm=${pyNum(muac)}` : 'muac_red';
          danger.push([code, dangerReason('child', code, finding, `< ${pyNum(MUAC_RED_BELOW_MM)} mm`)]);
        }
      } else {
        const key = sign(f, code, 'child');
        if (key !== null) danger.push([code, dangerReason('child', code, key)]);
      }
    }

    const classes = []; // [code, reason]
    const rr = val(f, 'respiratory_rate');
    const breathingProblem = hasCough || val(f, 'difficult_breathing') === true;
    const rrFast = breathingProblem && rr !== null && rr >= threshold;
    const indrawing = sign(f, 'chest_indrawing', 'child');
    // Spec 1.4/1.5 (corrected): fast_breathing needs the rate at or above the threshold AND no
    // chest indrawing; chest indrawing is itself the danger sign (iCCM "severe pneumonia").
    if (rrFast && indrawing === null) {
      classes.push(['fast_breathing', classReason('fast_breathing', `respiratory_rate=${pyNum(rr)}`,
        `>= ${pyNum(threshold)} /min`)]);
    }
    if (muacRed || oedema) {
      const finding = oedema ? 'bilateral_oedema' : muac !== null ? `muac_mm=${pyNum(muac)}` : 'muac_red';
      classes.push(['severe_acute_malnutrition', classReason('severe_acute_malnutrition', finding,
        oedema ? null : `< ${pyNum(MUAC_RED_BELOW_MM)} mm`)]);
    } else if (muac !== null && muac < MUAC_YELLOW_BELOW_MM) {
      classes.push(['moderate_acute_malnutrition', classReason('moderate_acute_malnutrition',
        `muac_mm=${pyNum(muac)}`, `>= ${pyNum(MUAC_RED_BELOW_MM)} and < ${pyNum(MUAC_YELLOW_BELOW_MM)} mm`)]);
    }
    const notes = [];
    if (hasFever) {
      const rdt = val(f, 'rdt_result');
      const seen = hot && !reportedFever ? `temperature_c=${pyNum(temperature)}` : 'fever';
      if (rdt === 'positive') {
        classes.push(['malaria', classReason('malaria', `${seen}+rdt_positive`)]);
      } else if (rdt === 'negative') {
        classes.push(['fever_rdt_negative', classReason('fever_rdt_negative', `${seen}+rdt_negative`)]);
      } else {
        notes.push(reasonFrom('ICCM.FEVER.RDT_REQUIRED', seen, `>= ${pyNum(CHILD_FEVER_C)} C or reported`,
          R.fever_needs_rdt));
      }
    }
    if (hasDiarrhoea && !diarrhoeaLong && !blood) {
      const finding = f.has('diarrhoea_days') ? diarrhoeaFinding : 'diarrhoea';
      classes.push(['diarrhoea', classReason('diarrhoea', finding, `< ${pyNum(DIARRHOEA_DANGER_DAYS)} days`)]);
    }
    if (diarrhoeaLong) {
      classes.push(['persistent_diarrhoea', classReason('persistent_diarrhoea', diarrhoeaFinding,
        `>= ${pyNum(DIARRHOEA_DANGER_DAYS)} days`)]);
    }
    if (blood) classes.push(['dysentery', classReason('dysentery', 'blood_in_stool')]);

    const codes = new Set(classes.map(([code]) => code));
    let action;
    if (danger.length) {
      action = 'urgent_referral';
    } else if ([...codes].some((c) => HOME_TREATED.has(c))) {
      action = cfg.chw_may_treat_at_home ? 'treat_at_home' : 'non_urgent_referral';
      if (!cfg.chw_may_treat_at_home) {
        notes.push(reasonFrom('ICCM.CONFIG.TREAT_AT_HOME_DISABLED', 'chw_may_treat_at_home', null,
          R.treat_at_home_disabled));
      }
    } else {
      action = 'advise_only';
    }
    let followUp = null;
    if (action !== 'urgent_referral') {
      const options = [];
      if (action === 'treat_at_home') options.push(TREAT_AT_HOME_FOLLOW_UP_DAYS);
      if (codes.has('moderate_acute_malnutrition') && cfg.mam_follow_up_days) options.push(cfg.mam_follow_up_days);
      if (codes.has('fever_rdt_negative') && cfg.fever_rdt_negative_follow_up_days) {
        options.push(cfg.fever_rdt_negative_follow_up_days);
      }
      followUp = options.length ? Math.min(...options) : null;
    }
    const pre = danger.length ? preReferral(f, cfg, {
      diarrhoea: hasDiarrhoea,
      indrawing,
      fast: rrFast ? `respiratory_rate=${pyNum(rr)}` : null,
      hasFever,
      feverFinding: reportedFever ? 'fever' : `temperature_c=${temperature === null ? 'None' : pyNum(temperature)}`,
    }) : [];
    return { danger, classes, notes, action, followUp, ignored, pre };
  }

  /** iccm._pre_referral: the first doses S1 gives before an urgent referral, named; or "none". */
  function preReferral(f, cfg, { diarrhoea, indrawing, fast, hasFever, feverFinding }) {
    const oralBlocked = PRE.cannot_take_oral_if.filter((k) => sign(f, k, 'child') !== null);
    const found = new Map(); // code -> finding
    if (diarrhoea && !oralBlocked.length) found.set('ors', 'diarrhoea');
    if ((indrawing || fast) && !oralBlocked.length) found.set('amoxicillin_first_dose', indrawing || fast || '');
    if (hasFever && val(f, 'rdt_result') === 'positive' && !oralBlocked.length) {
      found.set('act_first_dose', `${feverFinding}+rdt_positive`);
    }
    if (hasFever && oralBlocked.length) found.set('rectal_artesunate', `${feverFinding}+${oralBlocked[0]}`);
    const out = [];
    let withheld = false;
    for (const code of PRE.order) {
      if (!found.has(code)) continue;
      if (PRE.medicines.includes(code) && !cfg.chw_may_treat_at_home) {
        withheld = true;
        continue;
      }
      out.push([code, preReason(code, found.get(code))]);
    }
    if (withheld) out.push(['not_dispensing', preReason('not_dispensing', 'chw_may_treat_at_home')]);
    if (!out.length) out.push(['none', preReason('none', 'none')]);
    return out;
  }

  function youngInfant(f, cfg) {
    const danger = [];
    const ignored = minus(positive(f), BAND_KEYS.young_infant);
    const rr = val(f, 'respiratory_rate');
    const temperature = val(f, 'temperature_c');
    const yiFast = FAST_BREATHING[ages.YOUNG_INFANT];
    const measured = { // null: not measured
      fast_breathing_60: rr === null ? null : rr >= yiFast,
      fever_37_5: temperature === null ? null : temperature >= cfg.young_infant_fever_c,
      low_temperature_35_5: temperature === null ? null : temperature < YI_LOW_TEMPERATURE_C,
    };
    const thresholds = {
      fast_breathing_60: [`respiratory_rate=${rr === null ? 'None' : pyNum(rr)}`, `>= ${pyNum(yiFast)} /min`],
      fever_37_5: [`temperature_c=${temperature === null ? 'None' : pyNum(temperature)}`,
        `>= ${pyNum(cfg.young_infant_fever_c)} C`],
      low_temperature_35_5: [`temperature_c=${temperature === null ? 'None' : pyNum(temperature)}`,
        `< ${pyNum(YI_LOW_TEMPERATURE_C)} C`],
    };
    for (const code of YI_DANGER_SIGNS) {
      if (Object.prototype.hasOwnProperty.call(measured, code)) {
        const flag = val(f, code);
        const value = measured[code];
        if (flag !== null && value !== null && flag !== value) {
          throw new ValueError(`${code}: ${pyRepr(flag)} contradicts ${thresholds[code][0]}`);
        }
        if (value) {
          const [finding, threshold] = thresholds[code];
          danger.push([code, dangerReason('young_infant', code, finding, threshold)]);
        } else if (flag && value === null) {
          danger.push([code, dangerReason('young_infant', code, code)]);
        }
      } else if (code === 'jaundice_severe') {
        const parts = ['jaundice_first_24h', 'yellow_palms_or_soles'].filter((k) => val(f, k));
        if (parts.length && val(f, code) === false) {
          throw new ValueError(`jaundice_severe: False contradicts ${parts[0]}=True`);
        }
        if (parts.length || val(f, code)) {
          danger.push([code, dangerReason('young_infant', code, parts.length ? parts[0] : code)]);
        }
      } else {
        const key = sign(f, code, 'young_infant');
        if (key !== null) danger.push([code, dangerReason('young_infant', code, key)]);
      }
    }
    const classes = [];
    if (danger.length) classes.push(['danger_sign', classReason('danger_sign', danger[0][0])]);
    const local = ['umbilicus_red_or_draining_pus', 'skin_pustules'].filter((k) => val(f, k));
    if (local.length) {
      classes.push(['local_bacterial_infection', classReason('local_bacterial_infection', local.join('+'))]);
    }
    const action = danger.length ? 'urgent_referral' : local.length ? 'non_urgent_referral' : 'advise_only';
    const pre = danger.length ? [['young_infant', preReason('young_infant', danger[0][0])]] : [];
    return { danger, classes, notes: [], action, followUp: null, ignored, pre };
  }

  /**
   * iccm.classify_sick_child(...) as iccm.assessment_as_dict: {age_days, age_months, age_band,
   * fast_breathing_threshold, urgent_referral, danger_signs, classifications, action,
   * follow_up_days, reasons, ignored_findings, rules_version, engine_version} (sets as sorted
   * lists). Dates are ISO strings.
   */
  function classifySickChild(args) {
    const a = kwargs('classify_sick_child', args, ['date_of_birth', 'visit_date', 'findings'], { config: null });
    const dob = checkDate(a.date_of_birth, 'date_of_birth');
    const visit = checkDate(a.visit_date, 'visit_date');
    const days = visit - dob;
    if (days < 0) {
      throw new ValueError(`visit_date: ${isoformat(visit)} is before date_of_birth ${isoformat(dob)}`);
    }
    const months = ages.completedMonths(dob, visit);
    const cfg = makeConfig(a.config);
    const f = normalise(a.findings);
    const band = ages.bandFor(days, months);
    const out = (fields) => ({
      age_days: days,
      age_months: months,
      age_band: band,
      ...fields,
      rules_version: RULES_VERSION,
      engine_version: ENGINE_VERSION,
    });

    if (band === ages.OUT_OF_SCOPE) {
      const ignored = positive(f);
      const reasons = [classReason('age_out_of_scope', `age_months=${months}`,
        `>= ${pyNum(ages.OUT_OF_SCOPE_MIN_MONTHS)} months`)];
      if (ignored.size) {
        reasons.push(reasonFrom('ICCM.AGE.NOT_APPLIED', sorted(ignored).join('+'), null, R.not_applied_out_of_scope));
      }
      reasons.push(actionReason('advise_only')); // spec 1.5 (corrected): never an empty action
      return out({
        fast_breathing_threshold: null, urgent_referral: false, danger_signs: [],
        classifications: ['age_out_of_scope'], action: 'advise_only', follow_up_days: null, reasons,
        ignored_findings: sorted(ignored), pre_referral: [],
      });
    }

    const r = band === ages.YOUNG_INFANT ? youngInfant(f, cfg) : child(f, band, months, cfg);
    if (band !== ages.YOUNG_INFANT && r.danger.length) {
      r.classes.unshift(['danger_sign', classReason('danger_sign', r.danger[0][0])]);
    }
    if (!r.classes.length) r.classes.push(['no_finding', classReason('no_finding', 'none')]);
    const reasons = [
      ...r.danger.map(([, reason]) => reason),
      ...r.classes.map(([, reason]) => reason),
      ...r.notes,
      actionReason(r.action),
      ...r.pre.map(([, reason]) => reason),
    ];
    return out({
      fast_breathing_threshold: FAST_BREATHING[band],
      urgent_referral: r.danger.length > 0,
      danger_signs: sorted(new Set(r.danger.map(([code]) => code))),
      classifications: sorted(new Set(r.classes.map(([code]) => code))),
      action: r.action,
      follow_up_days: r.followUp,
      reasons,
      ignored_findings: sorted(r.ignored),
      pre_referral: r.pre.map(([code]) => code),
    });
  }

  return { classifySickChild, makeConfig, normalise, DEFAULT_CONFIG, RULES_VERSION };
}
