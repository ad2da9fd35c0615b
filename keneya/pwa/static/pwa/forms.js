// The questions of each kind of visit, for the person's age band: a port of
// keneya/visits/forms.py (available_kinds, sections_for, the field guards), reading the keys,
// labels and limits the server embeds in the shell page (keneya/pwa/vocabulary.py).

import { vocabulary as V } from "./ui/dom.js";

const L = V.limits ?? {};

export function ageDays(dateOfBirth, on) {
  return Math.max(Math.round((Date.parse(`${on}T00:00:00Z`)
    - Date.parse(`${dateOfBirth}T00:00:00Z`)) / 86400000), 0);
}

/** Completed calendar months (keneya/clinical/ages.py completed_months). */
export function completedMonths(dateOfBirth, on) {
  const [by, bm, bd] = dateOfBirth.split("-").map(Number);
  const [y, m, d] = on.split("-").map(Number);
  const months = (y - by) * 12 + (m - bm);
  return d < bd ? months - 1 : months;
}

export function ageBand(dateOfBirth, on) {
  const days = ageDays(dateOfBirth, on);
  const months = completedMonths(dateOfBirth, on);
  if (days <= L.young_infant_max_days) return "young_infant_0_59d";
  if (months <= 11) return "child_2_11m";
  if (months < L.under_five_months) return "child_12_59m";
  return "out_of_scope_60m_plus";
}

/** The kinds of visit that make sense for this person today. */
export function availableKinds(person, on) {
  const days = ageDays(person.date_of_birth, on);
  const months = completedMonths(person.date_of_birth, on);
  const kinds = [];
  if (months < L.under_five_months) kinds.push("sick_child", "child_followup");
  const [minYears, maxYears] = L.childbearing_years ?? [10, 55];
  if (days <= L.young_infant_max_days) {
    kinds.push("postnatal");
  } else if (person.sex === "F" && minYears <= Math.floor(months / 12)
      && Math.floor(months / 12) <= maxYears) {
    kinds.push("pregnancy", "postnatal");
  }
  const [olderMin, olderMax] = L.older_child_months ?? [60, 215];
  if (olderMin <= months && months <= olderMax) kinds.unshift("older_child_followup");
  return kinds;
}

/**
 * Is the vaccination card copied at this visit? (VisitForm: the child's visits, and the
 * newborn's postnatal visit for the birth doses; never the mother's.)
 */
export function asksVaccinationCard(kind, person, on) {
  if ((V.vaccination_card_kinds ?? []).includes(kind)) {
    return completedMonths(person.date_of_birth, on) < L.under_five_months;
  }
  return kind === "postnatal" && ageDays(person.date_of_birth, on) <= L.young_infant_max_days;
}

export const VACCINE_FIELD_PREFIX = "vaccine_";

/** "2021-07-14" -> "14/07/2021" (the web form's SHORT_DATE_FORMAT). */
function shortDate(iso) {
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}

