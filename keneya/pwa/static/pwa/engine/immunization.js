// Mali routine immunisation schedule (PEV): due, overdue, upcoming, not eligible, as
// keneya/clinical/immunization.py (clinical-rules.md v1, section 3). The schedule is
// rules.pev_mali.doses (one entry per dose with its source and confidence); doses marked [U]
// there are disabled by default and config.enable / config.disable switch doses on or off.
//
// Reminder logic (spec 3, design proposal):
// - due_date = max(DOB + age of the dose, previous dose of the series +
//   series_min_interval_days); an age in months is completed months (ages.dateAtAgeMonths);
// - a dose of the series not yet given is assumed given at max(its due date, on);
// - due from due_date to due_date + grace_days (config, default grace_days.default) inclusive,
//   overdue after, upcoming before, not_eligible past the catch-up limit (last day with
//   age <= catch_up_until).

import { PyTypeError, ValueError, isMapping, isNone, kwargs, pyRepr, sorted } from './py.js';
import { addDays, checkDate, dateAtAgeMonths, isoformat } from './ages.js';

export function makeImmunization(data) {
  const P = data.rules.pev_mali;
  const DEFAULT_GRACE_DAYS = P.grace_days.default; // [U] programme choice
  const SERIES_MIN_INTERVAL_DAYS = P.series_min_interval_days.value; // spec 3 [H]
  const ALIASES = new Map(Object.entries(P.aliases).filter(([k]) => k !== 'note'));
  const SCHEDULE = P.doses.map((d) => {
    const [[ageUnit, ageValue]] = Object.entries(d.age);
    const [[catchUnit, catchValue]] = Object.entries(d.catch_up_until);
    return { ...d, ageUnit, ageValue, catchUnit, catchValue };
  });
  const DOSES = new Map(SCHEDULE.map((d) => [d.code, d]));
  const ORDER = new Map(SCHEDULE.map((d, i) => [d.code, i]));

  function dueFromBirth(dose, dob) {
    return dose.ageUnit === 'days' ? addDays(dob, dose.ageValue) : dateAtAgeMonths(dob, dose.ageValue);
  }

  function lastDate(dose, dob) {
    return dose.catchUnit === 'days'
      ? addDays(dob, dose.catchValue)
      : addDays(dateAtAgeMonths(dob, dose.catchValue + 1), -1);
  }

  /** ImmunizationConfig: {grace_days, enable: [codes], disable: [codes]}, all optional. */
  function makeConfig(config) {
    if (isNone(config)) return { grace_days: DEFAULT_GRACE_DAYS, enable: new Set(), disable: new Set() };
    if (!isMapping(config)) throw new ValueError(`config: expected an ImmunizationConfig, got ${pyRepr(config)}`);
    for (const key of Object.keys(config)) {
      if (!['grace_days', 'enable', 'disable'].includes(key)) {
        throw new PyTypeError(`ImmunizationConfig.__init__() got an unexpected keyword argument '${key}'`);
      }
    }
    const g = config.grace_days === undefined ? DEFAULT_GRACE_DAYS : config.grace_days;
    if (typeof g !== 'number' || !Number.isInteger(g) || g < 0) {
      throw new ValueError(`grace_days: expected an integer >= 0, got ${pyRepr(g)}`);
    }
    const cfg = { grace_days: g };
    for (const name of ['enable', 'disable']) {
      const codes = config[name] ?? [];
      if (!Array.isArray(codes) && !(codes instanceof Set)) {
        throw new ValueError(`${name}: expected a list of dose codes, got ${pyRepr(codes)}`);
      }
      const unknown = [...codes].filter((c) => !DOSES.has(c));
      if (unknown.length) throw new ValueError(`${name}: unknown dose codes ${JSON.stringify(sorted(new Set(unknown)))}`);
      cfg[name] = new Set(codes);
    }
    return cfg;
  }

  const enabled = (cfg, dose) => !cfg.disable.has(dose.code) && (dose.enabled || cfg.enable.has(dose.code));

  /** immunization.canonical_code: older names (VAR1) accepted. */
  function canonicalCode(code) {
    if (typeof code !== 'string') throw new ValueError(`doses_received: dose code must be a string, got ${pyRepr(code)}`);
    const c = ALIASES.get(code) ?? code;
    if (!DOSES.has(c)) throw new ValueError(`doses_received: unknown dose code '${c}' (see immunization.DOSES)`);
    return c;
  }

  /** code -> day given (the earliest when a dose is recorded twice). */
  function received(dosesReceived, dob, on) {
    if (!Array.isArray(dosesReceived)) {
      throw new ValueError(`doses_received: expected (code, date) pairs, got ${pyRepr(dosesReceived)}`);
    }
    const out = new Map();
    for (const item of dosesReceived) {
      if (!Array.isArray(item) || item.length !== 2) {
        throw new ValueError(`doses_received: expected (code, date) pairs, got ${pyRepr(item)}`);
      }
      const code = canonicalCode(item[0]);
      const given = checkDate(item[1], `doses_received[${code}]`);
      if (given < dob) throw new ValueError(`doses_received[${code}]: ${isoformat(given)} is before birth`);
      if (given > on) throw new ValueError(`doses_received[${code}]: ${isoformat(given)} is after on`);
      if (!out.has(code) || given < out.get(code)) out.set(code, given);
    }
    return out;
  }

  /**
   * immunization.due_vaccines: every enabled dose not yet received, sorted by due_date then
   * schedule order, each as VaccineDue.as_dict() {code, antigen, series, dose, label_fr, status,
   * due_date, overdue_after, last_date, source}. doses_received: [[code, 'YYYY-MM-DD'], ...].
   */
  function dueVaccines(args) {
    const a = kwargs('due_vaccines', args, ['date_of_birth', 'on'], { doses_received: [], config: null });
    const dob = checkDate(a.date_of_birth, 'date_of_birth');
    const on = checkDate(a.on, 'on');
    if (on < dob) throw new ValueError(`on: ${isoformat(on)} is before date_of_birth`);
    const cfg = makeConfig(a.config);
    const got = received(a.doses_received, dob, on);
    const previous = new Map(); // series -> day the last dose was (or is assumed) given
    const out = [];
    for (const dose of SCHEDULE) {
      const given = got.get(dose.code);
      if (given !== undefined) {
        previous.set(dose.series, given);
        continue;
      }
      if (!enabled(cfg, dose)) continue;
      let due = dueFromBirth(dose, dob);
      const before = previous.get(dose.series);
      if (before !== undefined) due = Math.max(due, addDays(before, SERIES_MIN_INTERVAL_DAYS));
      const last = lastDate(dose, dob);
      const overdueAfter = addDays(due, cfg.grace_days);
      let status;
      if (on > last || due > last) status = 'not_eligible';
      else if (on < due) status = 'upcoming';
      else if (on > overdueAfter) status = 'overdue';
      else status = 'due';
      // Not given yet: the next dose of the series counts from when this one can be given.
      previous.set(dose.series, Math.max(due, on));
      out.push({
        code: dose.code, antigen: dose.antigen, series: dose.series, dose: dose.dose,
        label_fr: dose.label_fr, status, due_date: due, overdue_after: overdueAfter,
        last_date: last, source: dose.source,
      });
    }
    out.sort((x, y) => x.due_date - y.due_date || ORDER.get(x.code) - ORDER.get(y.code));
    return out.map((v) => ({
      ...v,
      due_date: isoformat(v.due_date),
      overdue_after: isoformat(v.overdue_after),
      last_date: isoformat(v.last_date),
    }));
  }

  // dueVaccines and canonicalCode are the engine's API; the rest serves vaccination_card.js.
  return {
    dueVaccines, canonicalCode, RULES_VERSION: P.version,
    SCHEDULE, dueFromBirth, makeConfig, enabled, received,
  };
}
