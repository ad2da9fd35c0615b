// Pregnancy, postpartum and newborn: dating, contact schedules and danger signs, as
// keneya/clinical/pregnancy.py (clinical-rules.md v1, section 4). Sources
// (rules.pregnancy_rules.citations): WHO 2016 ANC (8 contacts; SMART ANC DAK), WHO PCPNC 2015,
// WHO 2013 and 2022 postnatal care; newborn danger signs are the young-infant signs of iccm.js.
// Schedules, windows, sign lists, texts and sources: rules.pregnancy_rules; the [U] choices are
// the config (PregnancyConfig).
//
// Dating: GA weeks = floor((on - LMP) / 7); EDD = LMP + pregnancy_length_days; a given EDD wins
// (LMP = EDD - pregnancy_length_days); beyond max_gestational_age_days the pregnancy has ended.
// Contact windows [due_from, overdue_until] follow each other without gaps or overlaps:
// - ANC: contact k is due from max(target(k-1) + 1 day, target(k) - anc.due_window_days)
//   (contact 1 from the LMP), target LMP + 7 x anc.contact_weeks[k]; the last contact stays
//   overdue anc.last_contact_grace_days;
// - PNC: contact k from pnc.contacts[k].from_day to the day before the next contact's from_day;
//   the last stays overdue pnc.last_contact_grace_days after its to_day;
// - a contact done on day d counts for the window holding d; a second one in the same window is
//   an extra contact. Status on `on`: done, upcoming, due (to the target), overdue, missed.

import { PyTypeError, ValueError, isMapping, isNone, kwargs, pyRepr, sorted } from './py.js';
import { addDays, checkDate, isoformat } from './ages.js';

