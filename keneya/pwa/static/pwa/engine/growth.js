// WHO Child Growth Standards z-scores, as keneya/clinical/growth.py (scalar path, zscores()).
//
// Standards: WHO MGRS Group (2006) ch. 7 (LMS z-scores, restricted adjustment) and (2007) head
// and arm circumference. Algorithm: WHO R package anthro 1.1.0 (b776d8a) as written down in
// shared/spec/clinical-rules.md section 2 (the section numbers below). Constants come from the
// bundle's engine.growth (growth.py's named limits), tables from growth_tables.
//
// z is unrounded; flags (2.3) and classes (2.4) use z rounded to 2 decimals as Python's
// round(z, 2) (py.js pyRound). Math.pow and C's pow() may differ in the last bit: the vectors
// compare z within 1e-9 and contain no z that close to a rounding tie.

import { ValueError, isNone, kwargs, pyRepr, pyRound } from './py.js';

export function makeGrowth(data) {
  const C = data.engine.growth;
  const T = data.tables;
  const SEXES = ['M', 'F'];
  const INDICATORS = C.indicators; // wfa, lhfa, wflh, bmi, acfa, hcfa
  const RESTRICTED = new Set(C.restricted); // 2.2.5: wfa, wflh, bmi, acfa
  const [WFL_LOW, WFL_HIGH] = C.wfl_range_cm; // 2.2.6
  const [WFH_LOW, WFH_HIGH] = C.wfh_range_cm;
  const SD = C.restricted_sd;

  // --- input validation (ValueError naming the field) ------------------------------------

  function checkSex(sex) {
    const i = SEXES.indexOf(sex);
    if (typeof sex !== 'string' || i < 0) throw new ValueError(`sex must be 'M' or 'F', got ${pyRepr(sex)}`);
    return i;
  }

  function checkAge(age) {
    if (isNone(age)) return null;
    if (typeof age !== 'number' || !Number.isInteger(age)) {
      throw new ValueError(`age_days must be an integer number of days, got ${pyRepr(age)}`);
    }
    if (age < 0) throw new ValueError(`age_days must be >= 0, got ${age}`);
    return age + 0; // -0 -> 0
  }

  function checkMeasure(name, value) {
    if (isNone(value)) return null;
    if (typeof value !== 'number') throw new ValueError(`${name} must be a number, got ${pyRepr(value)}`);
    if (!Number.isFinite(value) || value <= 0) {
      throw new ValueError(`${name} must be a finite number > 0, got ${pyRepr(value)}`);
    }
    return value;
  }

  function checkPosition(position) {
    if (isNone(position)) return null;
    if (position === 'L' || position === 'H') return position;
    throw new ValueError(`measured_position must be 'L', 'H' or None, got ${pyRepr(position)}`);
  }

  function checkOedema(oedema) {
    if (oedema !== true && oedema !== false) {
      throw new ValueError(`oedema must be True or False, got ${pyRepr(oedema)}`);
    }
    return oedema;
  }

  // --- tables and kernel -------------------------------------------------------------------

  /** [L, M, S] of row `index` (a day, or a length in tenths of a cm): growth._Table.row. */
  function row(table, sex, index) {
    const i = index - table.first;
    if (i < 0 || i >= table.rows) throw new RangeError(`row ${index} is outside the table`);
    const t = table.sexes[sex];
    return [t.l[i], t.m[i], t.s[i]];
  }

  /**
   * L, M, S at clenhei, interpolated between 0.1 cm rows as WHO anthro (2.2.6), with the same
   * floating-point operations: low = trunc(x*10)/10, upp = trunc(x*10 + 1)/10,
   * diff = (x - low)/0.1, the lower row alone when diff <= 0.
   */
  function wflhLms(table, sex, clenhei) {
    const lowK = Math.trunc(clenhei * 10);
    const uppK = Math.trunc(clenhei * 10 + 1);
    const diff = (clenhei - lowK / 10) / 0.1;
    const [lam, mu, sigma] = row(table, sex, lowK);
    if (diff > 0) {
      const [lamU, muU, sigmaU] = row(table, sex, uppK);
      return [lam + diff * (lamU - lam), mu + diff * (muU - mu), sigma + diff * (sigmaU - sigma)];
    }
    return [lam, mu, sigma];
  }

  /**
   * LMS z-score (2.2.4) with WHO's restricted adjustment beyond +/-3 SD (2.2.5), in WHO anthro's
   * order of operations (growth._lms_kernel): z = ((y/M)^L - 1) / (S*L),
   * SD(k) = M * (1 + L*S*k)^(1/L); z* = 3 + (y - SD3) / (SD3 - SD2) above +3, and
   * z* = -3 + (y - SD-3) / (SD-2 - SD-3) below -3.
   */
  function lmsKernel(y, lam, mu, sigma, restricted) {
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

  function isFlagged(indicator, z) {
    const [low, high] = C.flag_limits[indicator]; // 2.3
    const z2 = pyRound(z, C.z_decimals);
    return z2 < low || z2 > high;
  }

  // --- zscores ------------------------------------------------------------------------------

  /**
   * growth.zscores: {wfa, lhfa, wflh, bmi, acfa, hcfa} -> {z, flagged, reason}. z unrounded
   * (null when WHO gives none, reason then a stable code of engine.growth.reason_text_fr),
   * flagged on the 2-decimal z (null without z).
   */
  function zscores(args) {
    const a = kwargs('zscores', args, ['sex', 'age_days'], {
      weight_kg: null, length_or_height_cm: null, measured_position: null, muac_mm: null,
      head_circumference_cm: null, oedema: false,
    });
    const sex = checkSex(a.sex);
    const age = checkAge(a.age_days);
    const weight = checkMeasure('weight_kg', a.weight_kg);
    const lenhei = checkMeasure('length_or_height_cm', a.length_or_height_cm);
    let position = checkPosition(a.measured_position);
    const muac = checkMeasure('muac_mm', a.muac_mm);
    const headc = checkMeasure('head_circumference_cm', a.head_circumference_cm);
    const oedema = checkOedema(a.oedema);

    // 2.2.1: z-scores only when age_days / days_per_month < max_age_months (unrounded).
    const ageMonths = age === null ? null : age / C.days_per_month;
    const tooOld = ageMonths !== null && !(ageMonths < C.max_age_months);

    // 2.2.3: "standing" before standing_min_age_months is implausible: position unknown.
    if (position === 'H' && ageMonths !== null && ageMonths < C.standing_min_age_months) {
      position = null;
    }
    // 2.2.3: lying length = standing height + lenhei_correction_cm, switch at lenhei_switch_days.
    let clenhei = lenhei;
    if (lenhei !== null && age !== null && position !== null) {
      if (age < C.lenhei_switch_days && position === 'H') clenhei = lenhei + C.lenhei_correction_cm;
      else if (age >= C.lenhei_switch_days && position === 'L') clenhei = lenhei - C.lenhei_correction_cm;
    }

    // 2.2.6: weight-for-length (wfl) or weight-for-height (wfh) table, and its range.
    let wflhLmsValue = null;
    if (clenhei !== null) {
      let useWfl;
      if (age !== null) useWfl = age < C.lenhei_switch_days;
      else if (position !== null) useWfl = position === 'L';
      else useWfl = clenhei < C.unknown_age_wfh_from_cm;
      const [low, high] = useWfl ? [WFL_LOW, WFL_HIGH] : [WFH_LOW, WFH_HIGH];
      if (low <= clenhei && clenhei <= high) {
        wflhLmsValue = wflhLms(useWfl ? T.wfl : T.wfh, sex, clenhei);
      }
    }

    const conditions = {
      AGE_OUT_OF_RANGE: tooOld,
      OEDEMA: oedema,
      MISSING_AGE: age === null,
      AGE_BELOW_MIN: age !== null && age < C.acfa_min_age_days,
      MISSING_WEIGHT: weight === null,
      MISSING_LENGTH: lenhei === null,
      MISSING_MUAC: muac === null,
      MISSING_HEAD_CIRCUMFERENCE: headc === null,
      LENGTH_OUT_OF_RANGE: wflhLmsValue === null,
    };
    const missing = {};
    for (const k of INDICATORS) {
      // The first code that applies, in engine.growth.precedence order (growth._PRECEDENCE).
      const code = C.precedence[k].find((c) => conditions[c]);
      if (code !== undefined) missing[k] = code;
    }

    const measure = (k) => {
      switch (k) {
        case 'wfa': return [weight, row(T.wfa, sex, age)];
        case 'lhfa': return [clenhei, row(T.lhfa, sex, age)];
        case 'wflh': return [weight, wflhLmsValue];
        case 'bmi': {
          const metres = clenhei / 100;
          const square = metres * metres; // 0 only for absurd lengths: BMI is then infinite
          return [square > 0 ? weight / square : Infinity, row(T.bmi, sex, age)];
        }
        case 'acfa': return [muac / 10, row(T.acfa, sex, age)]; // WHO tables are in cm
        case 'hcfa': return [headc, row(T.hcfa, sex, age)];
        default: throw new Error(`unknown indicator ${k}`);
      }
    };

    const result = {};
    for (const k of INDICATORS) {
      if (missing[k] === undefined) {
        const [y, [lam, mu, sigma]] = measure(k);
        const z = lmsKernel(y, lam, mu, sigma, RESTRICTED.has(k));
        if (Number.isFinite(z)) {
          result[k] = { z, flagged: isFlagged(k, z), reason: null };
          continue;
        }
        missing[k] = 'Z_NOT_FINITE';
      }
      result[k] = { z: null, flagged: null, reason: missing[k] };
    }
    return result;
  }

  // --- classification (2.4) on the 2-decimal z ------------------------------------------------

  const CUT = C.cutoffs;
  const rounded = (score) => (score.z === null ? null : pyRound(score.z, C.z_decimals));

  function wastingClass(score) {
    if (score.reason === 'OEDEMA') return 'severe_wasting'; // oedema counts as < -3 SD (2.2.8)
    const z2 = rounded(score);
    if (z2 === null) return null;
    if (z2 < CUT.severe_below) return 'severe_wasting';
    if (z2 < CUT.moderate_below) return 'wasting';
    if (z2 > CUT.obese_above) return 'obese';
    if (z2 > CUT.overweight_above) return 'overweight';
    if (z2 > CUT.possible_risk_above) return 'possible_risk_of_overweight';
    return 'normal';
  }

  function stuntingClass(score) {
    const z2 = rounded(score);
    if (z2 === null) return null;
    if (z2 < CUT.severe_below) return 'severely_stunted';
    if (z2 < CUT.moderate_below) return 'stunted';
    if (z2 > CUT.very_tall_above) return 'very_tall';
    return 'normal';
  }

  function underweightClass(score) {
    if (score.reason === 'OEDEMA') return 'severely_underweight';
    const z2 = rounded(score);
    if (z2 === null) return null;
    if (z2 < CUT.severe_below) return 'severely_underweight';
    if (z2 < CUT.moderate_below) return 'underweight';
    if (z2 > CUT.possible_risk_above) return 'possible_growth_problem';
    return 'normal';
  }

  /** growth.classify: WHO classes of wflh, bmi, lhfa, wfa from zscores() (labels: class_labels_fr). */
  function classify(zs) {
    return {
      wflh: wastingClass(zs.wflh),
      bmi: wastingClass(zs.bmi),
      lhfa: stuntingClass(zs.lhfa),
      wfa: underweightClass(zs.wfa),
    };
  }

  return { zscores, classify, INDICATORS };
}
