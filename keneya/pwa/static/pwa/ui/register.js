// Register a household and its members, offline. The checks are the server's
// (keneya/people/validation.py), in French, so a record the tablet accepts is normally accepted
// by the server; the duplicate warning compares with the persons stored on the tablet.

import {
  db, editRecord, getMeta, saveNewHousehold, saveNewPerson, today, uuid,
} from "../db.js";
import { looksLikeSamePerson } from "../names.js";
import {
  birthDateError, cleanName, estimatedBirthDate, formatPhone, householdCode, normalisePhone,
} from "../people.js";
import { dateFr, go, h, mount, personName, showErrors, vocabulary as V } from "./dom.js";

// --- A person's fields -------------------------------------------------------------------------

function field(name, label, input, help) {
  return h("div", { class: "field", dataset: { field: name } },
    h("label", { for: input.id }, label), input, help ? h("p", { class: "help" }, help) : null);
}

function radios(name, choices, value) {
  return h("div", { class: "choices", role: "radiogroup" }, choices.map(([v, text]) =>
    h("label", { class: "choice" },
      h("input", { type: "radio", name, value: v, checked: v === value }), h("span", {}, text))));
}

/**
 * The inputs of one person. `fixedHead`: the first member of a new household is its head.
 * Returns {element, read() -> {person, errors}}.
 */
function personFields(initial = {}, { fixedHead = false } = {}) {
  const on = today();
  const family = h("input", { id: "family_name", name: "family_name", autocomplete: "off",
    value: initial.family_name ?? "", autocapitalize: "words" });
  const given = h("input", { id: "given_names", name: "given_names", autocomplete: "off",
    value: initial.given_names ?? "", autocapitalize: "words" });
  const dob = h("input", { id: "date_of_birth", name: "date_of_birth", type: "date", max: on,
    value: initial.date_of_birth ?? "" });
  const estimated = h("input", { type: "checkbox", id: "age_known_only" });
  const years = h("input", { id: "age_years", type: "number", inputmode: "numeric", min: 0,
    max: V.limits.max_age_years, placeholder: "ans" });
  const months = h("input", { id: "age_months", type: "number", inputmode: "numeric", min: 0,
    max: 11, placeholder: "mois" });
  const ageBox = h("div", { class: "age-box", hidden: true },
    h("label", { for: "age_years" }, "Âge"), years, months);
  estimated.addEventListener("change", () => {
    ageBox.hidden = !estimated.checked;
    dob.disabled = estimated.checked;
  });
  const relationship = h("select", { id: "relationship_to_head", name: "relationship_to_head",
    disabled: fixedHead },
  Object.entries(V.relationships).filter(([v]) => !fixedHead || v === "head")
    .map(([v, text]) => h("option", { value: v,
      selected: v === (initial.relationship_to_head ?? (fixedHead ? "head" : "child")) }, text)));
  const phone = h("input", { id: "phone", name: "phone", type: "tel", inputmode: "tel",
    value: formatPhone(initial.phone), autocomplete: "off", placeholder: "76 12 34 56" });

  const element = h("div", { class: "person-fields" },
    field("family_name", "Nom de famille", family),
    field("given_names", "Prénoms", given),
    h("div", { class: "field", dataset: { field: "sex" } }, h("span", { class: "label" }, "Sexe"),
      radios("sex", [["F", "Féminin"], ["M", "Masculin"]], initial.sex)),
    h("div", { class: "field", dataset: { field: "date_of_birth" } },
      h("label", { for: "date_of_birth" }, "Date de naissance"), dob,
      h("label", { class: "inline-check" }, estimated, " Date inconnue : donner l'âge"), ageBox),
    fixedHead ? null : field("relationship_to_head", "Lien avec le chef de ménage", relationship),
    field("phone", "Téléphone (facultatif)", phone));

  function read() {
    const errors = {};
    const person = {};
    const set = (key, result) => {
      if (result.error) errors[key] = [result.error];
      else person[key] = result.value;
    };
    set("family_name", cleanName(family.value, "Le nom", true));
    set("given_names", cleanName(given.value, "Le prénom", false));
    const sex = element.querySelector("input[name=sex]:checked")?.value;
    if (!sex) errors.sex = ["Choisissez le sexe."];
    person.sex = sex;
    if (estimated.checked) {
      const y = years.value === "" ? null : Number(years.value);
      const m = months.value === "" ? null : Number(months.value);
      if (y === null && m === null) errors.date_of_birth = ["Indiquez la date de naissance ou l'âge."];
      else if ((y ?? 0) < 0 || (m ?? 0) < 0) errors.date_of_birth = ["L'âge ne peut pas être négatif."];
      else if ((y ?? 0) > V.limits.max_age_years) {
        errors.date_of_birth = [`Âge impossible : plus de ${V.limits.max_age_years} ans.`];
      } else {
        person.date_of_birth = estimatedBirthDate(y, m, on);
        person.date_of_birth_estimated = true;
      }
    } else if (birthDateError(dob.value, on)) {
      errors.date_of_birth = [birthDateError(dob.value, on)];
    } else {
      person.date_of_birth = dob.value;
      // An estimated date kept as it was stays estimated.
      person.date_of_birth_estimated = dob.value === initial.date_of_birth
        && Boolean(initial.date_of_birth_estimated);
    }
    person.relationship_to_head = fixedHead ? "head" : relationship.value;
    set("phone", normalisePhone(phone.value));
    return { person, errors };
  }
  return { element, read, inputs: [family, given, dob, years, months] };
}

