// Record a visit and show the engine's result at once, offline: classification, action, the
// reasons (text_fr), z-scores; an urgent result is a red "Référer d'urgence".

import { assessVisit, deviceAssessment, getEngine } from "../clinical.js";
import { db, knownDoses, nowIso, saveVisit, today } from "../db.js";
import { timeOrderedUuid } from "../ids.js";
import {
  VACCINE_FIELD_PREFIX, asksVaccinationCard, fieldSpec, readAnswers, readVaccines, sectionsFor,
} from "../forms.js";
import {
  ageFr, dateFr, go, h, linkButton, mount, personName, showErrors, vocabulary as V,
} from "./dom.js";

export function urgentBanner(small = false) {
  return h("div", { class: `urgent${small ? " small" : ""}`, role: small ? null : "alert" },
    "Référer d'urgence");
}

function questionInput(key, spec) {
  const id = `f_${key}`;
  if (spec.type === "yesno") {
    return h("div", { class: "field yesno", dataset: { field: key } },
      h("span", { class: "label", id: `${id}_label` }, spec.label),
      h("div", { class: "choices", role: "radiogroup", "aria-labelledby": `${id}_label` },
        h("label", { class: "choice yes" }, h("input", { type: "radio", name: key, value: "yes" }),
          h("span", {}, "Oui")),
        h("label", { class: "choice no" }, h("input", { type: "radio", name: key, value: "no" }),
          h("span", {}, "Non"))));
  }
  if (spec.type === "choice") {
    return h("div", { class: "field", dataset: { field: key } },
      h("span", { class: "label" }, spec.label),
      h("div", { class: "choices", role: "radiogroup" }, spec.choices.map(([value, text]) =>
        h("label", { class: "choice" },
          h("input", { type: "radio", name: key, value, checked: value === spec.initial }),
          h("span", {}, text)))),
      spec.help ? h("p", { class: "help" }, spec.help) : null);
  }
  const input = spec.type === "date"
    ? h("input", { id, name: key, type: "date" })
    : h("input", { id, name: key, type: "number", min: spec.min, max: spec.max, step: spec.step,
      inputmode: spec.integer ? "numeric" : "decimal" });
  return h("div", { class: "field", dataset: { field: key } },
    h("label", { for: id }, spec.label), input,
    spec.help ? h("p", { class: "help" }, spec.help) : null);
}

/**
 * The doses the tablet knows for this person up to `on`, in the engine's codes (a dose the
 * engine does not know, or dated outside birth..on, is left out rather than failing the form).
 */
async function dosesUpTo(engine, person, on) {
  const doses = [];
  for (const [code, given] of await knownDoses(person.id)) {
    try {
      const canonical = engine.canonicalDoseCode(code);
      if (person.date_of_birth <= given && given <= on) doses.push([canonical, given]);
    } catch {
      // a dose since removed from the schedule
    }
  }
  return doses;
}

/** The card's lines grouped by age, as the web form: a date per dose not yet recorded. */
function vaccinationCardFieldset(card, person, on) {
  const groups = new Map();
  for (const dose of card) {
    if (!groups.has(dose.age_label_fr)) groups.set(dose.age_label_fr, []);
    groups.get(dose.age_label_fr).push(dose);
  }
  return h("fieldset", { class: "vaccine-card", id: "vaccination-card" },
    h("legend", {}, "Carte de vaccination"),
    h("p", { class: "help" }, "Recopiez la date de chaque vaccin écrit sur la carte. "
      + "Laissez vide un vaccin qui n'y est pas."),
    [...groups].map(([age, doses]) => [h("h3", {}, age), doses.map((dose) => {
      const key = VACCINE_FIELD_PREFIX + dose.code;
      if (dose.given) {
        return h("div", { class: "dose-row given", dataset: { dose: dose.code } },
          h("span", { class: "dose-label" }, dose.label_fr),
          h("span", { class: "dose-given" }, `✓ fait le ${dateFr(dose.given)}`));
      }
      return h("div", { class: "field dose-row", dataset: { dose: dose.code, field: key } },
        h("label", { for: `f_${key}` }, dose.label_fr),
        h("input", { id: `f_${key}`, name: key, type: "date", min: person.date_of_birth, max: on }));
    })]));
}

