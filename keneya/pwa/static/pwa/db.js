// The tablet's storage: IndexedDB through Dexie (vendor/dexie.min.js, loaded before the app).
//
// Tables (the syncable types' stores come from synctypes.js, the others from OTHER_STORES)
//   households, persons  what the CHW registered or pulled, with the server `version` they last
//                        saw (null for a record not yet accepted by the server)
//   visits               visits recorded here (with the engine's result) or pulled (compact)
//   screenings           households screened here (with engine/scorecard.js's result) or pulled
//   tasks                the task list of the last complete pull
//   alerts               alerts and referrals raised from the CHW's visits, as of the last pull
//                        (`type` is "alert" or "referral")
//   outbox               changes waiting for the server, in order (`seq`): status "pending",
//                        "sending" (a push is under way or was cut off) or "rejected" (with the
//                        server's `reason` and French `errors`, kept until fixed)
//   meta                 key/value: device id and token, pull cursor, last sync, user, quartiers,
//                        the pull's extras (synctypes.js PULL_EXTRAS: the grid, coverage lines)

import { fold, normaliseName } from "./names.js";
import { SYNC_TYPES, storeSchema, syncType } from "./synctypes.js";

const Dexie = globalThis.Dexie;

export const db = new Dexie("keneya-chw");
// A new store (a new type's) needs a new version number here: db.version(3).stores(...).
// Version 2: the screenings. Version 3: the savings groups' meeting sheets and loans.
db.version(1).stores({ households: "id, code", persons: "id, household",
  visits: "id, person, household, visit_date", alerts: "id, type, person, visit",
  tasks: "id, person_id, household_id, status", outbox: "++seq, id, status, batch_id", meta: "key" });
// Each version declares its own stores: Dexie creates, on upgrade, the stores a version adds.
const { fin_meetings: _meetings, fin_loans: _loans, ...version2 } = storeSchema();
db.version(2).stores(version2);
db.version(3).stores(storeSchema());

export const TABLE_FOR_TYPE = Object.fromEntries(
  SYNC_TYPES.filter((entry) => entry.pushed).map((entry) => [entry.type, entry.store]));

export async function getMeta(key, fallback = null) {
  const row = await db.meta.get(key);
  return row === undefined ? fallback : row.value;
}

export function setMeta(key, value) {
  return db.meta.put({ key, value });
}

/** Everything the device holds about people: wiped when the device is revoked. */
export async function clearAll() {
  await db.transaction("rw", db.tables, async () => {
    await Promise.all(db.tables.map((table) => table.clear()));
  });
}

export function uuid() {
  return crypto.randomUUID();
}

/** The device's clock, in UTC with milliseconds (the server's field clocks compare them). */
export function nowIso() {
  return new Date().toISOString();
}

/** Today in Bamako (UTC+0, no summer time) as YYYY-MM-DD, like the server's localdate(). */
export function today() {
  return new Date().toISOString().slice(0, 10);
}

// --- Derived fields ----------------------------------------------------------------------------

export function withPersonKeys(person) {
  return syncType("person").derive(person);
}

/** Folded and normalised text the household search matches (code, phones, member names). */
export function householdSearchKeys(household, members) {
  const text = [household.code, household.phone, household.address_description,
    ...members.flatMap((m) => [m.family_name, m.given_names, m.phone])].filter(Boolean).join(" ");
  return { search_folded: fold(text), search_normalised: normaliseName(text) };
}

export async function refreshHouseholdSearch(householdId) {
  const household = await db.households.get(householdId);
  if (!household) return;
  const members = await db.persons.where("household").equals(householdId).toArray();
  await db.households.update(householdId, householdSearchKeys(household, members));
}

// --- Local changes and the outbox --------------------------------------------------------------

/**
 * Queue a change for the server. An edit of a record that already waits in the outbox (never
 * sent, or rejected) is merged into it; a record already sent once keeps its entry unchanged
 * (its retry must send exactly the same thing) and the edit gets its own entry.
 */
export async function queueChange({ type, id, op, fields, baseVersion = null }) {
  const changedAt = nowIso();
  if (op !== "create") {
    const waiting = await db.outbox.where("id").equals(id)
      .filter((e) => e.type === type && !e.batch_id && e.status !== "sending").first();
    if (waiting) {
      await db.outbox.update(waiting.seq, {
        fields: { ...waiting.fields, ...fields }, op, changed_at: changedAt,
        status: "pending", reason: null, errors: null,
      });
      return waiting.seq;
    }
  }
  return db.outbox.add({
    type, id, op, fields, base_version: baseVersion, changed_at: changedAt,
    status: "pending", reason: null, errors: null, batch_id: null, created_at: changedAt,
  });
}