// --- Duplicate warning -------------------------------------------------------------------------

async function findDuplicates(candidate, exceptId) {
  if (!candidate.family_name || !candidate.given_names || !candidate.sex
      || !candidate.date_of_birth) return [];
  const all = await db.persons.toArray();
  const matches = all.filter((p) => p.id !== exceptId && p.vital_status !== "deceased"
    && looksLikeSamePerson(candidate, p));
  const households = new Map((await db.households.bulkGet(matches.map((m) => m.household)))
    .filter(Boolean).map((hh) => [hh.id, hh]));
  return matches.map((m) => ({ person: m, household: households.get(m.household) }));
}

function duplicateBox() {
  const box = h("div", { class: "duplicate-warning", id: "duplicate-warning", hidden: true,
    role: "alert" });
  const confirm = h("input", { type: "checkbox", id: "confirm_not_duplicate" });
  let matches = [];
  return {
    element: box,
    async check(candidate, exceptId) {
      const found = await findDuplicates(candidate, exceptId);
      const same = found.map((m) => m.person.id).join() === matches.map((m) => m.person.id).join();
      matches = found;
      box.hidden = matches.length === 0;
      if (same) return; // the CHW's "J'ai vérifié" still holds for the same people
      confirm.checked = false;
      if (!matches.length) return;
      mount(box,
        h("strong", {}, "Attention : doublon possible"),
        h("p", {}, "Cette personne ressemble à :"),
        h("ul", {}, matches.map(({ person, household }) => h("li", {},
          h("a", { href: `#/personne/${person.id}` }, personName(person)),
          ` — née le ${dateFr(person.date_of_birth)}`.replace("née", person.sex === "M" ? "né" : "née"),
          household ? ` — ménage ${household.code}` : ""))),
        h("label", { class: "inline-check" }, confirm,
          " J'ai vérifié : ce n'est pas la même personne"));
    },
    blocked() {
      return matches.length > 0 && !confirm.checked;
    },
  };
}

function watchDuplicates(fields, duplicates, exceptId) {
  let timer;
  const run = () => {
    clearTimeout(timer);
    timer = setTimeout(() => duplicates.check(fields.read().person, exceptId), 150);
  };
  fields.element.addEventListener("input", run);
  fields.element.addEventListener("change", run);
  return run;
}

// --- Screens -----------------------------------------------------------------------------------

export async function newHouseholdScreen(view) {
  const quartiers = (await getMeta("quartiers")) ?? [];
  if (quartiers.length === 0) {
    mount(view, h("h1", {}, "Nouveau ménage"),
      h("p", { class: "notice" }, "Votre zone n'est pas encore connue de la tablette : "
        + "synchronisez une fois avec du réseau."));
    return;
  }
  const quartier = h("select", { id: "quartier", name: "quartier" },
    quartiers.map((q) => h("option", { value: q.id }, q.name)));
  const address = h("textarea", { id: "address_description", rows: 2,
    placeholder: "Mosquée, école, boutique, couleur du portail…" });
  const phone = h("input", { id: "household_phone", type: "tel", inputmode: "tel",
    placeholder: "76 12 34 56" });
  const head = personFields({}, { fixedHead: true });
  const duplicates = duplicateBox();
  watchDuplicates(head, duplicates);
  const form = h("form", { class: "form", novalidate: true },
    h("div", { class: "form-errors" }),
    h("fieldset", {}, h("legend", {}, "Le ménage"),
      quartiers.length > 1 ? field("quartier", "Quartier ou village", quartier)
        : h("p", { class: "muted" }, `Quartier : ${quartiers[0].name}`),
      field("address_description", "Repères pour trouver le ménage", address),
      h("div", { class: "field", dataset: { field: "household_phone" } },
        h("label", { for: "household_phone" }, "Téléphone du ménage (facultatif)"), phone)),
    h("fieldset", {}, h("legend", {}, "Chef de ménage"), head.element),
    duplicates.element,
    h("div", { class: "actions" },
      h("button", { class: "btn primary", type: "submit", id: "save-household" },
        "Enregistrer le ménage"),
      h("a", { class: "btn", href: "#/" }, "Annuler")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { person, errors } = head.read();
    const householdPhone = normalisePhone(phone.value);
    if (householdPhone.error) errors.household_phone = [householdPhone.error];
    if (showErrors(form, errors)) return;
    await duplicates.check(person);
    if (duplicates.blocked()) {
      showErrors(form, { confirm: ["Vérifiez le doublon possible, puis cochez la case."] });
      duplicates.element.scrollIntoView({ block: "center" });
      return;
    }
    const chosen = quartiers.find((q) => q.id === quartier.value) ?? quartiers[0];
    const id = uuid();
    const user = await getMeta("user");
    const personId = uuid();
    await saveNewHousehold({
      id, code: householdCode(chosen.code, id), quartier: chosen.id,
      address_description: address.value.trim(), phone: householdPhone.value, phone_alt: "",
      head: personId, chw: user?.id ?? null, status: "active",
    }, [{ ...person, id: personId, household: id }]);
    go(`#/menage/${id}`);
  });
  mount(view, h("h1", {}, "Nouveau ménage"), form);
  head.inputs[0].focus();
}

