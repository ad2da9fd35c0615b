// "Dépistage social": a household screened on the vulnerability grid, offline. The grid is the
// one the last sync brought (meta "scorecard", keneya/social_protection/sync.py); the score, the
// band and the per-indicator breakdown come from engine/scorecard.js as soon as every question
// is answered. Saved to IndexedDB and queued like a visit ("screening" sync type); the server
// scores it again with the same rules.

import { db, getMeta, saveScreening, today, uuid } from "../db.js";
import { ScoringError, scoreAnswers } from "../engine/scorecard.js";
import { dateFr, go, h, linkButton, mount, showErrors } from "./dom.js";

const NO_GRID = "La grille de dépistage n'est pas encore sur la tablette : synchronisez une fois "
  + "avec du réseau.";

/** The band's label and class (likely_indigent: red, vulnerable: amber). */
function bandBadge(code, label) {
  const tone = code === "likely_indigent" ? "bad" : code === "vulnerable" ? "wait" : "ok";
  return h("span", { class: `badge ${tone}`, id: "screening-band" }, label ?? code);
}

/** Score, band and breakdown of a result (engine) or of a stored screening. */
export function screeningResult(result) {
  return h("div", { class: "result", id: "screening-result", role: "status" },
    h("p", { class: "action" }, `Score : `, h("span", { id: "screening-score" }, String(result.score)),
      " · ", bandBadge(result.band, result.band_label_fr)),
    result.admis_de_droit ? h("p", {}, "Admis de droit : la tranche ne dépend pas du score.") : null,
    h("table", { class: "breakdown", id: "screening-breakdown" },
      h("tbody", {}, (result.breakdown ?? []).map((row) => h("tr", {},
        h("th", { scope: "row" }, row.label_fr ?? row.indicator),
        h("td", {}, row.option_label_fr ?? row.option),
        h("td", { class: "points" }, `${row.points} pt${Math.abs(row.points) > 1 ? "s" : ""}`))))));
}

function question(indicator) {
  const key = `answers.${indicator.code}`;
  return h("fieldset", { class: "field", dataset: { field: key } },
    h("legend", {}, indicator.label_fr ?? indicator.code),
    h("div", { class: "choices", role: "radiogroup" }, indicator.options.map((option) =>
      h("label", { class: "choice" },
        h("input", { type: "radio", name: `q_${indicator.code}`, value: option.code }),
        h("span", {}, option.label_fr ?? option.code)))));
}

function admisQuestion(categories) {
  return h("fieldset", { class: "field", dataset: { field: "admis_de_droit" } },
    h("legend", {}, "Admis de droit (quel que soit le score)"),
    h("div", { class: "choices", role: "radiogroup" },
      [{ code: "", label_fr: "Aucune de ces catégories" }, ...categories].map((category) =>
        h("label", { class: "choice" },
          h("input", { type: "radio", name: "admis_de_droit", value: category.code,
            checked: category.code === "" }),
          h("span", {}, category.label_fr ?? category.code)))));
}

function readAnswers(form, grid) {
  const answers = {};
  for (const indicator of grid.indicators) {
    const chosen = form.querySelector(`input[name="q_${indicator.code}"]:checked`);
    if (chosen) answers[indicator.code] = chosen.value;
  }
  const admis = form.querySelector("input[name=admis_de_droit]:checked")?.value ?? "";
  return { answers, admis };
}

/** The engine's errors in the CHW's words, keyed by the form's fields. */
function frenchErrors(error, grid) {
  const labels = new Map(grid.indicators.map((i) => [i.code, i.label_fr ?? i.code]));
  const errors = {};
  const missing = [];
  for (const [field, message] of Object.entries(error.errors)) {
    const code = field.replace(/^answers\./, "");
    if (message === "réponse manquante") {
      errors[field] = ["Répondez à cette question."];
      missing.push(labels.get(code) ?? code);
    } else {
      errors[field] = [`Réponse invalide : ${message}.`];
    }
  }
  return { errors, missing };
}