/** Register a household and its first members; one transaction, one outbox entry each. */
export async function saveNewHousehold(household, members) {
  await db.transaction("rw", db.households, db.persons, db.outbox, async () => {
    await db.households.put({ ...household, version: null });
    await queueChange({
      type: "household", id: household.id, op: "upsert",
      fields: pick(household, HOUSEHOLD_FIELDS),
    });
    for (const member of members) await addPersonInTransaction(member);
  });
  await refreshHouseholdSearch(household.id);
}

export async function saveNewPerson(person) {
  await db.transaction("rw", db.households, db.persons, db.outbox, async () => {
    await addPersonInTransaction(person);
  });
  await refreshHouseholdSearch(person.household);
}

async function addPersonInTransaction(person) {
  await db.persons.put({ ...withPersonKeys(person), version: null });
  await queueChange({ type: "person", id: person.id, op: "upsert",
    fields: pick(person, PERSON_FIELDS) });
  if (person.relationship_to_head === "head") {
    await db.households.update(person.household, { head: person.id });
  }
}

/** Edit some fields of a household or person (an ordinary change, merged per field). */
export async function editRecord(type, id, changes) {
  const table = db[TABLE_FOR_TYPE[type]];
  await db.transaction("rw", table, db.persons, db.outbox, async () => {
    const current = await table.get(id);
    const updated = { ...current, ...changes };
    await table.put(type === "person" ? withPersonKeys(updated) : updated);
    await queueChange({ type, id, op: "upsert", fields: changes,
      baseVersion: current.version ?? null });
    await requeueDependants(type, id);
  });
  await refreshHouseholdSearch(type === "person" ? (await db.persons.get(id)).household : id);
}

export async function saveVisit(visit) {
  await db.transaction("rw", db.visits, db.outbox, async () => {
    await db.visits.put({ ...visit, source: "device" });
    await queueChange({
      type: "visit", id: visit.id, op: "create",
      fields: pick(visit, VISIT_FIELDS),
    });
  });
}

/** A household screened here (ui/screening.js): stored with the engine's result, queued. */
export async function saveScreening(screening) {
  await db.transaction("rw", db.screenings, db.outbox, async () => {
    await db.screenings.put({ ...screening, source: "device", synced: false });
    await queueChange({
      type: "screening", id: screening.id, op: "create",
      fields: pick(screening, SCREENING_FIELDS),
    });
  });
}

/** The "Fait" of a social-protection appointment (ui/tasks.js): queued, done today. */
export function markAppointmentDone(appointmentId) {
  return queueChange({ type: "appointment", id: appointmentId, op: "done", fields: { done_on: today() } });
}

/** The ids of the appointments marked done here and not yet accepted by the server. */
export async function appointmentsDoneHere() {
  const entries = await db.outbox.filter((e) => e.type === "appointment").toArray();
  return new Map(entries.map((e) => [e.id, e.status]));
}

/**
 * The vaccination card as the tablet knows it: [[code, date], ...] from the person's visits
 * stored here (findings.vaccines of the visits recorded on this tablet; `vaccines` of a pulled
 * visit if the server sends it). Codes as written; the engine canonicalises them.
 */
export async function knownDoses(personId) {
  const visits = await db.visits.where("person").equals(personId).toArray();
  return visits.flatMap((visit) => Object.entries(visit.findings?.vaccines ?? visit.vaccines ?? {}))
    .filter(([, given]) => typeof given === "string");
}

/**
 * A household or person was fixed: the records refused only because of it (its members, their
 * visits) go back to the queue with it.
 */
export async function requeueDependants(type, id) {
  const personIds = new Set(type === "person" ? [id]
    : await db.persons.where("household").equals(id).primaryKeys());
  await db.outbox.where("status").equals("rejected")
    .filter((e) => (e.type === "person" && e.fields.household === id)
      || (e.type === "visit" && personIds.has(e.fields.person))
      || (e.type === "screening" && e.fields.household === id))
    .modify({ status: "pending", reason: null, errors: null });
}

/** Is this outbox entry waiting for another refused record (its household or person)? */
export async function blockedBy(entry) {
  const link = syncType(entry.type)?.parent;
  const parent = link ? entry.fields[link[1]] : null;
  if (!parent) return null;
  return db.outbox.where("id").equals(parent).filter((e) => e.status === "rejected").first();
}

/** What the tablet sends for a type (synctypes.js). */
export function pushedFields(type) {
  return syncType(type)?.fields ?? [];
}

export const HOUSEHOLD_FIELDS = pushedFields("household");
export const PERSON_FIELDS = pushedFields("person");
export const VISIT_FIELDS = pushedFields("visit");
export const SCREENING_FIELDS = pushedFields("screening");

export function pick(object, keys) {
  return Object.fromEntries(keys.filter((k) => k in object).map((k) => [k, object[k]]));
}

/** Changes not yet accepted by the server (pending, sending or rejected). */
export function unsentCount() {
  return db.outbox.count();
}

export function rejectedEntries() {
  return db.outbox.where("status").equals("rejected").sortBy("seq");
}
