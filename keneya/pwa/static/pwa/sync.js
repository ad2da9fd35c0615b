// The sync loop of docs/sync.md: push the outbox in batches, then pull pages until has_more is
// false. Run by the "Synchroniser" button, the `online` event and the app's start.
//
// Safe to cut anywhere:
// - an entry is marked "sending" with its batch id before the push; if no answer comes back it
//   goes back to "pending" with the same batch id and the retry sends exactly the same batch
//   (the server stores each record once: client UUIDs, duplicates answered "duplicate");
// - a pulled page and its cursor are stored in one IndexedDB transaction, so a cut pull resumes
//   from the last page stored;
// - a rejected record stays in the outbox with its reason until the CHW fixes it.

import * as api from "./api.js";
import {
  clearAll, db, getMeta, householdSearchKeys, nowIso, setMeta, uuid,
} from "./db.js";
import { PULL_EXTRAS, storesOf, syncType } from "./synctypes.js";

export const BATCH_SIZE = 50;
export const PULL_LIMIT = 1000; // the server's most (keneya/sync/services.py MAX_PULL_LIMIT)
export const LOCK_KEY = "keneya.chw.locked";

/** Events: "progress" with detail {phase: start|push|pull|done|error|locked, ...}. */
export const syncEvents = new EventTarget();
let running = null;
// After a cut connection (while the tablet still says it is online) or a server error, try again
// by itself: 30 s, 1 min, 2 min, then every 5 min until it works.
const RETRY_SECONDS = [30, 60, 120, 300];
let retryTimer = null;
let retryCount = 0;

function emit(detail) {
  syncEvents.dispatchEvent(new CustomEvent("progress", { detail }));
}

export function isSyncing() {
  return running !== null;
}

/** Start a sync, or join the one under way. Resolves to {ok, error?, locked?}. */
export function syncNow() {
  clearTimeout(retryTimer);
  running ??= runSync().finally(() => {
    running = null;
  });
  return running;
}

function scheduleRetry() {
  const seconds = RETRY_SECONDS[Math.min(retryCount, RETRY_SECONDS.length - 1)];
  retryCount += 1;
  retryTimer = setTimeout(syncNow, seconds * 1000);
  return seconds;
}

async function runSync() {
  emit({ phase: "start" });
  try {
    try {
      await pushAndPull(await api.deviceToken());
    } catch (error) {
      // A token the server no longer knows (not a revocation): register again, once.
      if (!(error instanceof api.ApiError && error.status === 401 && !error.revoked)) throw error;
      await db.meta.delete("device_token");
      await pushAndPull(await api.deviceToken());
    }
    await setMeta("last_sync", nowIso());
    retryCount = 0;
    emit({ phase: "done" });
    return { ok: true };
  } catch (error) {
    if (error instanceof api.ApiError && error.revoked) {
      await lockDevice(error.message);
      emit({ phase: "locked" });
      return { ok: false, locked: true };
    }
    if (!(error instanceof api.OfflineError)) console.error("sync", error);
    let message = errorMessage(error);
    const transient = error instanceof api.OfflineError
      || (error instanceof api.ApiError && error.status >= 500);
    if (transient && navigator.onLine) {
      message += ` Nouvel essai dans ${formatDelay(scheduleRetry())}.`;
    }
    emit({ phase: "error", message });
    return { ok: false, error };
  }
}

/** The CHW's quartiers may have changed (new zone): refresh them while the session lasts. */
async function refreshSessionData() {
  try {
    const session = await api.fetchSession();
    const user = await getMeta("user");
    if (user && user.id !== session.user.id) return; // another CHW: app.js deals with it
    await setMeta("user", session.user);
    await setMeta("quartiers", session.quartiers);
  } catch {
    // no web session (the device token is enough to sync) or no network: keep what we have
  }
}

async function pushAndPull(token) {
  await refreshSessionData();
  await pushOutbox(token);
  await pullChanges(token);
}

function formatDelay(seconds) {
  return seconds < 60 ? `${seconds} s` : `${seconds / 60} min`;
}