export async function newMemberScreen(view, householdId) {
  const household = await db.households.get(householdId);
  if (!household) {
    mount(view, h("p", { class: "notice" }, "Ménage introuvable sur la tablette."));
    return;
  }
  await personFormScreen(view, {
    title: `Ajouter un membre · ${household.code}`,
    initial: {},
    submitText: "Enregistrer le membre",
    async save(person) {
      await saveNewPerson({ ...person, id: uuid(), household: householdId, vital_status: "alive" });
      go(`#/menage/${householdId}`);
    },
    cancel: `#/menage/${householdId}`,
  });
}

export async function editPersonScreen(view, personId) {
  const current = await db.persons.get(personId);
  if (!current) {
    mount(view, h("p", { class: "notice" }, "Personne introuvable sur la tablette."));
    return;
  }
  await personFormScreen(view, {
    title: `Modifier · ${personName(current)}`,
    initial: current,
    exceptId: personId,
    submitText: "Enregistrer les modifications",
    async save(person) {
      const changes = {};
      for (const [key, value] of Object.entries(person)) {
        if (current[key] !== value) changes[key] = value;
      }
      if (Object.keys(changes).length) await editRecord("person", personId, changes);
      go(`#/personne/${personId}`);
    },
    cancel: `#/personne/${personId}`,
  });
}

async function personFormScreen(view, { title, initial, exceptId, submitText, save, cancel }) {
  const fields = personFields(initial);
  const duplicates = duplicateBox();
  const recheck = watchDuplicates(fields, duplicates, exceptId);
  const form = h("form", { class: "form", novalidate: true },
    h("div", { class: "form-errors" }),
    fields.element, duplicates.element,
    h("div", { class: "actions" },
      h("button", { class: "btn primary", type: "submit", id: "save-person" }, submitText),
      h("a", { class: "btn", href: cancel }, "Annuler")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { person, errors } = fields.read();
    if (showErrors(form, errors)) return;
    await duplicates.check(person, exceptId);
    if (duplicates.blocked()) {
      showErrors(form, { confirm: ["Vérifiez le doublon possible, puis cochez la case."] });
      duplicates.element.scrollIntoView({ block: "center" });
      return;
    }
    await save(person);
  });
  mount(view, h("h1", {}, title), form);
  if (initial.family_name) recheck();
  else fields.inputs[0].focus();
}

export async function editHouseholdScreen(view, householdId) {
  const current = await db.households.get(householdId);
  if (!current) {
    mount(view, h("p", { class: "notice" }, "Ménage introuvable sur la tablette."));
    return;
  }
  const quartiers = (await getMeta("quartiers")) ?? [];
  const quartier = h("select", { id: "quartier", name: "quartier" },
    quartiers.map((q) => h("option", { value: q.id, selected: q.id === current.quartier }, q.name)));
  if (!quartiers.some((q) => q.id === current.quartier)) {
    quartier.prepend(h("option", { value: current.quartier ?? "", selected: true },
      "Quartier hors de votre zone : choisissez"));
  }
  const address = h("textarea", { id: "address_description", rows: 2 });
  address.value = current.address_description ?? "";
  const phone = h("input", { id: "household_phone", type: "tel", inputmode: "tel",
    value: formatPhone(current.phone), placeholder: "76 12 34 56" });
  const form = h("form", { class: "form", novalidate: true },
    h("div", { class: "form-errors" }),
    field("quartier", "Quartier ou village", quartier),
    field("address_description", "Repères pour trouver le ménage", address),
    h("div", { class: "field", dataset: { field: "phone" } },
      h("label", { for: "household_phone" }, "Téléphone du ménage"), phone),
    h("div", { class: "actions" },
      h("button", { class: "btn primary", type: "submit", id: "save-household" }, "Enregistrer"),
      h("a", { class: "btn", href: `#/menage/${householdId}` }, "Annuler")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const errors = {};
    const normalised = normalisePhone(phone.value);
    if (normalised.error) errors.phone = [normalised.error];
    const chosen = quartiers.find((q) => q.id === quartier.value);
    if (!chosen) errors.quartier = ["Choisissez un quartier de votre zone."];
    if (showErrors(form, errors)) return;
    const changes = {};
    if (current.quartier !== chosen.id) changes.quartier = chosen.id;
    if ((current.address_description ?? "") !== address.value.trim()) {
      changes.address_description = address.value.trim();
    }
    if ((current.phone ?? "") !== normalised.value) changes.phone = normalised.value;
    if (Object.keys(changes).length) await editRecord("household", householdId, changes);
    go(`#/menage/${householdId}`);
  });
  mount(view, h("h1", {}, `Modifier le ménage ${current.code}`), form);
}
