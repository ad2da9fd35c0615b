// A browser keeps each CHW's device id across logins (issue 11 §4). Run: node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  DEVICE_IDS_KEY, forgetDeviceId, rememberDeviceId, rememberedDeviceId,
} from "../../keneya/pwa/static/pwa/ids.js";

function memoryStorage() {
  const data = new Map();
  return { getItem: (k) => (data.has(k) ? data.get(k) : null), setItem: (k, v) => data.set(k, String(v)) };
}

test("each CHW gets their own id back after another CHW used the browser", () => {
  const storage = memoryStorage();
  rememberDeviceId(7, "aaaaaaaa-0000-4000-8000-000000000001", storage);
  rememberDeviceId(8, "bbbbbbbb-0000-4000-8000-000000000002", storage);
  assert.equal(rememberedDeviceId(7, storage), "aaaaaaaa-0000-4000-8000-000000000001");
  assert.equal(rememberedDeviceId("8", storage), "bbbbbbbb-0000-4000-8000-000000000002");
  assert.equal(rememberedDeviceId(9, storage), null);
});

test("a forgotten (revoked) id is not reused", () => {
  const storage = memoryStorage();
  rememberDeviceId(7, "aaaaaaaa-0000-4000-8000-000000000001", storage);
  forgetDeviceId(7, storage);
  assert.equal(rememberedDeviceId(7, storage), null);
});

test("a damaged entry or no storage at all is survived", () => {
  const storage = memoryStorage();
  storage.setItem(DEVICE_IDS_KEY, "{not json");
  assert.equal(rememberedDeviceId(7, storage), null);
  rememberDeviceId(7, "x", storage);
  assert.equal(rememberedDeviceId(7, storage), "x");
  assert.equal(rememberedDeviceId(7, undefined), null);
});