export function errorMessage(error) {
  if (error instanceof api.OfflineError) {
    return navigator.onLine
      ? "Connexion coupée pendant la synchronisation. Rien n'est perdu : tout reste sur la tablette."
      : "Pas de réseau. Vos données restent sur la tablette ; elles partiront au retour du réseau.";
  }
  if (error instanceof api.LoginRequiredError) {
    return "Connectez-vous avec du réseau pour activer la synchronisation.";
  }
  if (error instanceof api.ApiError && error.status >= 500) {
    return `Le serveur a un problème (erreur ${error.status}). Réessayez plus tard.`;
  }
  if (error instanceof api.ApiError) {
    return `Synchronisation refusée (${error.status}) : ${error.message}`;
  }
  return `Erreur inattendue : ${error?.message ?? error}`;
}

// --- Push --------------------------------------------------------------------------------------

/** The next batch: a batch cut off earlier (same id, same records) first, else new entries. */
async function nextBatch() {
  const waiting = await db.outbox.orderBy("seq").filter((e) => e.status === "pending").toArray();
  if (waiting.length === 0) return null;
  if (waiting[0].batch_id) {
    const batchId = waiting[0].batch_id;
    return { batchId, entries: waiting.filter((e) => e.batch_id === batchId) };
  }
  const entries = [];
  for (const entry of waiting) {
    if (entry.batch_id || entries.length >= BATCH_SIZE) break;
    entries.push(entry);
  }
  return { batchId: uuid(), entries };
}

function asRecord(entry) {
  const record = { type: entry.type, id: entry.id, op: entry.op, fields: entry.fields };
  if (syncType(entry.type)?.mergeable) {
    record.base_version = entry.base_version;
    record.changed_at = entry.changed_at;
  }
  return record;
}

async function pushOutbox(token) {
  // Entries left "sending" by a push that never got its answer (tab closed, network cut).
  await db.outbox.where("status").equals("sending").modify({ status: "pending" });
  const total = await db.outbox.where("status").equals("pending").count();
  let done = 0;
  emit({ phase: "push", done, total });
  for (let batch = await nextBatch(); batch; batch = await nextBatch()) {
    const seqs = batch.entries.map((e) => e.seq);
    await db.outbox.where("seq").anyOf(seqs).modify({ status: "sending", batch_id: batch.batchId });
    let answer;
    try {
      answer = await api.push(token, { batch_id: batch.batchId, records: batch.entries.map(asRecord) });
    } catch (error) {
      await db.outbox.where("seq").anyOf(seqs).modify({ status: "pending" });
      throw error;
    }
    await applyPushResults(batch.entries, answer.results ?? []);
    done += batch.entries.length;
    emit({ phase: "push", done, total: Math.max(total, done) });
  }
}

async function applyPushResults(entries, results) {
  const byKey = new Map(results.map((r) => [`${r.type}:${r.id}`, r]));
  const touched = new Set();
  await db.transaction("rw", ["outbox", ...storesOf((t) => t.pushed)], async () => {
    for (const entry of entries) {
      const result = byKey.get(`${entry.type}:${entry.id}`);
      const kind = syncType(entry.type);
      if (!result) {
        await db.outbox.update(entry.seq, { status: "pending" });
      } else if (result.status === "accepted" || result.status === "duplicate") {
        await db.outbox.delete(entry.seq);
        const table = kind ? db[kind.store] : null;
        if (table && kind.accepted) {
          await table.update(entry.id, kind.accepted(result));
        } else if (table) {
          // Still waiting edits of the same record keep the version they were based on.
          if (result.version != null) await table.update(entry.id, { version: result.version });
          if (result.conflicts?.length) {
            await table.update(entry.id, { conflicts: result.conflicts });
          }
        }
      } else {
        await db.outbox.update(entry.seq, {
          status: "rejected", reason: result.reason ?? "rejected", errors: result.errors ?? {},
          batch_id: null, rejected_at: nowIso(),
        });
      }
      if (entry.type === "household") touched.add(entry.id);
    }
  });
  return touched;
}

// --- Pull --------------------------------------------------------------------------------------

/**
 * Pull pages until has_more is false. The next page is requested as soon as a page arrives, so
 * the network brings page n+1 while the tablet writes page n; each page is stored with its own
 * cursor in one transaction, so a cut pull resumes after the last page written.
 */
