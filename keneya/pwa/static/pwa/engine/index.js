// Kènèya clinical engine for the offline tablet: a JavaScript port of keneya/clinical/ (Python)
// that gives the same answers, proven by the vectors in keneya/clinical/vectors/*.json
// (tests/js/engine.test.mjs). ES modules, no build step, no dependency: works in Chromium as
// <script type="module"> and in node (>= 18).
//
//   import { createEngine } from '/static/pwa/engine/index.js';
//   const engine = createEngine(bundle); // bundle: JSON of keneya.clinical.bundle.engine_bundle()
//   engine.assessHomeVisit({kind: 'sick_child', sex: 'F', date_of_birth: '2024-01-15',
//                           visit_date: '2025-03-01', findings: {fever: true, rdt_result: 'positive'},
//                           measurements: {muac_mm: 118}});
//
// CONVENTIONS
// - Function names are camelCase; every argument, config field and result key keeps the Python
//   keyword name (snake_case): the vectors, the API and the server's stored results use them, so
//   an input or a result is the same JSON on both sides.
// - Functions take one object of keyword arguments, like the Python keyword-only functions; an
//   unknown or a missing required key throws TypeError (Python does too). The exceptions mirror
//   Python's positional signatures: assessPregnancy(findings, config?) and assessPostpartum(findings).
// - Dates are ISO strings 'YYYY-MM-DD' (any form Python 3.11's date.fromisoformat accepts); they
//   are whole days, never Date objects or local time. Results give dates as ISO strings.
// - Results are the Python as_dict() forms: sets as sorted lists, reasons as
//   {rule, finding, threshold, source, text_fr}.
// - Invalid input throws ValueError (py.js; error.name === 'ValueError'), whose message starts
//   with the field name, like Python's. JSON cannot tell 24 from 24.0: an integral number is
//   accepted where Python wants an int, and printed as an int in reasons.
//
// API (Python function in brackets)
//   version                         engine_version of the bundle (keneya.clinical.ENGINE_VERSION)
//   zscores(args)                   [growth.zscores] {sex, age_days, weight_kg?, length_or_height_cm?,
//                                   measured_position?, muac_mm?, head_circumference_cm?, oedema?}
//                                   -> {wfa|lhfa|wflh|bmi|acfa|hcfa: {z, flagged, reason}}
//   classifyGrowth(zscores)         [growth.classify] -> {wflh, bmi, lhfa, wfa}
//   classifySickChild(args)         [iccm.classify_sick_child + assessment_as_dict]
//                                   {date_of_birth, visit_date, findings, config?}
//   assessNutrition(args)           [nutrition.assess_nutrition(...).as_dict()] {age_months, whz?,
//                                   muac_mm?, bilateral_oedema?, general_danger_sign?,
//                                   medical_complication?, appetite_test_failed?, haz?, waz?}
//   dueVaccines(args)               [immunization.due_vaccines, as_dict() each]
//                                   {date_of_birth, on, doses_received?: [[code, date]], config?}
//   cardDoses(args)                 [vaccination_card.card_doses, as_dict() each] (same args)
//   nextDoses(args)                 [vaccination_card.next_doses, as_dict() each] (same args)
//   canonicalDoseCode(code)         [immunization.canonical_code] 'VAR1' -> 'RR1'
//   gestationalAge(args)            [pregnancy.gestational_age] {on, lmp?, edd?}
//   ancSchedule(args)               [pregnancy.anc_schedule] {on, lmp?, edd?, contacts_done?, config?}
//   postnatalSchedule(args)         [pregnancy.postnatal_schedule] {delivery_date, on, contacts_done?, config?}
//   assessPregnancy(findings, config?)  [pregnancy.assess_pregnancy]
//   assessPostpartum(findings)      [pregnancy.assess_postpartum]
//   assessNewborn(args)             [pregnancy.assess_newborn] {date_of_birth, visit_date, findings, config?}
//   assessOlderChildVisit(args)     [older_child.assess_older_child_visit] {sex, date_of_birth,
//                                   visit_date, findings?, measurements?, doses_received?, config?}
//   assessHomeVisit(args)           [visit.assess_home_visit] {kind, sex, date_of_birth, visit_date,
//                                   findings?, measurements?, iccm_config?}
//
// Configs are plain objects with the fields of IccmConfig, PregnancyConfig or
// ImmunizationConfig (enable/disable as arrays) that differ from the defaults.

import { loadBundle } from './data.js';
import { makeAges } from './ages.js';
import { makeGrowth } from './growth.js';
import { makeNutrition } from './nutrition.js';
import { makeIccm } from './iccm.js';
import { makeImmunization } from './immunization.js';
import { makePregnancy } from './pregnancy.js';
import { makeVaccinationCard } from './vaccination_card.js';
import { makeVisit } from './visit.js';
import { makeOlderChild } from './older_child.js';

export { ValueError } from './py.js';

/** Build the engine from a bundle object (keneya.clinical.bundle.engine_bundle(), parsed). */
export function createEngine(bundle) {
  const data = loadBundle(bundle);
  const ages = makeAges(data);
  const growth = makeGrowth(data);
  const nutrition = makeNutrition(data);
  const iccm = makeIccm(data, ages, nutrition);
  const immunization = makeImmunization(data);
  const card = makeVaccinationCard(immunization);
  const pregnancy = makePregnancy(data, ages, iccm);
  const olderChild = makeOlderChild(data, { immunization });
  const visit = makeVisit(data, { ages, growth, iccm, nutrition, pregnancy, olderChild });
  return Object.freeze({
    version: data.engineVersion,
    zscores: growth.zscores,
    classifyGrowth: growth.classify,
    classifySickChild: iccm.classifySickChild,
    assessNutrition: (args) => nutrition.assess(args),
    dueVaccines: immunization.dueVaccines,
    cardDoses: card.cardDoses,
    nextDoses: card.nextDoses,
    canonicalDoseCode: immunization.canonicalCode,
    gestationalAge: pregnancy.gestationalAge,
    ancSchedule: pregnancy.ancSchedule,
    postnatalSchedule: pregnancy.postnatalSchedule,
    assessPregnancy: pregnancy.assessPregnancy,
    assessPostpartum: pregnancy.assessPostpartum,
    assessNewborn: pregnancy.assessNewborn,
    assessHomeVisit: visit.assessHomeVisit,
    assessOlderChildVisit: olderChild.assessOlderChildVisit,
  });
}
