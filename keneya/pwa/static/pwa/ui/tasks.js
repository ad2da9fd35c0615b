// Today's and overdue tasks, as the server computed them at the last complete pull
// (keneya/visits/tasks.py). A visit recorded here since then is shown as done.

import { db, getMeta, today } from "../db.js";
import { dateFr, h, momentFr, mount } from "./dom.js";

const GROUPS = [
  ["overdue", "En retard"],
  ["due", "À faire aujourd'hui"],
  ["upcoming", "Cette semaine"],
];

/** A task's status today (the list may be days old): overdue, due or upcoming. */
function statusOn(task, on) {
  if (on < task.due_from) return "upcoming";
  return on <= task.due_by ? "due" : "overdue";
}

export async function tasksScreen(view) {
  const on = today();
  const [tasks, asOf, visits] = await Promise.all([
    db.tasks.toArray(), getMeta("tasks_as_of"), db.visits.filter((v) => !v.synced).toArray(),
  ]);
  const doneFor = (task) => visits.some((v) => v.person === task.person_id
    && v.visit_date >= task.due_from);
  const byStatus = Object.fromEntries(GROUPS.map(([s]) => [s, []]));
  for (const task of tasks) byStatus[statusOn(task, on)].push(task);
  mount(view,
    h("h1", {}, "Mes tâches"),
    h("p", { class: "muted small" }, asOf ? `Liste de la dernière synchronisation (${momentFr(asOf)}).`
      : "Synchronisez pour recevoir vos tâches."),
    GROUPS.map(([status, title]) => (byStatus[status].length ? h("section", { class: `tasks ${status}` },
      h("h2", {}, `${title} (${byStatus[status].length})`),
      h("ul", { class: "cards", id: `tasks-${status}` }, byStatus[status].map((task) => h("li", {},
        h("a", { class: `card task${doneFor(task) ? " done" : ""}`, href: `#/personne/${task.person_id}` },
          h("strong", {}, task.title_fr),
          h("span", {}, `${task.person_name} · ${task.household_code}`),
          h("span", { class: "muted small" }, task.detail_fr),
          h("span", { class: "muted small" }, {
            upcoming: `À partir du ${dateFr(task.due_from)}`,
            due: `Jusqu'au ${dateFr(task.due_by)}`,
            overdue: `Prévu au plus tard le ${dateFr(task.due_by)}`,
          }[status]),
          doneFor(task) ? h("span", { class: "badge ok" }, "Visite faite (à envoyer)") : null)))))
      : null)),
    tasks.length === 0 && asOf ? h("p", { class: "empty" }, "Aucune tâche pour le moment.") : null);
}
