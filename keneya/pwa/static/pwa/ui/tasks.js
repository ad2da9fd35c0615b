// The tasks, as the server computed them at the last complete pull (keneya/worklist/queries.py),
// in its order and groups for today (ui/worklist.js: the list may be days old). Filters by kind,
// household and group work offline; only the first WINDOW cards are drawn, "Voir plus" draws
// the next ones, so a list of 500 tasks stays short and quick on a cheap tablet. A visit
// recorded here since the pull is shown as done.

import { appointmentsDoneHere, db, getMeta, markAppointmentDone, today } from "../db.js";
import { syncNow } from "../sync.js";
import { dateFr, h, momentFr, mount } from "./dom.js";
import { refreshStatus } from "./status.js";
import {
  filterTasks, GROUP_LABELS, GROUPS, groupOn, KIND_LABELS, KINDS, sortTasks, statusOn,
} from "./worklist.js";

export const WINDOW = 30;

// Kept while the app is open (a sync redraws the screen): the filters and how many are shown.
const state = { kind: "", household: "", group: "", shown: WINDOW };

const WHEN = {
  upcoming: (task) => `À partir du ${dateFr(task.due_from)}`,
  due: (task) => `À faire au plus tard le ${dateFr(task.due_by)}`,
  overdue: (task) => `En retard : prévu au plus tard le ${dateFr(task.due_by)}`,
};

/** The appointment a social-protection task is about (its source "appointment:<id>"), if any. */
function appointmentOf(task) {
  return task.kind === "social_appointment" && task.source?.startsWith("appointment:")
    ? task.source.slice("appointment:".length) : null;
}

