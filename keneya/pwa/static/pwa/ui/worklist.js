// The order, groups and filters of the task list: a port of keneya/worklist/queries.py
// (group_on, sort_key, filter_tasks). Pure functions, no DOM, so that node checks they give
// the server's answers (keneya/visits/tests/test_worklist_js.py).

export const KINDS = [
  "referral_check",
  "convocation_relay",
  "treat_at_home_follow_up",
  "postnatal_contact",
  "anc_contact_due",
  "vaccine_due",
  "child_monthly_visit",
  "social_appointment",
  "card_renewal",
];
export const KIND_LABELS = {
  referral_check: "Références à vérifier",
  convocation_relay: "Convocations à transmettre",
  treat_at_home_follow_up: "Suivis après traitement à domicile",
  postnatal_contact: "Visites postnatales",
  anc_contact_due: "Consultations prénatales (CPN)",
  vaccine_due: "Vaccins",
  child_monthly_visit: "Visites de routine des enfants",
  social_appointment: "Rendez-vous de protection sociale",
  card_renewal: "Cartes à renouveler",
};
export const URGENT_KINDS = new Set([
  "referral_check", "convocation_relay", "treat_at_home_follow_up", "postnatal_contact",
]);
export const GROUPS = ["today", "overdue", "week", "later"];
export const GROUP_LABELS = {
  today: "Aujourd'hui",
  overdue: "En retard",
  week: "Cette semaine",
  later: "Plus tard",
};
export const WEEK_DAYS = 7;

/** "2026-03-02" + n days, as an ISO date. */
export function addDays(iso, days) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A task's status on ``on`` (the list may be days old): overdue, due or upcoming. */
export function statusOn(task, on) {
  if (on < task.due_from) return "upcoming";
  return on <= task.due_by ? "due" : "overdue";
}

/** Where the task is listed on ``on``: today, overdue, week or later. */
export function groupOn(task, on) {
  if (on > task.due_by) return "overdue";
  if (task.due_from <= on && (task.due_by === on || URGENT_KINDS.has(task.kind))) return "today";
  if (task.due_by < addDays(on, WEEK_DAYS)) return "week";
  return "later";
}

function sortKey(task, on) {
  return [
    GROUPS.indexOf(groupOn(task, on)),
    URGENT_KINDS.has(task.kind) ? 0 : 1,
    task.due_by,
    task.due_from,
    task.household_code ?? "",
    task.person_name ?? "",
    KINDS.indexOf(task.kind),
    String(task.id),
  ];
}

/** The tasks in the list's order on ``on`` (a new array). */
export function sortTasks(tasks, on) {
  const keyed = tasks.map((task) => [sortKey(task, on), task]);
  keyed.sort(([a], [b]) => {
    for (let i = 0; i < a.length; i += 1) {
      if (a[i] < b[i]) return -1;
      if (a[i] > b[i]) return 1;
    }
    return 0;
  });
  return keyed.map(([, task]) => task);
}

/** The tasks of that kind, household and group (an empty value: any). */
export function filterTasks(tasks, { kind = "", household = "", group = "" } = {}, on = "") {
  return tasks.filter((task) => (!kind || task.kind === kind)
    && (!household || task.household_id === household)
    && (!group || groupOn(task, on) === group));
}
