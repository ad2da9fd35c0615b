// Ids the tablet makes for visits: time-ordered UUIDs (version 7, RFC 9562), the twin of
// keneya/core/ids.py. Run its test: node --test tests/js/ids.test.mjs

/**
 * 48 bits of Unix time in milliseconds, then random bits. For visits, the rows that pile up by
 * the million: the server's indexes take ids made one after another at their end instead of on
 * any page. Not for households: their code comes from the id's first bytes (people.js), which
 * must stay random.
 */
export function timeOrderedUuid(now = Date.now()) {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let ms = now;
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant 10
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-`
    + hex.slice(20);
}

// --- The tablet's own id, kept per CHW across logins (issue 11 §4) ------------------------------
// The local database is wiped when another CHW logs in on the same browser (their data must not
// mix); the device id went with it, so each return of a CHW registered one more "tablet". The
// ids are also remembered in localStorage, per user, where that wipe does not reach: a CHW who
// logs in again gets their tablet back. No personal data: user ids and random UUIDs only.
export const DEVICE_IDS_KEY = "keneya.device_ids";

function readDeviceIds(storage) {
  try {
    const ids = JSON.parse(storage?.getItem(DEVICE_IDS_KEY) ?? "{}");
    return ids && typeof ids === "object" ? ids : {};
  } catch {
    return {};
  }
}

/** The device id this browser used for ``userId``, or null. */
export function rememberedDeviceId(userId, storage = globalThis.localStorage) {
  return readDeviceIds(storage)[String(userId)] ?? null;
}

export function rememberDeviceId(userId, deviceId, storage = globalThis.localStorage) {
  const ids = readDeviceIds(storage);
  ids[String(userId)] = deviceId;
  storage?.setItem(DEVICE_IDS_KEY, JSON.stringify(ids));
}

/** Forget ``userId``'s id (revoked, or another CHW's): the next registration makes a new one. */
export function forgetDeviceId(userId, storage = globalThis.localStorage) {
  const ids = readDeviceIds(storage);
  delete ids[String(userId)];
  storage?.setItem(DEVICE_IDS_KEY, JSON.stringify(ids));
}
