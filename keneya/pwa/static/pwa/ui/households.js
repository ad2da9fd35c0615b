// "Mes ménages": the CHW's households, with a search box that ignores accents and the Mande
// spellings (Traoré = Traore, Coulibaly = Kulibali).

import { db } from "../db.js";
import { matchesQuery } from "../names.js";
import { h, linkButton, mount, personName, plural } from "./dom.js";

let lastQuery = "";

export async function householdsScreen(view) {
  const list = h("ul", { class: "cards", id: "household-list" });
  const search = h("input", {
    type: "search", id: "household-search", value: lastQuery, autocomplete: "off",
    placeholder: "Nom, téléphone ou code", "aria-label": "Chercher un ménage",
    oninput: () => {
      lastQuery = search.value;
      fill();
    },
  });
  mount(view,
    h("div", { class: "screen-head" },
      h("h1", {}, "Mes ménages"),
      linkButton("+ Nouveau ménage", "#/menage/nouveau", "btn primary")),
    h("div", { class: "search" }, search),
    list);

  const households = await db.households.toArray();
  const persons = await db.persons.toArray();
  const members = new Map();
  for (const person of persons) {
    if (!members.has(person.household)) members.set(person.household, []);
    members.get(person.household).push(person);
  }
  households.sort((a, b) => (a.code ?? "").localeCompare(b.code ?? ""));

  function fill() {
    const query = lastQuery.trim();
    const shown = households.filter((hh) => !query
      || matchesQuery(query, hh.search_folded ?? "", hh.search_normalised ?? ""));
    if (shown.length === 0) {
      mount(list, h("li", { class: "empty" }, households.length
        ? "Aucun ménage ne correspond."
        : "Aucun ménage. Synchronisez ou enregistrez un nouveau ménage."));
      return;
    }
    mount(list, shown.map((hh) => {
      const people = members.get(hh.id) ?? [];
      const head = people.find((p) => p.id === hh.head)
        ?? people.find((p) => p.relationship_to_head === "head") ?? people[0];
      return h("li", {},
        h("a", { class: "card", href: `#/menage/${hh.id}` },
          h("strong", {}, head ? personName(head) : "Ménage sans membre"),
          h("span", { class: "muted" }, `${hh.code} · ${plural(people.length, "membre", "membres")}`),
          hh.address_description ? h("span", { class: "muted small" }, hh.address_description) : null));
    }));
  }
  fill();
  if (lastQuery) search.focus();
}
