// The tablet's table of syncable types: the twin of keneya.sync.registry (docs/sync.md,
// "Adding a syncable type"). db.js builds its IndexedDB stores from it and sync.js pushes and
// pulls by it, so a new type is one entry here plus its screens.
//
// An entry:
//   type        the wire name (the server's SYNC_TYPES key)
//   store       the IndexedDB store holding it (several types may share one: alerts, referrals)
//   indexes     Dexie's index list for that store (the same for every type sharing it)
//   pushed      the tablet sends it (then `fields`: what it sends, and `mergeable`)
//   mergeable   merged field by field (sends base_version and changed_at; a pull keeps the
//               edits still waiting in the outbox over the server's values); else append-only
//   pulled      how a pulled upsert is stored: "merge" (over the record and the outbox edits),
//               "over" (over the record: the server adds to what the tablet recorded) or
//               "replace" (the server's data only, with `type`)
//   parent      [type, field]: the record waits for its parent (a rejected household holds
//               back its persons, a rejected person their visits)
//   household   the household a record belongs to (its search keys are refreshed), if any
//   accepted    what an accepted push writes on the local record (default: the version)
//   derive      the local record with the keys the screens search by (a person's name key)

import { nameKey } from "./names.js";

export const SYNC_TYPES = [
  {
    type: "household",
    store: "households",
    indexes: "id, code",
    pushed: true,
    mergeable: true,
    pulled: "merge",
    fields: ["quartier", "address_description", "phone", "phone_alt"],
    household: (record) => record.id,
  },
  {
    type: "person",
    store: "persons",
    indexes: "id, household",
    pushed: true,
    mergeable: true,
    pulled: "merge",
    fields: ["household", "family_name", "given_names", "sex", "date_of_birth",
      "date_of_birth_estimated", "relationship_to_head", "phone"],
    parent: ["household", "household"],
    household: (record) => record.household,
    derive: (record) => ({ ...record, name_key: nameKey(record.family_name, record.given_names) }),
  },
  {
    type: "visit",
    store: "visits",
    indexes: "id, person, household, visit_date",
    pushed: true,
    mergeable: false,
    pulled: "over",
    fields: ["person", "visit_date", "kind", "findings", "measurements", "device_assessment"],
    parent: ["person", "person"],
    // The server re-assesses every visit; a different result is flagged for the supervisor
    // and shown on the visit.
    accepted: (result) => ({ synced: true, assessment_mismatch: Boolean(result.assessment_mismatch),
      server_assessment: result.assessment ?? null }),
  },
  {
    // A household screened on the vulnerability grid (ui/screening.js): an append-only fact,
    // scored on the tablet by engine/scorecard.js and again by the server.
    type: "screening",
    store: "screenings",
    indexes: "id, household, screened_on",
    pushed: true,
    mergeable: false,
    pulled: "over",
    fields: ["household", "screened_on", "answers", "admis_de_droit"],
    parent: ["household", "household"],
    accepted: (result) => ({ synced: true, version: result.version ?? null }),
  },
  {
    // The "Fait" of a social-protection appointment (ui/tasks.js), push only, op "done": the id
    // is the appointment's (the task's source "appointment:<id>"), keneya/social_protection/
    // sync.py. Only the outbox entry is kept: the next pull's task list comes without the task.
    // The store is the task list's, with its indexes (no new Dexie version).
    type: "appointment",
    store: "tasks",
    indexes: "id, person_id, household_id, status",
    pushed: true,
    mergeable: false,
    fields: ["done_on"],
    accepted: () => ({}),
  },
  // A savings group's meeting sheet, kept offline by its facilitator and pushed whole
  // (keneya/financing/sync.py); a second tablet's sheet for the same day is a conflict for the
  // facilitator, never a second payment.
  {
    type: "fin_meeting",
    store: "fin_meetings",
    indexes: "id, group, held_on",
    pushed: true,
    mergeable: false,
    fields: ["group", "held_on", "sheet"],
    accepted: (result) => ({ synced: true, conflict: result.conflict ?? null }),
  },
  // A health loan the box keeper disburses between meetings (ratified at the next meeting).
  {
    type: "fin_loan",
    store: "fin_loans",
    indexes: "id, group, member",
    pushed: true,
    mergeable: false,
    fields: ["group", "member", "amount", "purpose", "referral", "disbursed_on", "between_meetings",
      "disbursement", "receipt_number"],
    accepted: (result) => ({ synced: true, outstanding: result.outstanding ?? null }),
  },
  { type: "alert", store: "alerts", indexes: "id, type, person, visit", pulled: "replace" },
  { type: "referral", store: "alerts", indexes: "id, type, person, visit", pulled: "replace" },
];

/** Stores that hold no syncable type: the task list, the outbox, key/value settings. */
export const OTHER_STORES = {
  tasks: "id, person_id, household_id, status",
  outbox: "++seq, id, status, batch_id",
  meta: "key",
};

/**
 * What the last page of a pull carries besides the changes and the tasks, kept whole in `meta`
 * under the same name: the active vulnerability grid ("scorecard") and the coverage lines of
 * the CHW's households ("coverage"), from keneya/social_protection/sync.py; the savings groups
 * the CHW facilitates ("financing"), from keneya/financing/sync.py; the CHW's targets and
 * progress of the month ("targets", keneya/indicators/targets.py via keneya/people/sync.py).
 */
export const PULL_EXTRAS = ["scorecard", "coverage", "financing", "targets"];

export const BY_TYPE = new Map(SYNC_TYPES.map((entry) => [entry.type, entry]));

export function syncType(type) {
  return BY_TYPE.get(type);
}

/** Dexie's schema: every store of the table, then the others. */
export function storeSchema() {
  const stores = {};
  for (const { store, indexes } of SYNC_TYPES) stores[store] = indexes;
  return { ...stores, ...OTHER_STORES };
}

/** The stores of the types matching `test`, each once. */
export function storesOf(test = () => true) {
  return [...new Set(SYNC_TYPES.filter(test).map((entry) => entry.store))];
}
