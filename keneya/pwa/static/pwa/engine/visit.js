// One home visit, assessed: keneya/clinical/visit.py assess_home_visit, the function the server
// runs on every visit. Same input, same JSON-ready result, so the tablet shows offline what the
// server will store.
//
// - sick_child: iCCM/IMCI classification (iccm.js), plus z-scores and nutrition when measured;
// - child_followup: z-scores and nutrition, plus the iCCM signs when any finding is given;
// - pregnancy: danger signs in pregnancy and the gestational age (measurements lmp / edd);
// - postnatal: the newborn's signs (age_days <= young_infant_max_age_days) or the mother's;
// - older_child_followup: a child of 5-17 years (older_child.js).
// Vocabulary and ranks: engine.visit (kinds, measurement_keys, action_rank, under_five_months,
// acute_to_classification, action_text_fr).

import { ValueError, deepEqual, get, has, isMapping, isNone, kwargs, pyRepr, sorted } from './py.js';
import { checkDate, fromisoformat, isoformat } from './ages.js';

export function makeVisit(data, { ages, growth, iccm, nutrition, pregnancy, olderChild }) {
  const V = data.engine.visit;
  const KINDS = V.kinds;
  const MEASUREMENT_KEYS = V.measurement_keys;
  const ACTION_RANK = V.action_rank;
  const UNDER_FIVE_MONTHS = V.under_five_months; // WHO 2006 standards end at 60 months (spec 1.8)
  const ACUTE_TO_CLASSIFICATION = V.acute_to_classification; // spec 1.8 -> spec 1.7 vocabulary

  /** visit._date: null / "" -> null; a strict YYYY-MM-DD string -> day. */
  function optionalDate(value, field) {
    if (isNone(value) || value === '') return null;
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
      try {
        return fromisoformat(value);
      } catch (error) {
        if (!(error instanceof ValueError)) throw error;
      }
    }
    throw new ValueError(`${field}: expected a date YYYY-MM-DD, got ${pyRepr(value)}`);
  }

  /** visit._number: null / "" -> null; a number (a Python float from here on); else ValueError. */
  function number(measurements, key) {
    const value = get(measurements, key);
    if (isNone(value) || value === '') return null;
    if (typeof value !== 'number') throw new ValueError(`${key}: expected a number, got ${pyRepr(value)}`);
    return value;
  }

  /** visit._growth_part: [zscores, nutrition dict or null]. */
  function growthPart({ sex, ageDays, ageMonths, measurements, oedema, danger }) {
    const weight = number(measurements, 'weight_kg');
    const height = number(measurements, 'length_or_height_cm');
    const muac = number(measurements, 'muac_mm');
    const head = number(measurements, 'head_circumference_cm');
    const position = get(measurements, 'measured_position');
    if (!isNone(position) && position !== 'L' && position !== 'H') {
      throw new ValueError(`measured_position: expected 'L' or 'H', got ${pyRepr(position)}`);
    }
    if (weight === null && height === null && muac === null && head === null) return [{}, null];
    const zs = growth.zscores({
      sex, age_days: ageDays, weight_kg: weight, length_or_height_cm: height,
      measured_position: isNone(position) ? null : position, muac_mm: muac,
      head_circumference_cm: head, oedema,
    });
    if (ageMonths >= UNDER_FIVE_MONTHS) return [zs, null];
    const usable = (key) => (zs[key].z !== null && !zs[key].flagged ? zs[key].z : null);
    const nut = nutrition.assess({
      age_months: ageMonths, whz: usable('wflh'), muac_mm: muac, bilateral_oedema: oedema,
      general_danger_sign: danger, haz: usable('lhfa'), waz: usable('wfa'),
    }, { muacIsFloat: true }); // visit._number made it a float: "muac_mm=115.0"
    return [zs, nut];
  }

  const rank = (action) => (has(ACTION_RANK, action) ? ACTION_RANK[action] : Object.keys(ACTION_RANK).length);

  /** The most serious action; the first one among equals (Python's min with a key). */
  function mostSerious(actions) {
    return actions.reduce((best, a) => (rank(a) < rank(best) ? a : best));
  }

  /** visit.summary_fr */
  function summaryFr(result) {
    let text = has(V.action_text_fr, result.action) ? V.action_text_fr[result.action] : result.action;
    if (result.follow_up_days) text += ` ; revoir dans ${result.follow_up_days} jours`;
    return `${text}.`;
  }

  /**
   * visit.assess_home_visit: {kind, sex, date_of_birth, visit_date, findings?, measurements?,
   * iccm_config?} -> {kind, engine_version, age_days, age_months, urgent_referral, danger_signs,
   * classifications, zscores, nutrition, follow_up_days, [age_band, fast_breathing_threshold],
   * [gestational_age], action, reasons, summary_fr}. Invalid input throws ValueError naming the
   * field.
   */
  function assessHomeVisit(args) {
    const a = kwargs('assess_home_visit', args, ['kind', 'sex', 'date_of_birth', 'visit_date'],
      { findings: null, measurements: null, iccm_config: null });
    // The server builds an IccmConfig from the stored settings before the call: validate it always.
    iccm.makeConfig(a.iccm_config);
    if (!KINDS.includes(a.kind)) {
      throw new ValueError(`kind: expected one of ${JSON.stringify(KINDS)}, got ${pyRepr(a.kind)}`);
    }
    if (a.sex !== 'M' && a.sex !== 'F') throw new ValueError(`sex: expected 'M' or 'F', got ${pyRepr(a.sex)}`);
    // dict(findings or {}): Python treats any falsy value as no findings.
    const asDict = (value, field) => {
      if (!value) return {};
      if (!isMapping(value)) throw new ValueError(`${field}: expected a mapping, got ${pyRepr(value)}`);
      return { ...value };
    };
    const findings = asDict(a.findings, 'findings');
    const measurements = asDict(a.measurements, 'measurements');
    const unknown = sorted(Object.keys(measurements).filter((k) => !MEASUREMENT_KEYS.includes(k)));
    if (unknown.length) {
      throw new ValueError(`measurements: unknown key '${unknown[0]}' (expected ${JSON.stringify(MEASUREMENT_KEYS)})`);
    }
    const dob = checkDate(a.date_of_birth, 'date_of_birth');
    const visitDate = checkDate(a.visit_date, 'visit_date');
    if (visitDate < dob) {
      throw new ValueError(`visit_date: ${isoformat(visitDate)} is before date_of_birth ${isoformat(dob)}`);
    }
    const ageDays = ages.ageDays(dob, visitDate);
    const ageMonths = ages.completedMonths(dob, visitDate);
    if (a.kind === V.older_child_kind) { // 5-17 years: older_child.js (clinical-rules.md 7)
      const older = olderChild.assessOlderChildVisit({
        sex: a.sex, date_of_birth: a.date_of_birth, visit_date: a.visit_date, findings, measurements,
      });
      delete older.rules_version;
      const out = { kind: a.kind, ...older, nutrition: null };
      out.summary_fr = summaryFr(out);
      return out;
    }
    const result = {
      kind: a.kind, engine_version: data.engineVersion, age_days: ageDays, age_months: ageMonths,
      urgent_referral: false, danger_signs: [], classifications: [], zscores: {}, nutrition: null,
      follow_up_days: null, pre_referral: [],
    };
    const actions = [];
    let reasons = [];
    const followUps = [];
    const hasFindings = Object.keys(findings).length > 0;

    if (a.kind === 'sick_child' || a.kind === 'child_followup') {
      let sick = null;
      const iccmFindings = { ...findings };
      const measuredMuac = measurements.muac_mm;
      if (!isNone(measuredMuac) && measuredMuac !== '' && isNone(iccmFindings.muac_mm)) {
        iccmFindings.muac_mm = measuredMuac; // a MUAC finding wins; a null finding does not hide the measure
      }
      if (a.kind === 'sick_child' || hasFindings) {
        sick = iccm.classifySickChild({
          date_of_birth: a.date_of_birth, visit_date: a.visit_date, findings: iccmFindings,
          config: a.iccm_config,
        });
        result.age_band = sick.age_band;
        result.fast_breathing_threshold = sick.fast_breathing_threshold;
        result.danger_signs = sick.danger_signs;
        result.pre_referral = sick.pre_referral;
        result.classifications = sick.classifications
          .filter((c) => c !== 'age_out_of_scope' || a.kind === 'sick_child');
        if (sick.action) actions.push(sick.action);
        if (sick.follow_up_days) followUps.push(sick.follow_up_days);
        reasons = reasons.concat(sick.reasons);
      }
      const oedema = get(findings, 'bilateral_oedema') === true;
      const [zscores, nut] = growthPart({
        sex: a.sex, ageDays, ageMonths, measurements, oedema,
        danger: Boolean(sick && sick.urgent_referral),
      });
      result.zscores = zscores;
      result.nutrition = nut;
      if (nut !== null) {
        const extra = has(ACUTE_TO_CLASSIFICATION, nut.acute) ? ACUTE_TO_CLASSIFICATION[nut.acute] : null;
        if (extra && !result.classifications.includes(extra)) {
          result.classifications = sorted(new Set([...result.classifications, extra].filter((c) => c !== 'no_finding')));
        }
        if (nut.action) actions.push(nut.action);
        if (nut.follow_up_days) followUps.push(nut.follow_up_days);
        const before = reasons;
        reasons = reasons.concat(nut.reasons.filter((r) => !before.some((x) => deepEqual(x, r))));
      }
      if (!actions.length) actions.push('advise_only');
    } else if (a.kind === 'pregnancy') {
      const signs = pregnancy.assessPregnancy(findings);
      result.danger_signs = signs.danger_signs;
      actions.push(signs.action);
      reasons = reasons.concat(signs.reasons);
      const lmp = optionalDate(get(measurements, 'lmp'), 'lmp');
      const edd = optionalDate(get(measurements, 'edd'), 'edd');
      if (lmp !== null || edd !== null) {
        result.gestational_age = pregnancy.gestationalAge({
          on: a.visit_date,
          lmp: lmp === null ? null : isoformat(lmp),
          edd: edd === null ? null : isoformat(edd),
        });
      }
    } else { // postnatal: the newborn (0-59 days) or the mother
      const signs = ageDays <= ages.YOUNG_INFANT_MAX_DAYS
        ? pregnancy.assessNewborn({
          date_of_birth: a.date_of_birth, visit_date: a.visit_date, findings, config: a.iccm_config,
        })
        : pregnancy.assessPostpartum(findings);
      result.danger_signs = signs.danger_signs;
      actions.push(signs.action);
      reasons = reasons.concat(signs.reasons);
    }

    const action = mostSerious(actions);
    result.action = action;
    result.urgent_referral = action === 'urgent_referral';
    result.follow_up_days = followUps.length && !result.urgent_referral ? Math.min(...followUps) : null;
    result.reasons = reasons;
    result.summary_fr = summaryFr(result);
    return result;
  }

  return { assessHomeVisit, summaryFr };
}