async function pullChanges(token) {
  const cursor = await getMeta("cursor");
  let page = 0;
  let received = 0;
  emit({ phase: "pull", page, received });
  let next = api.pull(token, cursor, PULL_LIMIT);
  for (;;) {
    const answer = await next;
    next = answer.has_more ? api.pull(token, answer.next_cursor, PULL_LIMIT) : null;
    // A failed write ends the sync: the request under way is dropped with it.
    next?.catch(() => {});
    await applyPage(answer);
    page += 1;
    received += answer.changes?.length ?? 0;
    emit({ phase: "pull", page, received, hasMore: answer.has_more });
    if (!answer.has_more) break;
  }
}

const PAGE_TABLES = storesOf((t) => t.pulled);
const PULL_TABLES = [...PAGE_TABLES, "tasks", "meta", "outbox"];

/** Fields of records waiting in the outbox, by "type:id" (they win over what the server sends). */
async function outboxOverlays() {
  const overlays = new Map();
  // Ordered by seq (the primary key): later edits win over earlier ones and over the server.
  for (const entry of await db.outbox.toArray()) {
    const key = `${entry.type}:${entry.id}`;
    overlays.set(key, { ...overlays.get(key), ...entry.fields });
  }
  return overlays;
}

/** Changes written row by row: they reach other records through indexes (cascades, merges). */
function isCascade(change) {
  return change.op === "delete"
    && (change.type === "household" || (change.type === "person" && change.data?.merged_into));
}

/**
 * One page in one transaction: the outbox read once, the records it changes read in bulk,
 * merged in memory, written in bulk per table, then the search keys of the households it
 * touched, the tasks (last page) and the cursor.
 */
async function applyPage(answer) {
  const changes = answer.changes ?? [];
  await db.transaction("rw", PULL_TABLES, async () => {
    const overlays = await outboxOverlays();
    const touched = new Set();
    const written = new Map(); // the last run's households, written with their search keys
    let run = [];
    for (const change of changes) {
      if (!isCascade(change)) {
        run.push(change);
        continue;
      }
      await applyRun(run, overlays, touched, written);
      run = [];
      await applyCascade(change, touched);
    }
    await applyRun(run, overlays, touched, written, { deferHouseholds: true });
    await refreshSearchKeys(touched, written);
    if (!answer.has_more && Array.isArray(answer.tasks)) {
      await db.tasks.clear();
      await db.tasks.bulkPut(answer.tasks);
      await setMeta("tasks_as_of", nowIso());
    }
    if (!answer.has_more) {
      for (const name of PULL_EXTRAS) {
        if (name in answer) await setMeta(name, answer[name]);
      }
    }
    await setMeta("cursor", answer.next_cursor ?? null);
  });
}

/**
 * Consecutive changes that touch only their own record, applied in bulk. With deferHouseholds
 * (the page's last run) the households are left in `written` for refreshSearchKeys() to write.
 */