export async function screeningFormScreen(view, householdId) {
  const household = await db.households.get(householdId);
  if (!household) {
    mount(view, h("p", { class: "notice" }, "Ce ménage n'est plus sur la tablette."),
      linkButton("Mes ménages", "#/"));
    return;
  }
  const stored = await getMeta("scorecard");
  const grid = stored?.definition;
  if (!grid) {
    mount(view, h("h1", {}, "Dépistage social"), h("p", { class: "notice" }, NO_GRID),
      linkButton("Retour au ménage", `#/menage/${householdId}`));
    return;
  }
  const live = h("div", { id: "screening-live" });
  const errorsBox = h("div", { class: "form-errors" });
  const dateInput = h("input", { id: "screened_on", name: "screened_on", type: "date",
    value: today(), max: today() });
  const form = h("form", { class: "form", id: "screening-form", novalidate: true },
    h("div", { class: "field", dataset: { field: "screened_on" } },
      h("label", { for: "screened_on" }, "Date du dépistage"), dateInput),
    grid.indicators.map(question),
    (grid.admis_de_droit ?? []).length ? admisQuestion(grid.admis_de_droit) : null,
    errorsBox,
    live,
    h("div", { class: "actions sticky" },
      h("button", { class: "btn primary big", type: "submit", id: "save-screening" },
        "Enregistrer le dépistage"),
      linkButton("Annuler", `#/menage/${householdId}`)));

  const refresh = () => {
    const { answers, admis } = readAnswers(form, grid);
    const answered = Object.keys(answers).length;
    if (answered < grid.indicators.length) {
      mount(live, h("p", { class: "muted", id: "screening-progress" },
        `${answered} question${answered > 1 ? "s" : ""} sur ${grid.indicators.length} : `
        + "le score s'affiche quand tout est répondu."));
      return;
    }
    try {
      mount(live, screeningResult(scoreAnswers(grid, answers, admis || null)));
    } catch (error) {
      if (!(error instanceof ScoringError)) throw error;
      mount(live, h("p", { class: "notice bad" }, "Réponses impossibles à noter avec cette grille."));
    }
  };
  form.addEventListener("change", (event) => {
    event.target.closest("[data-field]")?.querySelector(".field-error")?.remove();
    refresh();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { answers, admis } = readAnswers(form, grid);
    const screenedOn = dateInput.value;
    const errors = {};
    if (!screenedOn) errors.screened_on = ["Indiquez la date du dépistage."];
    else if (screenedOn > today()) {
      errors.screened_on = ["La date du dépistage ne peut pas être dans le futur."];
    }
    let result = null;
    try {
      result = scoreAnswers(grid, answers, admis || null);
    } catch (error) {
      if (!(error instanceof ScoringError)) throw error;
      const french = frenchErrors(error, grid);
      Object.assign(errors, french.errors);
      if (french.missing.length) {
        mount(errorsBox, h("p", { class: "notice bad", role: "alert", id: "screening-missing" },
          `Répondez à chaque question. Sans réponse : ${french.missing.join(", ")}.`));
      }
    }
    if (Object.keys(errors).length) {
      showErrors(form, errors);
      return;
    }
    mount(errorsBox);
    const id = uuid();
    await saveScreening({
      id, household: householdId, screened_on: screenedOn, answers, admis_de_droit: admis,
      score: result.score, band: result.band, band_label_fr: result.band_label_fr,
      breakdown: result.breakdown, scorecard_version: grid.version,
      recorded_at: new Date().toISOString(),
    });
    go(`#/depistage/${id}`);
  });

  mount(view,
    h("div", { class: "screen-head" }, h("h1", {}, "Dépistage social"),
      h("span", { class: "muted" }, `Ménage ${household.code ?? ""}`)),
    h("p", { class: "muted small" }, `${stored.title ?? grid.title_fr ?? ""} (version ${grid.version})`,
      stored.illustrative ? " · grille de démonstration, à titre d'illustration" : ""),
    form);
  refresh();
}

export async function screeningScreen(view, screeningId) {
  const screening = await db.screenings.get(screeningId);
  if (!screening) {
    mount(view, h("p", { class: "notice" }, "Ce dépistage n'est plus sur la tablette."),
      linkButton("Mes ménages", "#/"));
    return;
  }
  const household = await db.households.get(screening.household);
  const waiting = await db.outbox.where("id").equals(screeningId).first();
  mount(view,
    h("div", { class: "screen-head" }, h("h1", {}, "Dépistage social"),
      waiting?.status === "rejected" ? h("a", { class: "badge bad", href: "#/a-corriger" }, "À corriger")
        : waiting ? h("span", { class: "badge wait" }, "À envoyer")
          : h("span", { class: "badge ok" }, "Envoyé")),
    h("p", { class: "muted" }, `Le ${dateFr(screening.screened_on)}`,
      household ? ` · Ménage ${household.code ?? ""}` : "",
      screening.validated ? " · validé par l'assistant social" : ""),
    screeningResult(screening),
    h("div", { class: "actions" },
      household ? linkButton("Retour au ménage", `#/menage/${household.id}`, "btn primary") : null,
      linkButton("Mes ménages", "#/")));
}

/** The household's latest screening (by date, then the latest recorded), or null. */
export async function latestScreening(householdId) {
  const all = await db.screenings.where("household").equals(householdId).toArray();
  all.sort((a, b) => b.screened_on.localeCompare(a.screened_on)
    || (b.recorded_at ?? "").localeCompare(a.recorded_at ?? ""));
  return all[0] ?? null;
}

/** Coverage lines of a person from the last sync: null when the tablet has none yet. */
export async function coverageLines(personId) {
  const coverage = await getMeta("coverage");
  if (!coverage) return null;
  return coverage.persons?.[personId] ?? [coverage.none];
}
