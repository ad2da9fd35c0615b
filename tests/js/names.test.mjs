// The JS name normaliser of the CHW app meets the Python one on the pairs of
// keneya/people/tests/test_names.py. Run: node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  fold, looksLikeSamePerson, matchesQuery, nameKey, normaliseName,
} from "../../keneya/pwa/static/pwa/names.js";

const SAME = [
  ["Traoré", "Traore"], ["Traoré", "TRAORE"], ["Trawore", "Traoré"],
  ["Coulibaly", "Kulibali"], ["Coulibaly", "Koulibaly"], ["Keïta", "Keita"],
  ["Diarra", "Jara"], ["Sissoko", "Cissoko"], ["Diallo", "Jallo"], ["Camara", "Kamara"],
  ["Touré", "Ture"], ["Doumbia", "Dunbia"], ["Cissé", "Sise"], ["Fatoumata", "Fatumata"],
];
const DIFFERENT = [["Traoré", "Touré"], ["Diarra", "Diallo"], ["Keïta", "Konaté"],
  ["Sissoko", "Sidibé"]];

for (const [a, b] of SAME) {
  test(`${a} and ${b} normalise to the same name`, () => {
    assert.equal(normaliseName(a), normaliseName(b));
  });
}
for (const [a, b] of DIFFERENT) {
  test(`${a} and ${b} stay apart`, () => {
    assert.notEqual(normaliseName(a), normaliseName(b));
  });
}

test("fold strips accents, Bambara letters and punctuation", () => {
  assert.equal(fold("  Maïmouna-Kɔnɛ  "), "maimouna kone");
  assert.equal(fold("N'Diaye"), "n diaye");
});

test("name keys join family and given names", () => {
  assert.equal(nameKey("Traoré", "Aminata"), nameKey("Traore", "Aminata"));
  assert.notEqual(nameKey("Traoré", "Moussa"), nameKey("Traoré", "Mamadou"));
});

test("a possible duplicate has the same sex, names and a birth year within two years", () => {
  const awa = { family_name: "Traoré", given_names: "Aminata", sex: "F", date_of_birth: "2021-07-14" };
  assert.ok(looksLikeSamePerson({ ...awa, family_name: "Traore", date_of_birth: "2022-01-01" }, awa));
  assert.ok(!looksLikeSamePerson({ ...awa, date_of_birth: "2024-01-01" }, awa));
  assert.ok(!looksLikeSamePerson({ ...awa, sex: "M" }, awa));
  assert.ok(!looksLikeSamePerson({ ...awa, given_names: "Awa" }, awa));
});

test("search ignores accents and Mande spellings", () => {
  const folded = fold("LAF-ABC123 Moussa Traoré");
  const normalised = normaliseName("LAF-ABC123 Moussa Traoré");
  assert.ok(matchesQuery("traore", folded, normalised));
  assert.ok(matchesQuery("Traoré moussa", folded, normalised));
  assert.ok(matchesQuery("Mousa", folded, normalised));
  assert.ok(!matchesQuery("Diarra", folded, normalised));
});
