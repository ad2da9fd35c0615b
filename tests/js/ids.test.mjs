// The tablet's visit ids: UUIDv7 as keneya/core/ids.py makes them. Run: node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import { timeOrderedUuid } from "../../keneya/pwa/static/pwa/ids.js";

test("a visit id is a version 7 UUID that starts with the time in milliseconds", () => {
  const now = Date.UTC(2026, 11, 3, 9, 14, 3, 250);
  const id = timeOrderedUuid(now);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(parseInt(id.replace(/-/g, "").slice(0, 12), 16), now);
});

test("ids made later sort after, and never repeat", () => {
  const first = timeOrderedUuid(1_000);
  const later = Array.from({ length: 5_000 }, () => timeOrderedUuid(2_000));
  assert.equal(new Set(later).size, later.length);
  assert.ok(later.every((id) => id > first));
});
