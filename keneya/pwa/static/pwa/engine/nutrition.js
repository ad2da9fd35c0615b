// Clinician nutrition classification, as keneya/clinical/nutrition.py (clinical-rules.md v1,
// sections 1.4, 1.8, 2.4). Sources: WHO IMCI 2014 (S2), WHO/UNICEF 2009 SAM statement (S3), WHO
// Child Growth Standards 2006 cut-offs, MUAC colours of the iCCM 2011 booklet (S1). Every value
// comes from rules.nutrition_rules (muac_mm, wfh_z, hfa_z, wfa_z, follow_up_days, acute_classes,
// class_text_fr); the two source strings from engine.nutrition.
//
// Acute malnutrition (6-59 months; MUAC not used under muac_mm.min_age_months):
// complicated_sam (oedema or WFL/H z < wfh_z.severe_below or MUAC < red_below, with a danger
// sign, complication or failed appetite test), uncomplicated_sam, mam, no_acute_malnutrition,
// not_assessed, age_out_of_scope (age_months > max_age_months).

import { ValueError, kwargs, pyFixed, pyFloatRepr, pyNum, pyRepr, pyRound } from './py.js';

export function makeNutrition(data) {
  const R = data.rules.nutrition_rules;
  const MUAC_RED_BELOW_MM = R.muac_mm.red_below.value; // S1, S3 [H]
  const MUAC_YELLOW_BELOW_MM = R.muac_mm.yellow_below.value; // S1, S3 [H]
  const MUAC_MIN_AGE_MONTHS = R.muac_mm.min_age_months.value; // S1, S3 [H]
  const MUAC_PLAUSIBLE = R.muac_plausible_mm; // design choice: typing-error guard
  const MAX_AGE_MONTHS = R.max_age_months.value; // S3, WHO 2006
  const Z_DECIMALS = R.z_decimals.value; // spec 1.8, 2.2 step 9
  const value = (group) => Object.fromEntries(Object.entries(group).map(([k, v]) => [k, v.value]));
  const WFH = value(R.wfh_z);
  const HFA = value(R.hfa_z);
  const WFA = value(R.wfa_z);
  const SAM_FOLLOW_UP_DAYS = R.follow_up_days.uncomplicated_sam.value; // S2 [M]
  const MAM_FOLLOW_UP_DAYS = R.follow_up_days.mam.value; // S2 [M]
  const TEXT = R.class_text_fr;
  const SOURCE = data.engine.nutrition.source;
  const GROWTH_SOURCE = data.engine.nutrition.growth_source;
  const RULES_VERSION = R.version;

  function z(v, field) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ValueError(`${field}: expected a finite number (z-score), got ${pyRepr(v)}`);
    }
    return pyRound(v, Z_DECIMALS);
  }

  function flag(v, field) {
    if (v !== true && v !== false) throw new ValueError(`${field}: expected True or False, got ${pyRepr(v)}`);
    return v;
  }

  /** nutrition.check_muac_mm */
  function checkMuacMm(v, field = 'muac_mm') {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ValueError(`${field}: expected a number of millimetres, got ${pyRepr(v)}`);
    }
    if (!(MUAC_PLAUSIBLE.min <= v && v <= MUAC_PLAUSIBLE.max)) {
      throw new ValueError(`${field}: ${pyNum(v)} mm is outside ${MUAC_PLAUSIBLE.min}-${MUAC_PLAUSIBLE.max} mm (millimetres expected)`);
    }
    return v;
  }

  /** red (< red_below), yellow (< yellow_below) or green. */
  function muacColour(muac) {
    if (muac < MUAC_RED_BELOW_MM) return 'red';
    if (muac < MUAC_YELLOW_BELOW_MM) return 'yellow';
    return 'green';
  }

  function classifyWasting(whz) {
    const v = z(whz, 'whz');
    if (v < WFH.severe_below) return 'severe_wasting';
    if (v < WFH.moderate_below) return 'wasting';
    if (v > WFH.obese_above) return 'obese';
    if (v > WFH.overweight_above) return 'overweight';
    if (v > WFH.possible_risk_of_overweight_above) return 'possible_risk_of_overweight';
    return 'normal';
  }

  function classifyStunting(haz) {
    const v = z(haz, 'haz');
    if (v < HFA.severe_below) return 'severely_stunted';
    if (v < HFA.moderate_below) return 'stunted';
    if (v > HFA.very_tall_above) return 'very_tall';
    return 'normal';
  }

  function classifyUnderweight(waz) {
    const v = z(waz, 'waz');
    if (v < WFA.severe_below) return 'severely_underweight';
    if (v < WFA.moderate_below) return 'underweight';
    if (v > WFA.possible_growth_problem_above) return 'possible_growth_problem';
    return 'normal';
  }

  const reason = (rule, finding, threshold, textFr, source = SOURCE) => ({
    rule, finding, threshold, source, text_fr: textFr,
  });

  /**
   * nutrition.assess_nutrition(...).as_dict(). `muacIsFloat`: the caller holds MUAC as a Python
   * float (visit.py passes float(value)), so the finding reads "muac_mm=115.0"; a value read from
   * JSON is taken as an int when integral ("muac_mm=115").
   */
  function assess(args, { muacIsFloat = false } = {}) {
    const a = kwargs('assess_nutrition', args, ['age_months'], {
      whz: null, muac_mm: null, bilateral_oedema: false, general_danger_sign: false,
      medical_complication: false, appetite_test_failed: false, haz: null, waz: null,
    });
    const age = a.age_months;
    if (typeof age !== 'number' || !Number.isInteger(age) || age < 0) {
      throw new ValueError(`age_months: expected an integer >= 0, got ${pyRepr(age)}`);
    }
    const oedema = flag(a.bilateral_oedema, 'bilateral_oedema');
    const complicationFlags = [
      ['general_danger_sign', flag(a.general_danger_sign, 'general_danger_sign')],
      ['medical_complication', flag(a.medical_complication, 'medical_complication')],
      ['appetite_test_failed', flag(a.appetite_test_failed, 'appetite_test_failed')],
    ];
    const zw = a.whz === null ? null : z(a.whz, 'whz');
    const zh = a.haz === null ? null : z(a.haz, 'haz');
    const za = a.waz === null ? null : z(a.waz, 'waz');
    let muac = a.muac_mm === null ? null : checkMuacMm(a.muac_mm);
    const muacText = a.muac_mm === null ? 'None' : muacIsFloat ? pyFloatRepr(a.muac_mm) : pyNum(a.muac_mm);

    if (age > MAX_AGE_MONTHS) {
      return {
        acute: 'age_out_of_scope', urgent_referral: false, action: null, follow_up_days: null,
        wasting: null, stunting: null, underweight: null,
        reasons: [reason('NUTRITION.AGE_OUT_OF_SCOPE', `age_months=${pyNum(age)}`,
          `<= ${pyNum(MAX_AGE_MONTHS)} months`, R.acute_classes.age_out_of_scope.text_fr)],
        rules_version: RULES_VERSION,
      };
    }

    const reasons = [];
    if (muac !== null && age < MUAC_MIN_AGE_MONTHS) {
      reasons.push(reason('NUTRITION.MUAC.UNDER_6_MONTHS', `muac_mm=${muacText}`,
        `>= ${pyNum(MUAC_MIN_AGE_MONTHS)} months`, TEXT.muac_under_6_months));
      muac = null;
    }

    const severe = [];
    const moderate = [];
    if (oedema) {
      severe.push(reason('NUTRITION.SAM.OEDEMA', 'bilateral_oedema', null, TEXT.bilateral_oedema));
    }
    if (zw !== null) {
      if (zw < WFH.severe_below) {
        severe.push(reason('NUTRITION.SAM.WHZ', `whz=${pyFixed(zw, 2)}`,
          `< ${pyNum(WFH.severe_below)}`, TEXT.severe_wasting));
      } else if (zw < WFH.moderate_below) {
        moderate.push(reason('NUTRITION.MAM.WHZ', `whz=${pyFixed(zw, 2)}`,
          `>= ${pyNum(WFH.severe_below)} and < ${pyNum(WFH.moderate_below)}`, TEXT.wasting));
      }
    }
    if (muac !== null) {
      const colour = muacColour(muac);
      if (colour === 'red') {
        severe.push(reason('NUTRITION.SAM.MUAC', `muac_mm=${muacText}`,
          `< ${pyNum(MUAC_RED_BELOW_MM)} mm`, TEXT.muac_red));
      } else if (colour === 'yellow') {
        moderate.push(reason('NUTRITION.MAM.MUAC', `muac_mm=${muacText}`,
          `>= ${pyNum(MUAC_RED_BELOW_MM)} and < ${pyNum(MUAC_YELLOW_BELOW_MM)} mm`, TEXT.muac_yellow));
      }
    }

    let acute;
    let followUp = null;
    if (severe.length) {
      const complications = complicationFlags.filter(([, on]) => on).map(([name]) => name);
      acute = complications.length ? 'complicated_sam' : 'uncomplicated_sam';
      reasons.push(...severe);
      if (complications.length) {
        reasons.push(reason('NUTRITION.SAM.COMPLICATED', complications.join('+'), null, TEXT.complication));
      } else {
        followUp = SAM_FOLLOW_UP_DAYS;
      }
    } else if (moderate.length) {
      acute = 'mam';
      reasons.push(...moderate);
      followUp = MAM_FOLLOW_UP_DAYS;
    } else if (zw === null && muac === null) {
      acute = 'not_assessed';
    } else {
      acute = 'no_acute_malnutrition';
      if (age >= MUAC_MIN_AGE_MONTHS && (zw === null || muac === null)) {
        reasons.push(reason('NUTRITION.INCOMPLETE', zw === null ? 'whz' : 'muac_mm', null, TEXT.incomplete));
      }
    }
    const spec = R.acute_classes[acute];
    reasons.push(reason(`NUTRITION.${acute.toUpperCase()}`, acute, null, spec.text_fr, spec.source));

    const wasting = zw === null ? null : classifyWasting(zw);
    const stunting = zh === null ? null : classifyStunting(zh);
    const underweight = za === null ? null : classifyUnderweight(za);
    for (const [prefix, cls, v] of [['WASTING', wasting, zw], ['STUNTING', stunting, zh],
      ['UNDERWEIGHT', underweight, za]]) {
      if (cls !== null && cls !== 'normal') {
        reasons.push(reason(`NUTRITION.${prefix}.${cls.toUpperCase()}`, `z=${pyFixed(v, 2)}`, null,
          TEXT[cls], GROWTH_SOURCE));
      }
    }
    return {
      acute,
      urgent_referral: acute === 'complicated_sam',
      action: spec.action,
      follow_up_days: followUp,
      wasting,
      stunting,
      underweight,
      reasons,
      rules_version: RULES_VERSION,
    };
  }

  return {
    assess,
    checkMuacMm,
    muacColour,
    MUAC_RED_BELOW_MM,
    MUAC_YELLOW_BELOW_MM,
    MUAC_MIN_AGE_MONTHS,
    MUAC_PLAUSIBLE,
  };
}