export function makePregnancy(data, ages, iccm) {
  const R = data.rules.pregnancy_rules;
  const RULES_VERSION = R.version;
  const CITATIONS = R.citations;
  const PREGNANCY_LENGTH_DAYS = R.pregnancy_length_days.value; // ANC2016 [H]
  const MAX_GA_DAYS = R.max_gestational_age_days.value; // design choice
  const POST_TERM_CHECK_WEEK = R.anc.post_term_check_week.value; // ANC2016 [M]
  const PNC_CONTACTS = R.pnc.contacts;
  const PREGNANCY_SIGNS = Object.keys(R.pregnancy_danger_signs);
  const POSTPARTUM_SIGNS = Object.keys(R.postpartum_danger_signs);
  const POSTPARTUM_SAME_DAY = Object.keys(R.postpartum_same_day_signs);

  const DEFAULT_CONFIG = {
    anc_contact_weeks: R.anc.contact_weeks.value,
    anc_due_window_days: R.anc.due_window_days.default,
    anc_last_contact_grace_days: R.anc.last_contact_grace_days.default,
    pnc_last_contact_grace_days: R.pnc.last_contact_grace_days.default,
    national_additions: R.national_additions_default.default,
  };

  /** PregnancyConfig(**config), validated like __post_init__. */
  function makeConfig(config) {
    if (isNone(config)) return DEFAULT_CONFIG;
    if (!isMapping(config)) throw new ValueError(`config: expected a PregnancyConfig, got ${pyRepr(config)}`);
    const cfg = { ...DEFAULT_CONFIG };
    for (const [key, value] of Object.entries(config)) {
      if (!Object.prototype.hasOwnProperty.call(DEFAULT_CONFIG, key)) {
        throw new PyTypeError(`PregnancyConfig.__init__() got an unexpected keyword argument '${key}'`);
      }
      if (value !== undefined) cfg[key] = value;
    }
    const weeks = cfg.anc_contact_weeks; // 1-44 weeks: a literal of PregnancyConfig.__post_init__
    const increasing = Array.isArray(weeks) && weeks.every((w, i) => i === 0 || w > weeks[i - 1]);
    if (!Array.isArray(weeks) || !weeks.length
        || weeks.some((w) => typeof w !== 'number' || !Number.isInteger(w))
        || !increasing || !(weeks[0] > 0 && weeks[0] <= weeks[weeks.length - 1] && weeks[weeks.length - 1] <= 44)) {
      throw new ValueError(`anc_contact_weeks: expected increasing weeks 1-44, got ${pyRepr(weeks)}`);
    }
    for (const name of ['anc_due_window_days', 'anc_last_contact_grace_days', 'pnc_last_contact_grace_days']) {
      const v = cfg[name];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        throw new ValueError(`${name}: expected an integer >= 0, got ${pyRepr(v)}`);
      }
    }
    if (cfg.national_additions !== true && cfg.national_additions !== false) {
      throw new ValueError('national_additions: expected True or False');
    }
    return cfg;
  }

  // --- dating ---------------------------------------------------------------------------------

  function ga(on, lmp, edd) {
    let start = lmp;
    if (edd !== null) start = addDays(edd, -PREGNANCY_LENGTH_DAYS);
    else if (lmp === null) throw new ValueError('lmp: give the last menstrual period (lmp) or the due date (edd)');
    const days = on - start;
    if (days < 0) throw new ValueError(`on: ${isoformat(on)} is before the LMP ${isoformat(start)}`);
    if (days > MAX_GA_DAYS) {
      throw new ValueError(`on: ${Math.floor(days / 7)} weeks since the LMP (> ${Math.floor(MAX_GA_DAYS / 7)}): `
        + 'the pregnancy has ended, record its outcome');
    }
    return { lmp: start, edd: addDays(start, PREGNANCY_LENGTH_DAYS), days, weeks: Math.floor(days / 7), extra_days: days % 7 };
  }

  const gaDict = (g) => ({ lmp: isoformat(g.lmp), edd: isoformat(g.edd), days: g.days, weeks: g.weeks, extra_days: g.extra_days });
  const optionalDate = (value, field) => (isNone(value) ? null : checkDate(value, field));

  /** pregnancy.gestational_age(...).as_dict(): {lmp, edd, days, weeks, extra_days}. */
  function gestationalAge(args) {
    const a = kwargs('gestational_age', args, ['on'], { lmp: null, edd: null });
    const on = checkDate(a.on, 'on');
    const edd = optionalDate(a.edd, 'edd');
    const lmp = optionalDate(a.lmp, 'lmp'); // parsed even when the EDD wins, as from JSON
    return gaDict(ga(on, lmp, edd));
  }

  // --- contact schedules ----------------------------------------------------------------------

  function dates(values, start, on, field) {
    if (!Array.isArray(values)) throw new ValueError(`${field}: expected a list of dates`);
    const out = values.map((v) => {
      const d = checkDate(v, field);
      if (d < start || d > on) {
        throw new ValueError(`${field}: ${isoformat(d)} is outside ${isoformat(start)}..${isoformat(on)}`);
      }
      return d;
    });
    return out.sort((x, y) => x - y);
  }

  /** windows: [{code, number, label_fr, due_from, target, overdue_until}], contiguous, ordered. */
  function match(windows, done, on) {
    const doneOn = new Map();
    const extra = [];
    for (const d of done) {
      const w = windows.find((x) => x.due_from <= d && d <= x.overdue_until);
      if (w === undefined || doneOn.has(w.code)) extra.push(d);
      else doneOn.set(w.code, d);
    }
    const contacts = windows.map((w) => {
      let status;
      if (doneOn.has(w.code)) status = 'done';
      else if (on < w.due_from) status = 'upcoming';
      else if (on <= w.target) status = 'due';
      else if (on <= w.overdue_until) status = 'overdue';
      else status = 'missed';
      return {
        code: w.code, number: w.number, label_fr: w.label_fr,
        due_from: isoformat(w.due_from), target_date: isoformat(w.target),
        overdue_until: isoformat(w.overdue_until), status,
        done_on: doneOn.has(w.code) ? isoformat(doneOn.get(w.code)) : null,
      };
    });
    const next = contacts.find((c) => c.status === 'due' || c.status === 'overdue' || c.status === 'upcoming');
    return { contacts, next: next === undefined ? null : next.code, extra: extra.map(isoformat) };
  }

  /** pregnancy.anc_schedule(...).as_dict() */
  function ancSchedule(args) {
    const a = kwargs('anc_schedule', args, ['on'], { lmp: null, edd: null, contacts_done: [], config: null });
    const cfg = makeConfig(a.config);
    const on = checkDate(a.on, 'on');
    const edd = optionalDate(a.edd, 'edd');
    const lmp = optionalDate(a.lmp, 'lmp'); // parsed even when the EDD wins, as from JSON
    const g = ga(on, lmp, edd);
    const done = dates(a.contacts_done, g.lmp, on, 'contacts_done');
    const weeks = cfg.anc_contact_weeks;
    const targets = weeks.map((w) => addDays(g.lmp, 7 * w));
    const starts = [g.lmp, ...targets.slice(1).map((t, i) => Math.max(
      addDays(targets[i], 1), addDays(t, -cfg.anc_due_window_days)))];
    const ends = [...starts.slice(1).map((s) => addDays(s, -1)),
      addDays(targets[targets.length - 1], cfg.anc_last_contact_grace_days)];
    const windows = weeks.map((week, k) => ({
      code: `ANC${k + 1}`,
      number: k + 1,
      label_fr: k === 0 ? `CPN ${k + 1} : jusqu'à ${week} SA` : `CPN ${k + 1} : ${week} SA`,
      due_from: starts[k],
      target: targets[k],
      overdue_until: ends[k],
    }));
    const m = match(windows, done, on);
    return {
      gestational_age: gaDict(g),
      contacts: m.contacts,
      next_contact: m.next,
      extra_contacts: m.extra,
      post_term_check_date: isoformat(addDays(g.lmp, 7 * POST_TERM_CHECK_WEEK)),
      rules_version: RULES_VERSION,
    };
  }

  /** pregnancy.postnatal_schedule(...).as_dict() */
  function postnatalSchedule(args) {
    const a = kwargs('postnatal_schedule', args, ['delivery_date', 'on'], { contacts_done: [], config: null });
    const cfg = makeConfig(a.config);
    const delivery = checkDate(a.delivery_date, 'delivery_date');
    const on = checkDate(a.on, 'on');
    if (on < delivery) throw new ValueError(`on: ${isoformat(on)} is before delivery_date`);
    const done = dates(a.contacts_done, delivery, on, 'contacts_done');
    const windows = PNC_CONTACTS.map((c, k) => {
      const lastDay = k + 1 < PNC_CONTACTS.length
        ? PNC_CONTACTS[k + 1].from_day - 1
        : c.to_day + cfg.pnc_last_contact_grace_days;
      return {
        code: c.code, number: k + 1, label_fr: c.label_fr,
        due_from: addDays(delivery, c.from_day),
        target: addDays(delivery, c.to_day),
        overdue_until: addDays(delivery, lastDay),
      };
    });
    const m = match(windows, done, on);
    return {
      delivery_date: isoformat(delivery),
      day: on - delivery,
      contacts: m.contacts,
      next_contact: m.next,
      extra_contacts: m.extra,
      rules_version: RULES_VERSION,
    };
  }

  // --- danger signs ---------------------------------------------------------------------------

  const cite = (source) => source.split(',').map((p) => p.trim())
    .map((p) => (Object.prototype.hasOwnProperty.call(CITATIONS, p) ? CITATIONS[p] : p)).join('; ');

  /** The signs present, in the order of the data file; ValueError for an unknown key. */
  function signs(findings, known) {
    if (!isMapping(findings)) throw new ValueError(`findings: expected a mapping, got ${pyRepr(findings)}`);
    for (const [key, value] of Object.entries(findings)) {
      if (!known.includes(key)) {
        throw new ValueError(`findings: unknown sign '${key}' (expected one of ${JSON.stringify(known)})`);
      }
      if (!isNone(value) && value !== true && value !== false) {
        throw new ValueError(`${key}: expected True, False or None, got ${pyRepr(value)}`);
      }
    }
    return known.filter((code) => Object.prototype.hasOwnProperty.call(findings, code) && findings[code] === true);
  }

  function assess(prefix, urgent, sameDay, specs, sameDaySpecs) {
    const reasons = urgent.map((c) => ({
      rule: `${prefix}.DANGER.${c.toUpperCase()}`, finding: c, threshold: null,
      source: cite(specs[c].source), text_fr: specs[c].text_fr,
    }));
    reasons.push(...sameDay.map((c) => ({
      rule: `${prefix}.SAME_DAY.${c.toUpperCase()}`, finding: c, threshold: null,
      source: cite(sameDaySpecs[c].source), text_fr: sameDaySpecs[c].text_fr,
    })));
    const action = urgent.length ? 'urgent_referral' : sameDay.length ? 'same_day_visit' : 'routine_care';
    reasons.push({
      rule: `${prefix}.ACTION.${action.toUpperCase()}`, finding: action, threshold: null,
      source: cite('PCPNC'), text_fr: R.actions[action].text_fr,
    });
    return {
      urgent_referral: urgent.length > 0,
      danger_signs: sorted(new Set(urgent)),
      same_day_signs: sorted(new Set(sameDay)),
      action,
      reasons,
      rules_version: RULES_VERSION,
    };
  }

  /** pregnancy.assess_pregnancy(findings, config).as_dict(): any sign means urgent referral. */
  function assessPregnancy(findings, config = null) {
    const cfg = makeConfig(config);
    const specs = R.pregnancy_danger_signs;
    let present = signs(findings, PREGNANCY_SIGNS);
    if (!cfg.national_additions) present = present.filter((c) => !specs[c].national_addition);
    return assess('PREGNANCY', present, [], specs, {});
  }

  /** pregnancy.assess_postpartum(findings).as_dict(): urgent referral, or a same-day visit. */
  function assessPostpartum(findings) {
    const present = signs(findings, [...POSTPARTUM_SIGNS, ...POSTPARTUM_SAME_DAY]);
    return assess('POSTPARTUM', present.filter((c) => POSTPARTUM_SIGNS.includes(c)),
      present.filter((c) => POSTPARTUM_SAME_DAY.includes(c)),
      R.postpartum_danger_signs, R.postpartum_same_day_signs);
  }

  /** pregnancy.assess_newborn(...).as_dict(): the young-infant signs of iccm.js (0-59 days). */
  function assessNewborn(args) {
    const a = kwargs('assess_newborn', args, ['date_of_birth', 'visit_date', 'findings'], { config: null });
    const sick = iccm.classifySickChild(a);
    if (sick.age_days > ages.YOUNG_INFANT_MAX_DAYS) {
      throw new ValueError(`visit_date: the newborn rules apply to 0-${ages.YOUNG_INFANT_MAX_DAYS} days (age `
        + `${sick.age_days} days): use iccm.classify_sick_child`);
    }
    const local = ['umbilicus_red_or_draining_pus', 'skin_pustules']
      .filter((k) => Object.prototype.hasOwnProperty.call(a.findings, k) && a.findings[k] === true);
    return {
      urgent_referral: sick.urgent_referral,
      danger_signs: sick.danger_signs,
      same_day_signs: sorted(local),
      action: sick.action,
      reasons: sick.reasons,
      rules_version: RULES_VERSION,
    };
  }

  return {
    gestationalAge, ancSchedule, postnatalSchedule, assessPregnancy, assessPostpartum,
    assessNewborn, RULES_VERSION,
  };
}
