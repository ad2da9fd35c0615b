// Talking to the server: the device registration (with the web session) and the sync calls
// (with the device token). Every failure becomes one of three errors the app knows how to show.

import { getMeta, setMeta, uuid } from "./db.js";
import { forgetDeviceId, rememberDeviceId, rememberedDeviceId } from "./ids.js";

export const SESSION_URL = "/chw/session.json";
export const DEVICES_URL = "/api/v1/sync/devices/";
export const PUSH_URL = "/api/v1/sync/push/";
export const PULL_URL = "/api/v1/sync/pull/";

/** No network, or the connection broke before an answer came back. */
export class OfflineError extends Error {}

/** The server answered with an error status. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail || `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.code = body?.code;
  }

  get revoked() {
    return this.status === 401 && this.code === "device_revoked";
  }
}

/** No device token and no web session to get one: the CHW must log in (online). */
export class LoginRequiredError extends Error {}

async function send(url, init) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", ...init });
  } catch (error) {
    throw new OfflineError(String(error));
  }
  let body = null;
  try {
    body = await response.json();
  } catch (error) {
    if (response.ok) throw new OfflineError(`réponse incomplète : ${error}`);
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/** Who is logged in (and a CSRF token); LoginRequiredError when the session has ended. */
export async function fetchSession() {
  try {
    return await send(SESSION_URL, { headers: { Accept: "application/json" } });
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      throw new LoginRequiredError(error.message);
    }
    throw error;
  }
}

/** The device token, registering this tablet first if it has none (needs the web session). */
export async function deviceToken() {
  const token = await getMeta("device_token");
  if (token) return token;
  const session = await fetchSession();
  await setMeta("user", session.user);
  await setMeta("quartiers", session.quartiers);
  // This CHW's id on this browser, kept across logins (ids.js), else the local one, else a new one.
  let deviceId = rememberedDeviceId(session.user.id) ?? (await getMeta("device_id")) ?? uuid();
  const name = `Tablette de ${session.user.name}`;
  const register = (id) => send(DEVICES_URL, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": session.csrf_token },
    body: JSON.stringify({ device_id: id, name }),
  });
  let answer;
  try {
    answer = await register(deviceId);
  } catch (error) {
    // A revoked id stays revoked, another CHW's id is not ours: start over with a new id.
    const code = error instanceof ApiError ? error.code : null;
    if (code !== "device_revoked" && code !== "device_taken") throw error;
    forgetDeviceId(session.user.id);
    deviceId = uuid();
    answer = await register(deviceId);
  }
  await setMeta("device_id", deviceId);
  rememberDeviceId(session.user.id, deviceId);
  await setMeta("device_token", answer.token);
  return answer.token;
}

async function gzip(text) {
  if (typeof CompressionStream === "undefined") return null;
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

export async function push(token, batch) {
  const text = JSON.stringify(batch);
  const compressed = await gzip(text);
  const headers = { "Content-Type": "application/json", Authorization: `Device ${token}` };
  if (compressed) headers["Content-Encoding"] = "gzip";
  return send(PUSH_URL, { method: "POST", headers, body: compressed ?? text });
}

export async function pull(token, cursor, limit = 500) {
  const params = new URLSearchParams({ limit: String(limit) });
  if (cursor) params.set("cursor", cursor);
  return send(`${PULL_URL}?${params}`, {
    headers: { Accept: "application/json", Authorization: `Device ${token}` },
  });
}

/** Log the web session out (after a revocation), ignoring any failure. */
export async function logout(csrfToken) {
  try {
    await fetch("/comptes/deconnexion/", {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken ?? "" },
    });
  } catch {
    // offline: the session ends on its own (12 h)
  }
}