function isIsoDate(raw) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) return false;
  const d = new Date(`${raw}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === raw;
}

/**
 * The dates copied from the card, checked like VisitForm.clean: `card` is the engine's
 * cardDoses (lines already given are not asked), `answers` the raw form values. Returns
 * {errors, vaccines: {code: "YYYY-MM-DD"}}.
 */
export function readVaccines(card, answers, { dateOfBirth, visitDate }) {
  const errors = {};
  const vaccines = {};
  for (const dose of card) {
    if (dose.given) continue;
    const key = VACCINE_FIELD_PREFIX + dose.code;
    const raw = (answers[key] ?? "").trim();
    if (raw === "") continue;
    if (!isIsoDate(raw)) {
      errors[key] = ["Date invalide : choisissez le jour, le mois et l'année."];
    } else if (raw < dateOfBirth) {
      errors[key] = [`Date avant la naissance (${shortDate(dateOfBirth)}) : vérifiez la carte.`];
    } else if (visitDate && raw > visitDate) {
      errors[key] = ["Date après la visite : vérifiez la carte."];
    } else {
      vaccines[dose.code] = raw;
    }
  }
  return { errors, vaccines };
}

/** [{title, keys}] of the form, for this kind and the person's age band. */
export function sectionsFor(kind, person, on) {
  const young = ageDays(person.date_of_birth, on) <= L.young_infant_max_days;
  const muac = completedMonths(person.date_of_birth, on) >= L.muac_min_age_months ? ["muac_mm"] : [];
  const growth = ["weight_kg", "length_or_height_cm", "measured_position"];
  const s = (title, keys) => ({ title, keys });
  if (kind === "sick_child" && young) {
    return [s("Signes de danger", V.young_infant_signs),
      s("Infection locale", V.local_infection_signs),
      s("Mesures", ["temperature_c", "respiratory_rate", "weight_kg"])];
  }
  if (kind === "sick_child") {
    return [s("Ce que la famille signale", V.child_symptoms),
      s("Signes de danger", V.child_danger_signs),
      s("Examen et mesures", ["respiratory_rate", "temperature_c", "rdt_result", ...muac, ...growth])];
  }
  if (kind === "child_followup") {
    const signs = young ? V.young_infant_signs : V.child_danger_signs;
    return [s("Mesures", [...growth, ...muac]),
      s("Signes de danger (si vous en voyez)", [...new Set(["bilateral_oedema", ...signs])])];
  }
  if (kind === "older_child_followup") { // child 5-17 years (clinical-rules.md 7)
    return [s("Signes d'urgence (référer d'urgence)", V.older_child_urgent_signs),
      s("Maladie depuis la dernière visite", V.older_child_illness),
      s("Mesures", ["weight_kg", "length_or_height_cm"]),
      s("École et prévention", V.older_child_school)];
  }
  if (kind === "pregnancy") {
    return [s("Signes de danger", Object.keys(V.pregnancy_signs)),
      s("Datation de la grossesse", ["lmp", "edd"])];
  }
  if (young) {
    return [s("Signes de danger du nouveau-né", V.young_infant_signs),
      s("Infection locale", V.local_infection_signs),
      s("Mesures", ["temperature_c", "respiratory_rate"])];
  }
  return [s("Signes de danger", Object.keys(V.postpartum_signs)),
    s("À faire voir au CSCom le jour même", Object.keys(V.postpartum_same_day_signs))];
}

const DURATION_KEYS = new Set(Object.values(V.durations ?? {}));

/**
 * How to ask one question: {type: yesno|number|choice|date, label, min, max, step, integer,
 * help, choices, initial}.
 */
export function fieldSpec(key, { kind, dateOfBirth, on }) {
  const band = ageBand(dateOfBirth, on);
  const signLabel = (kind === "pregnancy" && V.pregnancy_signs[key])
    || (kind === "postnatal" && (V.postpartum_signs[key] || V.postpartum_same_day_signs[key]));
  if (signLabel) return { type: "yesno", label: signLabel };
  const label = V.findings[key] ?? V.older_child_findings?.[key];
  const number = (min, max, integer, step = integer ? "1" : "0.1") => ({
    type: "number", label, min, max, integer, step,
  });
  if (DURATION_KEYS.has(key)) return number(0, L.max_symptom_days, true);
  switch (key) {
    case "respiratory_rate": {
      const spec = number(...L.respiratory_rate, true);
      const threshold = L.fast_breathing_per_min?.[band];
      if (threshold) {
        spec.help = `Comptez pendant une minute entière. Rapide à partir de ${threshold}.`;
      }
      return spec;
    }
    case "temperature_c":
      return number(...L.temperature_c, false);
    case "rdt_result":
      return { type: "choice", label, initial: "",
        choices: [["positive", "Positif"], ["negative", "Négatif"], ["", "Pas fait"]] };
    case "muac_mm":
      return { ...number(...L.muac_mm, true), help: "Rouge : moins de 115 mm. Jaune : 115 à 124 mm." };
    case "weight_kg":
      return { ...number(...L.weight_kg, false), label: "Poids (kg)" };
    case "length_or_height_cm":
      return { ...number(...L.length_cm, false), label: "Longueur ou taille (cm)" };
    case "measured_position":
      return { type: "choice", label: "Mesuré", help: "Couché avant 2 ans, debout ensuite.",
        initial: ageDays(dateOfBirth, on) < L.lenhei_switch_days ? "L" : "H",
        choices: [["L", "Couché"], ["H", "Debout"]] };
    case "school_level":
      return { type: "choice", label, initial: "",
        choices: [...Object.entries(V.school_levels ?? {}), ["", "Non précisé"]] };
    case "lmp":
      return { type: "date", label: "Date des dernières règles (DDR)" };
    case "edd":
      return { type: "date", label: "Date prévue de l'accouchement (DPA)",
        help: "Si elle est connue (échographie) : elle remplace la DDR." };
    default:
      return { type: "yesno", label: label ?? key };
  }
}

function addDays(iso, days) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86400000).toISOString().slice(0, 10);
}

/**
 * Check the answers like VisitForm.clean and split them like VisitForm.visit_input.
 * `answers` maps each key to a raw string ("yes"/"no"/""/number/date). Returns
 * {errors, findings, measurements}.
 */
export function readAnswers(kind, sections, answers, { dateOfBirth, on }) {
  const errors = {};
  const findings = {};
  const measurements = {};
  const measurementKeys = new Set(V.measurement_keys);
  const values = {};
  for (const { keys } of sections) {
    for (const key of keys) {
      const spec = fieldSpec(key, { kind, dateOfBirth, on });
      const raw = (answers[key] ?? "").trim();
      if (raw === "") continue;
      if (spec.type === "yesno") {
        values[key] = raw === "yes";
      } else if (spec.type === "number") {
        const value = Number(raw.replace(",", "."));
        if (!Number.isFinite(value) || (spec.integer && !Number.isInteger(value))) {
          errors[key] = [spec.integer ? "Saisissez un nombre entier." : "Saisissez un nombre."];
        } else if (value < spec.min || value > spec.max) {
          errors[key] = [`Valeur entre ${spec.min} et ${spec.max}.`];
        } else {
          values[key] = value;
        }
      } else if (spec.type === "date") {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) errors[key] = ["Date invalide."];
        else values[key] = raw;
      } else {
        values[key] = raw;
      }
    }
  }
  for (const [symptom, daysKey] of Object.entries(V.durations)) {
    if (values[symptom] === false && values[daysKey]) {
      errors[daysKey] = ["Vous avez répondu « Non » : laissez la durée vide ou corrigez la réponse."];
    }
  }
  if (values.in_school === false && values.school_level) {
    errors.school_level = ["Vous avez répondu « Non » à l'école : laissez le niveau vide ou corrigez."];
  }
  for (const key of ["lmp", "edd"]) {
    if (!values[key]) continue;
    const lmp = key === "edd" ? addDays(values[key], -L.pregnancy_length_days) : values[key];
    if (lmp > on) {
      errors[key] = ["Date impossible : elle place les dernières règles après la visite."];
    } else if (ageDays(lmp, on) > L.max_gestational_age_days) {
      errors[key] = [`Plus de ${Math.floor(L.max_gestational_age_days / 7)} semaines de grossesse : `
        + "la grossesse est terminée, vérifiez la date."];
    }
  }
  for (const [key, value] of Object.entries(values)) {
    if (key === "measured_position") continue;
    if (measurementKeys.has(key)) {
      measurements[key] = value;
    } else if (value !== false || kind !== "child_followup") {
      // A follow-up sends only the signs seen (the iCCM classification runs on a follow-up only
      // when something was found), as the web form does.
      findings[key] = value;
    }
  }
  if ("length_or_height_cm" in measurements && kind !== "older_child_followup") {
    measurements.measured_position = values.measured_position
      ?? fieldSpec("measured_position", { kind, dateOfBirth, on }).initial;
  }
  return { errors, findings, measurements };
}
