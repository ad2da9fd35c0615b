// The tablet writes lists of reasons as the server does (keneya/core/tests/test_text.py).
// Run: node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import { formatReasons, reasonItems } from "../../keneya/pwa/static/pwa/text.js";

test("engine sentences are joined without double punctuation", () => {
  const text = formatReasons(["Convulsions.", "Tirage sous-costal.", "Fièvre depuis 7 jours."]);
  assert.equal(text, "Convulsions ; tirage sous-costal ; fièvre depuis 7 jours");
});

test("older stored texts read back as items", () => {
  assert.deepEqual(reasonItems("Convulsions.; Tirage sous-costal."), ["Convulsions", "Tirage sous-costal"]);
  assert.equal(formatReasons("Convulsions.; Tirage sous-costal."), "Convulsions ; tirage sous-costal");
});

test("one reason, nothing, repeats and acronyms", () => {
  assert.equal(formatReasons("Fièvre."), "Fièvre");
  assert.equal(formatReasons(""), "");
  assert.equal(formatReasons(null), "");
  assert.equal(formatReasons(["Fièvre.", "Fièvre.", "MUAC < 115 mm."]), "Fièvre ; MUAC < 115 mm");
});