function count(items, key) {
  const counts = new Map();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** "Traoré (LAF-2QBF…)" for each household with a task, from the local registry. */
async function householdLabels(tasks) {
  const ids = [...new Set(tasks.map((t) => t.household_id))];
  const households = await db.households.bulkGet(ids);
  const heads = await db.persons.bulkGet(households.map((hh) => hh?.head ?? "").filter(Boolean));
  const family = new Map(heads.filter(Boolean).map((p) => [p.id, p.family_name]));
  const code = new Map(tasks.map((t) => [t.household_id, t.household_code]));
  return new Map(ids.map((id, i) => [id,
    `${family.get(households[i]?.head) ?? "—"} (${code.get(id) ?? households[i]?.code ?? ""})`]));
}

function select(id, label, value, options, onchange) {
  return h("label", { class: "task-filter", for: id },
    h("span", {}, label),
    h("select", { id, onchange: (event) => onchange(event.target.value) },
      options.map(([optionValue, text]) => h("option",
        { value: optionValue, selected: optionValue === value }, text))));
}

export async function tasksScreen(view) {
  const on = today();
  const [stored, asOf, visits, appointmentsDone] = await Promise.all([
    db.tasks.toArray(), getMeta("tasks_as_of"), db.visits.filter((v) => !v.synced).toArray(),
    appointmentsDoneHere(),
  ]);
  const tasks = sortTasks(stored, on);
  const doneFor = (task) => visits.some((v) => v.person === task.person_id
    && v.visit_date >= task.due_from);
  const labels = await householdLabels(tasks);
  const kinds = count(tasks, (t) => t.kind);
  const households = count(tasks, (t) => t.household_id);
  if (state.household && !households.has(state.household)) state.household = "";

  const list = h("div", { id: "task-list" });
  const summary = h("div", { class: "task-groups", id: "task-groups", role: "group",
    "aria-label": "Groupes de tâches" });

  function draw() {
    const byFilters = filterTasks(tasks, { kind: state.kind, household: state.household }, on);
    const totals = count(byFilters, (t) => groupOn(t, on));
    mount(summary, GROUPS.filter((g) => totals.get(g)).map((g) => h("button", {
      type: "button",
      class: `chip ${g}${state.group === g ? " active" : ""}`,
      "aria-pressed": state.group === g ? "true" : "false",
      dataset: { group: g },
      onclick: () => {
        state.group = state.group === g ? "" : g;
        state.shown = WINDOW;
        draw();
      },
    }, `${GROUP_LABELS[g]} : ${totals.get(g)}`)));
    const shown = filterTasks(byFilters, { group: state.group }, on);
    const window = shown.slice(0, state.shown);
    const sections = [];
    for (const task of window) {
      const group = groupOn(task, on);
      if (!sections.length || sections.at(-1).group !== group) sections.push({ group, tasks: [] });
      sections.at(-1).tasks.push(task);
    }
    const filtered = state.kind || state.household || state.group;
    mount(list,
      filtered ? h("p", { class: "muted small", id: "task-count" },
        `${shown.length} tâche${shown.length > 1 ? "s" : ""} sur ${tasks.length}`) : null,
      sections.map(({ group, tasks: groupTasks }) => h("section", { class: `tasks ${group}` },
        h("h2", { id: `groupe-${group}` }, `${GROUP_LABELS[group]} (${totals.get(group)})`),
        h("ul", { class: "cards", id: `tasks-${group}` }, groupTasks.map((task) => {
          const status = statusOn(task, on);
          const done = doneFor(task);
          const appointment = appointmentOf(task);
          const marked = appointment ? appointmentsDone.get(appointment) : undefined;
          return h("li", { dataset: { kind: task.kind }, class: appointment ? "with-action" : null },
            h("a", { class: `card task ${status}${done || marked ? " done" : ""}`,
              href: `#/personne/${task.person_id}` },
            h("strong", {}, task.title_fr),
            h("span", {}, `${task.person_name} · ${task.household_code}`),
            h("span", { class: "muted small" }, task.detail_fr),
            h("span", { class: `small when ${status}` }, WHEN[status](task)),
            done ? h("span", { class: "badge ok" }, "Visite faite (à envoyer)") : null,
            marked === "rejected" ? h("span", { class: "badge bad" }, "« Fait » refusé : voir les envois refusés")
              : marked ? h("span", { class: "badge ok" }, "Fait (à envoyer)") : null),
            appointment && !marked ? h("button", {
              type: "button", class: "btn primary task-done", dataset: { appointment },
              onclick: async (event) => {
                event.currentTarget.disabled = true;
                await markAppointmentDone(appointment);
                appointmentsDone.set(appointment, "pending");
                await refreshStatus();
                draw();
                if (navigator.onLine) syncNow();
              },
            }, "Fait") : null);
        })))),
      shown.length > window.length ? h("button", {
        type: "button", class: "btn big more", id: "tasks-more",
        onclick: () => {
          state.shown += WINDOW;
          draw();
        },
      }, `Voir plus (${shown.length - window.length} restantes)`) : null,
      tasks.length && !shown.length ? h("p", { class: "empty" }, "Aucune tâche ne correspond au filtre.") : null);
  }

  const onFilter = (key) => (value) => {
    state[key] = value;
    state.group = "";
    state.shown = WINDOW;
    draw();
  };
  mount(view,
    h("h1", {}, "Mes tâches"),
    h("p", { class: "muted small" }, asOf ? `Liste de la dernière synchronisation (${momentFr(asOf)}) : `
      + `${tasks.length} tâche${tasks.length > 1 ? "s" : ""}.` : "Synchronisez pour recevoir vos tâches."),
    tasks.length ? h("div", { class: "task-filters" },
      select("task-kind", "Type de tâche", state.kind,
        [["", "Tous les types"], ...KINDS.filter((k) => kinds.has(k))
          .map((k) => [k, `${KIND_LABELS[k]} (${kinds.get(k)})`])], onFilter("kind")),
      select("task-household", "Ménage", state.household,
        [["", "Tous les ménages"], ...[...households.keys()]
          .sort((a, b) => labels.get(a).localeCompare(labels.get(b), "fr"))
          .map((id) => [id, `${labels.get(id)} · ${households.get(id)}`])], onFilter("household")))
      : null,
    tasks.length ? summary : null,
    list,
    tasks.length === 0 && asOf ? h("p", { class: "empty" }, "Aucune tâche pour le moment.") : null);
  draw();
}