export async function visitFormScreen(view, personId, kind) {
  const person = await db.persons.get(personId);
  if (!person) {
    mount(view, h("p", { class: "notice" }, "Personne introuvable sur la tablette."));
    return;
  }
  getEngine().catch(() => {}); // loading while the CHW fills the form (the save reports errors)
  const on = today();
  const visitDate = h("input", { id: "visit_date", name: "visit_date", type: "date", value: on,
    max: on, min: person.date_of_birth });
  const context = () => ({ kind, dateOfBirth: person.date_of_birth, on: visitDate.value || on });
  const sections = sectionsFor(kind, person, on);
  let card = [];
  let cardBox = null;
  if (asksVaccinationCard(kind, person, on)) {
    try {
      const engine = await getEngine();
      card = engine.cardDoses({ date_of_birth: person.date_of_birth, on,
        doses_received: await dosesUpTo(engine, person, on) });
      cardBox = vaccinationCardFieldset(card, person, on);
    } catch (error) {
      console.error(error);
      cardBox = h("p", { class: "notice" }, "Carte de vaccination indisponible : le moteur "
        + "clinique n'a pas pu se charger.");
    }
  }
  const form = h("form", { class: "form visit-form", novalidate: true },
    h("div", { class: "form-errors" }),
    h("div", { class: "field", dataset: { field: "visit_date" } },
      h("label", { for: "visit_date" }, "Date de la visite"), visitDate),
    sections.map(({ title, keys }) => h("fieldset", {}, h("legend", {}, title),
      keys.map((key) => questionInput(key, fieldSpec(key, context()))))),
    cardBox,
    h("div", { class: "actions sticky" },
      h("button", { class: "btn primary big", type: "submit", id: "save-visit" },
        "Enregistrer la visite"),
      linkButton("Annuler", `#/personne/${personId}`)));

  // A duration is asked only once the symptom is answered "Oui".
  for (const [symptom, daysKey] of Object.entries(V.durations)) {
    const box = form.querySelector(`[data-field="${daysKey}"]`);
    if (!box || !form.querySelector(`[data-field="${symptom}"]`)) continue;
    const update = () => {
      const yes = form.querySelector(`input[name="${symptom}"]:checked`)?.value === "yes";
      box.hidden = !yes;
      box.querySelector("input").disabled = !yes; // left out of the answers
    };
    form.querySelectorAll(`input[name="${symptom}"]`).forEach((i) => i.addEventListener("change", update));
    update();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answers = Object.fromEntries(new FormData(form).entries());
    const date = visitDate.value;
    const errors = {};
    if (!date) errors.visit_date = ["Indiquez la date de la visite."];
    else if (date > on) errors.visit_date = ["La date de la visite ne peut pas être dans le futur."];
    else if (date < person.date_of_birth) {
      errors.visit_date = ["La visite ne peut pas être avant la naissance."];
    }
    const read = readAnswers(kind, sections, answers, context());
    Object.assign(errors, read.errors);
    const copied = readVaccines(card, answers, { dateOfBirth: person.date_of_birth, visitDate: date });
    Object.assign(errors, copied.errors);
    if (showErrors(form, errors)) return;
    let assessment;
    try {
      assessment = await assessVisit({ kind, person, visitDate: date, findings: read.findings,
        measurements: read.measurements });
    } catch (error) {
      if (error?.name === "ValueError") {
        const key = error.field ?? String(error.message).split(":")[0].trim();
        showErrors(form, { [form.querySelector(`[data-field="${key}"]`) ? key : "form"]:
          ["Valeur impossible ou contradictoire avec une autre réponse : vérifiez la saisie."] });
        return;
      }
      console.error(error);
      showErrors(form, { form: ["Le moteur clinique n'a pas pu se charger. Rechargez "
        + "l'application avec du réseau une fois."] });
      return;
    }
    const id = timeOrderedUuid();
    // The card travels in findings.vaccines (docs/sync.md); the engine never sees it.
    const findings = Object.keys(copied.vaccines).length
      ? { ...read.findings, vaccines: copied.vaccines } : read.findings;
    await saveVisit({
      id, person: personId, household: person.household, visit_date: date, kind,
      findings, measurements: read.measurements, assessment,
      device_assessment: deviceAssessment(assessment), urgent: assessment.urgent_referral,
      action: assessment.action, classifications: assessment.classifications,
      recorded_at: nowIso(),
    });
    go(`#/visite/${id}`);
  });
  mount(view,
    h("h1", {}, V.kinds[kind] ?? kind),
    h("p", { class: "muted" }, `${personName(person)} · ${ageFr(person.date_of_birth, on)}`),
    form);
}

