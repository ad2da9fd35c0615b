// Records the server refused: each stays on the tablet, with the server's reason, until the CHW
// fixes it (then it is sent again) or explicitly sends it again as it is.

import { blockedBy, db, rejectedEntries, requeueDependants } from "../db.js";
import { syncNow } from "../sync.js";
import { dateFr, h, linkButton, mount, personName, vocabulary as V } from "./dom.js";
import { refreshStatus } from "./status.js";

// docs/sync.md / keneya/sync/services.py: the reasons a record is rejected.
const REASONS = {
  validation: "Refusé par le serveur : des informations sont à corriger.",
  forbidden: "Refusé par le serveur : hors de votre zone, ou action non permise.",
  malformed: "Refusé par le serveur : enregistrement illisible (signalez-le au superviseur).",
};

const FIELD_LABELS = {
  family_name: "Nom", given_names: "Prénoms", sex: "Sexe", date_of_birth: "Date de naissance",
  phone: "Téléphone", quartier: "Quartier", household: "Ménage", person: "Personne",
  visit_date: "Date de la visite", screened_on: "Date du dépistage", done_on: "Date du rendez-vous fait", relationship_to_head: "Lien avec le chef de ménage",
};

async function describe(entry) {
  if (entry.type === "household") {
    const household = await db.households.get(entry.id);
    return { title: `Ménage ${household?.code ?? ""}`, fix: `#/menage/${entry.id}/modifier` };
  }
  if (entry.type === "person") {
    const person = await db.persons.get(entry.id);
    return { title: personName(person ?? entry.fields), fix: `#/personne/${entry.id}/modifier` };
  }
  if (entry.type === "screening") {
    const household = await db.households.get(entry.fields.household);
    return { title: `Dépistage social du ${dateFr(entry.fields.screened_on)} · Ménage `
      + `${household?.code ?? ""}`, fix: `#/depistage/${entry.id}` };
  }
  if (entry.type === "appointment") {
    return { title: `Rendez-vous de protection sociale marqué « Fait » le ${dateFr(entry.fields.done_on)}`,
      fix: "#/taches" };
  }
  const person = await db.persons.get(entry.fields.person);
  return { title: `${V.kinds[entry.fields.kind] ?? "Visite"} du ${dateFr(entry.fields.visit_date)}`
    + ` · ${personName(person)}`, fix: `#/visite/${entry.id}` };
}

async function sendAgain(entries) {
  await db.outbox.where("seq").anyOf(entries.map((e) => e.seq))
    .modify({ status: "pending", reason: null, errors: null });
  for (const entry of entries) {
    if (entry.type === "household" || entry.type === "person") await requeueDependants(entry.type, entry.id);
  }
  await refreshStatus();
  syncNow();
}

export async function rejectedScreen(view) {
  const entries = await rejectedEntries();
  const cards = await Promise.all(entries.map(async (entry) => {
    const { title, fix } = await describe(entry);
    const parent = await blockedBy(entry);
    if (parent) {
      return h("li", { class: "card rejected waiting", dataset: { id: entry.id } },
        h("strong", {}, title),
        h("p", {}, parent.type === "household"
          ? "Attend la correction de son ménage (ci-dessus) : repartira avec lui."
          : "Attend la correction de la personne (ci-dessus) : repartira avec elle."));
    }
    const errors = Object.entries(entry.errors ?? {}).map(([field, messages]) =>
      h("li", {}, `${FIELD_LABELS[field] ?? field} : ${[].concat(messages).join(" ")}`));
    return h("li", { class: "card rejected", dataset: { id: entry.id } },
      h("strong", {}, title),
      h("p", { class: "bad" }, REASONS[entry.reason] ?? `Refusé par le serveur (${entry.reason}).`),
      errors.length ? h("ul", { class: "errors" }, errors) : null,
      h("div", { class: "actions" },
        linkButton("Corriger", fix, "btn primary"),
        h("button", { class: "btn", type: "button", onclick: () => sendAgain([entry]) },
          "Renvoyer tel quel")));
  }));
  mount(view,
    h("h1", {}, "À corriger"),
    entries.length
      ? h("p", {}, "Le serveur a refusé ces éléments. Ils restent sur la tablette : corrigez-les, "
        + "ils repartiront à la prochaine synchronisation.")
      : h("p", { class: "empty" }, "Rien à corriger."),
    h("ul", { class: "cards", id: "rejected-list" }, cards),
    entries.length > 1 ? h("button", { class: "btn", type: "button",
      onclick: () => sendAgain(entries) }, "Tout renvoyer") : null);
}
