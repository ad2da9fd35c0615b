// The vaccination card during a home visit, as keneya/clinical/vaccination_card.py: which doses
// of the Mali PEV (rules.pev_mali, through immunization.js) the CHW copies, and which come next.
// No rule of its own.
//
// - cardDoses: in schedule order, every dose received (with its date, enabled or not) and every
//   enabled dose not received whose age is reached on `on` (whatever the series interval or the
//   catch-up window: the card records what was given);
// - nextDoses: the doses due or overdue on `on` (dueVaccines), or when none, the upcoming doses of
//   the earliest due date.

import { ValueError, kwargs } from './py.js';
import { checkDate, isoformat } from './ages.js';

const DAYS_PER_WEEK = 7;

export function makeVaccinationCard(immunization) {
  const { SCHEDULE, dueFromBirth, makeConfig, enabled, received, dueVaccines } = immunization;

  /** vaccination_card.age_label_fr: "Naissance", "6 semaines", "9 mois". */
  function ageLabelFr(dose) {
    if (dose.ageUnit === 'months') return `${dose.ageValue} mois`;
    if (dose.ageValue === 0) return 'Naissance';
    if (dose.ageValue % DAYS_PER_WEEK === 0) return `${dose.ageValue / DAYS_PER_WEEK} semaines`;
    return `${dose.ageValue} jours`;
  }

  /**
   * vaccination_card.card_doses, each as CardDose.as_dict(): {code, label_fr, series, dose,
   * age_label_fr, from_date, given (ISO or null)}. doses_received: [[code, 'YYYY-MM-DD'], ...].
   */
  function cardDoses(args) {
    const a = kwargs('card_doses', args, ['date_of_birth', 'on'], { doses_received: [], config: null });
    const dob = checkDate(a.date_of_birth, 'date_of_birth');
    const on = checkDate(a.on, 'on');
    if (on < dob) throw new ValueError(`on: ${isoformat(on)} is before date_of_birth`);
    const cfg = makeConfig(a.config);
    const got = received(a.doses_received, dob, on);
    const out = [];
    for (const dose of SCHEDULE) {
      const given = got.get(dose.code);
      const fromDate = dueFromBirth(dose, dob);
      if (given === undefined && (!enabled(cfg, dose) || fromDate > on)) continue;
      out.push({
        code: dose.code, label_fr: dose.label_fr, series: dose.series, dose: dose.dose,
        age_label_fr: ageLabelFr(dose), from_date: isoformat(fromDate),
        given: given === undefined ? null : isoformat(given),
      });
    }
    return out;
  }

  /** vaccination_card.next_doses, each as VaccineDue.as_dict() (dueVaccines). */
  function nextDoses(args) {
    const a = kwargs('next_doses', args, ['date_of_birth', 'on'], { doses_received: [], config: null });
    const schedule = dueVaccines(a);
    const now = schedule.filter((v) => v.status === 'due' || v.status === 'overdue');
    if (now.length) return now;
    const upcoming = schedule.filter((v) => v.status === 'upcoming');
    if (!upcoming.length) return [];
    const first = upcoming.map((v) => v.due_date).sort()[0]; // ISO dates sort as days
    return upcoming.filter((v) => v.due_date === first);
  }

  return { cardDoses, nextDoses };
}
