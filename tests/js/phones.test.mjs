// The tablet shows phones as the server does (keneya/people/tests/test_phones.py):
// "+223 XX XX XX XX". Run: node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import { formatPhone, normalisePhone } from "../../keneya/pwa/static/pwa/people.js";

const CASES = [
  ["+22376123456", "+223 76 12 34 56"],
  ["76 12 34 56", "+223 76 12 34 56"],
  ["0022376123456", "+223 76 12 34 56"],
  ["+223 76-12-34-56", "+223 76 12 34 56"],
  ["", ""],
  [null, ""],
  ["pas de numéro", "pas de numéro"],
];

for (const [given, shown] of CASES) {
  test(`${given} is shown as ${shown}`, () => {
    assert.equal(formatPhone(given), shown);
  });
}

test("what is shown is read back to the same stored number", () => {
  assert.equal(normalisePhone(formatPhone("+22366001122")).value, "+22366001122");
});