function zscoreRows(zscores) {
  const L = V.limits;
  return Object.entries(V.zscores).flatMap(([key, label]) => {
    const entry = zscores?.[key];
    if (!entry || entry.z === null || entry.z === undefined) return [];
    const z = Math.round(entry.z * 100) / 100;
    const severity = z < L.zscore_severe_below ? "severe" : z < L.zscore_moderate_below ? "moderate" : "";
    return [h("tr", { class: severity },
      h("th", { scope: "row" }, label),
      h("td", {}, z.toLocaleString("fr-FR", { minimumFractionDigits: 2, maximumFractionDigits: 2 })
        + (entry.flagged ? " (à vérifier)" : "")),
      h("td", {}, severity === "severe" ? "Sévère" : severity === "moderate" ? "Modéré" : ""))];
  });
}

function signLabel(code, kind) {
  if (kind === "pregnancy" && V.pregnancy_signs[code]) return V.pregnancy_signs[code];
  if (kind === "postnatal" && V.postpartum_signs[code]) return V.postpartum_signs[code];
  return V.findings[code] ?? V.pregnancy_signs[code] ?? V.postpartum_signs[code]
    ?? V.older_child_findings?.[code] ?? code;
}

/** The result of a visit: from the engine (recorded here) or compact (pulled). */
export function resultPanel(visit) {
  const a = visit.assessment;
  if (!a) {
    return h("section", { class: `result${visit.urgent ? " is-urgent" : ""}`, id: "visit-result" },
      visit.urgent ? urgentBanner() : null,
      h("p", { class: "action" }, V.actions[visit.action] ?? visit.action ?? ""),
      (visit.classifications ?? []).filter((c) => c !== "danger_sign" && c !== "no_finding")
        .map((c) => h("p", { class: "classification" }, V.classifications[c] ?? c)),
      h("p", { class: "muted small" }, "Résultat enregistré par le serveur."));
  }
  const classifications = (a.classifications ?? [])
    .filter((c) => c !== "danger_sign" && c !== "no_finding");
  const reasons = [...new Set((a.reasons ?? []).map((r) => r.text_fr).filter(Boolean))];
  const zrows = zscoreRows(a.zscores);
  const ga = a.gestational_age;
  // The first dose the rules give before an urgent referral, named (iccm pre_referral).
  const preReferral = (a.reasons ?? []).filter((r) => r.rule?.includes(".PRE_REFERRAL.")).map((r) => r.text_fr);
  return h("section", { class: `result${a.urgent_referral ? " is-urgent" : ""}`, id: "visit-result" },
    a.urgent_referral ? urgentBanner() : null,
    h("p", { class: "action", id: "result-action" }, a.summary_fr ?? V.actions[a.action] ?? a.action),
    preReferral.length ? h("div", { id: "result-pre-referral" }, h("h3", {}, "Avant le transfert"),
      h("ul", {}, preReferral.map((t) => h("li", {}, t)))) : null,
    a.danger_signs?.length ? h("div", {}, h("h3", {}, "Signes de danger"),
      h("ul", { class: "danger-signs" }, a.danger_signs.map((c) => h("li", {}, signLabel(c, visit.kind)))))
      : null,
    classifications.length ? h("div", {}, h("h3", {}, "Classification"),
      h("ul", { id: "result-classifications" },
        classifications.map((c) => h("li", {}, V.classifications[c] ?? c)))) : null,
    ga ? h("p", {}, `Grossesse : ${ga.weeks} semaines${ga.extra_days ? ` et ${ga.extra_days} jours` : ""}`
      + ` · accouchement prévu le ${dateFr(ga.edd)}`) : null,
    a.follow_up_days && !/revoir/i.test(a.summary_fr ?? "")
      ? h("p", { class: "follow-up" }, `Revoir dans ${a.follow_up_days} jours.`) : null,
    zrows.length ? h("div", {}, h("h3", {}, "Croissance (z-scores OMS)"),
      h("table", { class: "zscores" }, h("tbody", {}, zrows))) : null,
    reasons.length ? h("div", {}, h("h3", {}, "Pourquoi"),
      h("ul", { class: "reasons", id: "result-reasons" }, reasons.map((t) => h("li", {}, t)))) : null);
}