async function applyRun(changes, overlays, touched, written, { deferHouseholds = false } = {}) {
  if (changes.length === 0) return;
  // The records already on the tablet that the changes merge into (or, for a deleted one,
  // whose household's search keys change).
  const wanted = Object.fromEntries(PAGE_TABLES.map((name) => [name, new Set()]));
  for (const { type, id, op } of changes) {
    const kind = syncType(type);
    if (!kind?.pulled || kind.pulled === "replace") continue;
    if (op !== "delete" || kind.household) wanted[kind.store].add(id);
  }
  const stored = {};
  await Promise.all(Object.entries(wanted).map(async ([name, ids]) => {
    stored[name] = new Map();
    if (ids.size === 0) return;
    const keys = [...ids];
    const rows = await db[name].bulkGet(keys);
    keys.forEach((id, i) => stored[name].set(id, rows[i]));
  }));
  const puts = Object.fromEntries(PAGE_TABLES.map((name) => [name, new Map()]));
  const deletes = Object.fromEntries(PAGE_TABLES.map((name) => [name, new Set()]));
  const current = (name, id) => {
    if (deletes[name].has(id)) return undefined;
    return puts[name].get(id) ?? stored[name]?.get(id);
  };
  const put = (name, record) => {
    deletes[name].delete(record.id);
    puts[name].set(record.id, record);
  };
  const remove = (name, id) => {
    puts[name].delete(id);
    deletes[name].add(id);
  };

  for (const change of changes) {
    const { type, id, op } = change;
    const kind = syncType(type);
    if (!kind?.pulled) {
      console.warn("sync: unknown change type", type);
      continue;
    }
    const name = kind.store;
    const data = change.data ?? {};
    const version = change.version ?? null;
    if (op === "delete") { // (a household's delete, a merged person's: cascades)
      const old = kind.household ? current(name, id) : undefined;
      remove(name, id);
      if (old) touched.add(kind.household(old));
      continue;
    }
    if (kind.pulled === "merge") {
      // Edits not yet accepted by the server stay visible.
      let record = { ...current(name, id), ...data, ...overlays.get(`${type}:${id}`), id, version };
      if (kind.derive) record = kind.derive(record);
      put(name, record);
      if (kind.household) touched.add(kind.household(record));
    } else if (kind.pulled === "over") {
      put(name, { ...(current(name, id) ?? { source: "server" }), ...data, id, synced: true, version });
    } else {
      put(name, { ...data, id, type, version });
    }
  }

  for (const name of PAGE_TABLES) {
    if (deletes[name].size) await db[name].bulkDelete([...deletes[name]]);
    if (name === "households" && deferHouseholds) {
      // Written once, with their search keys, by refreshSearchKeys().
      for (const [id, record] of puts.households) written.set(id, record);
    } else if (puts[name].size) {
      await db[name].bulkPut([...puts[name].values()]);
    }
  }
}

/** A household's delete (its members, visits and tasks go with it) or a merged person. */
async function applyCascade({ type, id, data }, touched) {
  if (type === "household") {
    await db.persons.where("household").equals(id).delete();
    await db.visits.where("household").equals(id).delete();
    await db.tasks.where("household_id").equals(id).delete();
    await db.screenings.where("household").equals(id).delete();
    await db.households.delete(id);
    return;
  }
  // A supervisor merged this duplicate into another record: its visits follow.
  const old = await db.persons.get(id);
  await db.visits.where("person").equals(id).modify({ person: data.merged_into });
  await db.outbox.filter((e) => e.type === "visit" && e.fields.person === id)
    .modify((e) => { e.fields = { ...e.fields, person: data.merged_into }; });
  await db.persons.delete(id);
  if (old) touched.add(old.household);
}

/**
 * The search keys of the households a page touched (searchWords() of db.js), from the page's
 * households in memory and their members read in one query; each household written once.
 */
async function refreshSearchKeys(touched, written) {
  const ids = [...touched].filter((id) => id != null);
  const missing = ids.filter((id) => !written.has(id));
  const [members, stored] = await Promise.all([
    ids.length ? db.persons.where("household").anyOf(ids).toArray() : [],
    missing.length ? db.households.bulkGet(missing) : [],
  ]);
  const households = new Map(written);
  missing.forEach((id, i) => { if (stored[i]) households.set(id, stored[i]); });
  const byHousehold = new Map();
  for (const member of members) {
    if (!byHousehold.has(member.household)) byHousehold.set(member.household, []);
    byHousehold.get(member.household).push(member);
  }
  const rows = [];
  for (const [id, household] of households) {
    rows.push(touched.has(id)
      ? { ...household, ...householdSearchKeys(household, byHousehold.get(id) ?? []) }
      : household);
  }
  written.clear();
  if (rows.length) await db.households.bulkPut(rows);
}

// --- Revocation --------------------------------------------------------------------------------

export function lockState() {
  try {
    return JSON.parse(localStorage.getItem(LOCK_KEY) ?? "null");
  } catch {
    return null;
  }
}

export function unlock() {
  localStorage.removeItem(LOCK_KEY);
}

function csrfCookie() {
  return document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1];
}

/** The supervisor revoked this tablet: wipe every local record and end the web session. */
export async function lockDevice(detail) {
  localStorage.setItem(LOCK_KEY, JSON.stringify({ at: nowIso(), detail: detail ?? "" }));
  await clearAll();
  await api.logout(csrfCookie());
}
