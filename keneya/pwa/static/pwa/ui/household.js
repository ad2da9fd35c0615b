// A household with its members, and a person with their visits and the visits to record.

import { availableKinds } from "../forms.js";
import { db, today } from "../db.js";
import { formatPhone } from "../people.js";
import {
  ageFr, dateFr, h, linkButton, mount, personName, plural, vocabulary as V,
} from "./dom.js";
import { coverageLines, latestScreening } from "./screening.js";
import { urgentBanner } from "./visit.js";

function waitingBadge(entries) {
  if (!entries.length) return null;
  const rejected = entries.some((e) => e.status === "rejected");
  return rejected
    ? h("a", { class: "badge bad", href: "#/a-corriger" }, "À corriger")
    : h("span", { class: "badge wait" }, "À envoyer");
}

async function outboxFor(id) {
  return db.outbox.where("id").equals(id).toArray();
}

export async function householdScreen(view, householdId) {
  const household = await db.households.get(householdId);
  if (!household) {
    mount(view, h("p", { class: "notice" }, "Ce ménage n'est plus sur la tablette."),
      linkButton("Mes ménages", "#/"));
    return;
  }
  const on = today();
  const members = await db.persons.where("household").equals(householdId).toArray();
  members.sort((a, b) => (a.relationship_to_head === "head" ? -1 : 0)
    - (b.relationship_to_head === "head" ? -1 : 0) || a.date_of_birth.localeCompare(b.date_of_birth));
  const quartiers = new Map(((await db.meta.get("quartiers"))?.value ?? []).map((q) => [q.id, q]));
  const rows = await Promise.all(members.map(async (person) => h("li", {},
    h("a", { class: "card person", href: `#/personne/${person.id}` },
      h("strong", {}, personName(person)),
      h("span", { class: "muted" }, [
        V.sexes[person.sex] ?? person.sex, ageFr(person.date_of_birth, on),
        V.relationships[person.relationship_to_head] ?? "",
      ].filter(Boolean).join(" · ")),
      person.vital_status === "deceased" ? h("span", { class: "badge" }, "Décédé·e") : null,
      coverageLine(await coverageLines(person.id)),
      waitingBadge(await outboxFor(person.id))))));
  const screening = await latestScreening(householdId);
  mount(view,
    h("div", { class: "screen-head" },
      h("h1", {}, `Ménage ${household.code}`), waitingBadge(await outboxFor(householdId))),
    h("p", { class: "muted" }, [quartiers.get(household.quartier)?.name,
      household.address_description, formatPhone(household.phone)].filter(Boolean).join(" · ")),
    h("h2", { id: "members-title" }, plural(members.length, "membre", "membres")),
    h("ul", { class: "cards", id: "member-list" }, rows),
    h("h2", {}, "Protection sociale"),
    screening ? h("a", { class: "card", id: "latest-screening", href: `#/depistage/${screening.id}` },
      h("strong", {}, `Dépistage du ${dateFr(screening.screened_on)} : score ${screening.score}`),
      h("span", { class: "muted" }, screening.band_label_fr ?? screening.band))
      : h("p", { class: "muted", id: "latest-screening" }, "Pas encore dépisté."),
    h("div", { class: "actions" },
      linkButton("Dépistage social", `#/menage/${householdId}/depistage`, "btn primary")),
    h("div", { class: "actions" },
      linkButton("+ Ajouter un membre", `#/menage/${householdId}/membre`, "btn primary"),
      linkButton("Modifier le ménage", `#/menage/${householdId}/modifier`),
      linkButton("Mes ménages", "#/")));
}

export async function personScreen(view, personId) {
  const person = await db.persons.get(personId);
  if (!person) {
    mount(view, h("p", { class: "notice" }, "Cette personne n'est plus sur la tablette."),
      linkButton("Mes ménages", "#/"));
    return;
  }
  const on = today();
  const household = await db.households.get(person.household);
  const visits = await db.visits.where("person").equals(personId).toArray();
  visits.sort((a, b) => b.visit_date.localeCompare(a.visit_date)
    || (b.recorded_at ?? "").localeCompare(a.recorded_at ?? ""));
  const kinds = person.vital_status === "deceased" ? [] : availableKinds(person, on);
  mount(view,
    h("div", { class: "screen-head" },
      h("h1", {}, personName(person)), waitingBadge(await outboxFor(personId))),
    h("p", { class: "muted" }, [V.sexes[person.sex], `né${person.sex === "F" ? "e" : ""} le `
      + `${dateFr(person.date_of_birth)}${person.date_of_birth_estimated ? " (estimée)" : ""}`,
    ageFr(person.date_of_birth, on)].join(" · ")),
    h("p", { class: "muted" }, person.phone ? `Téléphone : ${formatPhone(person.phone)}` : "Pas de téléphone",
      household ? h("span", {}, " · ", h("a", { href: `#/menage/${household.id}` },
        `Ménage ${household.code}`)) : null),
    coverageLine(await coverageLines(personId), "person-coverage"),
    kinds.length ? h("h2", {}, "Nouvelle visite") : null,
    h("div", { class: "kind-buttons" }, kinds.map((kind) =>
      linkButton(V.kinds[kind], `#/personne/${personId}/visite/${kind}`, "btn primary big"))),
    h("h2", {}, "Visites"),
    visits.length ? h("ul", { class: "cards", id: "visit-list" }, visits.map((visit) => h("li", {},
      h("a", { class: "card", href: `#/visite/${visit.id}` },
        h("strong", {}, `${dateFr(visit.visit_date)} · ${V.kinds[visit.kind] ?? visit.kind}`),
        urgentOf(visit) ? urgentBanner(true) : h("span", { class: "muted" },
          V.actions[actionOf(visit)] ?? actionOf(visit) ?? ""),
        visit.synced ? null : h("span", { class: "badge wait" }, "À envoyer")))))
      : h("p", { class: "muted" }, "Aucune visite enregistrée."),
    h("div", { class: "actions" },
      linkButton("Modifier (téléphone, nom…)", `#/personne/${personId}/modifier`, "btn"),
      household ? linkButton("Retour au ménage", `#/menage/${household.id}`) : null));
}

/** "RAMED valide jusqu'au 12/03/2029", "Aucune couverture : dépistage conseillé" (last sync). */
function coverageLine(lines, id = null) {
  if (!lines?.length) return null;
  return h("span", { class: "coverage", id }, lines.join(" · "));
}

function actionOf(visit) {
  return visit.assessment?.action ?? visit.action;
}

function urgentOf(visit) {
  return visit.assessment ? visit.assessment.urgent_referral : visit.urgent;
}