const NEXT_DOSE_TEXT = {
  overdue: () => "en retard",
  due: (v) => `à faire au plus tard le ${dateFr(v.overdue_after)}`,
  upcoming: (v) => `à partir du ${dateFr(v.due_date)}`,
};

/**
 * The doses copied at this visit and the next ones (engine.nextDoses on the visit date, with
 * every dose the tablet knows then), as the web result page; null when the card is not asked.
 */
async function vaccinationPanel(visit, person) {
  if (!person || !asksVaccinationCard(visit.kind, person, visit.visit_date)) return null;
  let engine;
  try {
    engine = await getEngine();
  } catch {
    return null; // the result still shows; the card's summary needs the engine
  }
  let here = []; // the lines of the card this visit filled, in schedule order
  try {
    here = engine.cardDoses({ date_of_birth: person.date_of_birth, on: visit.visit_date,
      doses_received: Object.entries(visit.findings?.vaccines ?? {}) }).filter((d) => d.given);
  } catch {
    // a birth date corrected since: the card is shown again on the next visit
  }
  const next = engine.nextDoses({ date_of_birth: person.date_of_birth, on: visit.visit_date,
    doses_received: await dosesUpTo(engine, person, visit.visit_date) });
  return h("section", { class: "result vaccination-result", id: "vaccination-result" },
    h("h3", {}, "Vaccination"),
    here.length ? [h("p", {}, h("strong", {}, "Vaccins notés à cette visite")),
      h("ul", { class: "doses-recorded" }, here.map((d) =>
        h("li", {}, `${d.label_fr} : ${dateFr(d.given)}`)))] : null,
    next.length ? [h("p", {}, h("strong", {}, "Prochains vaccins")),
      h("ul", { class: "doses-next" }, next.map((v) => h("li", { class: v.status },
        `${v.label_fr} : `, h(v.status === "overdue" ? "strong" : "span",
          { class: v.status === "overdue" ? "bad" : null }, NEXT_DOSE_TEXT[v.status](v))))),
      h("p", { class: "muted small" },
        "Orientez la famille vers la séance de vaccination du CSCom, avec la carte.")]
      : h("p", {}, "Aucun vaccin à prévoir selon le calendrier du PEV."));
}

export async function visitScreen(view, visitId) {
  const visit = await db.visits.get(visitId);
  if (!visit) {
    mount(view, h("p", { class: "notice" }, "Visite introuvable sur la tablette."));
    return;
  }
  const person = await db.persons.get(visit.person);
  mount(view,
    h("h1", {}, V.kinds[visit.kind] ?? visit.kind),
    h("p", { class: "muted" }, `${personName(person)} · ${dateFr(visit.visit_date)}`),
    resultPanel(visit),
    await vaccinationPanel(visit, person),
    visit.assessment_mismatch ? h("p", { class: "notice bad", id: "assessment-mismatch" },
      "Le serveur a trouvé un autre résultat : "
      + `${V.actions[visit.server_assessment?.action] ?? visit.server_assessment?.action ?? "?"}. `
      + "Votre superviseur va vérifier.") : null,
    h("p", { class: "muted small", id: "visit-sync-state" }, visit.synced
      ? "Envoyée au serveur."
      : "Enregistrée sur la tablette ; elle partira à la prochaine synchronisation."),
    h("div", { class: "actions" },
      person ? linkButton("Retour à la personne", `#/personne/${person.id}`, "btn primary") : null,
      person ? linkButton("Ménage", `#/menage/${person.household}`) : null));
}
