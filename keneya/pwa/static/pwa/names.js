// Malian name normalisation, ported from keneya/people/names.py (keep the two in step:
// tests/js/names.test.mjs runs the pairs of keneya/people/tests/test_names.py).
//
// Folding accents is not enough for Mande names written in the French-colonial or the Bambara
// orthography (Diarra/Jara, Sissoko/Cissoko, Coulibaly/Kulibali): after folding, a few spelling
// rules and a short table of surname (jamu) equivalences bring the variants together.

// Curated equivalences the rules do not reach (keys and values already normalised).
const JAMU_EQUIVALENCES = {
  trauor: "traor", // Trawore -> Traoré
  dumbia: "dunbia", // Doumbia -> Dunbia (Bambara orthography)
};

/** Lower-case, strip accents (é→e, ï→i, ɛ→e, ɔ→o, ɲ→ny, ŋ→ng) and punctuation. */
export function fold(text) {
  let s = String(text ?? "").trim().toLowerCase();
  s = s.replaceAll("ɛ", "e").replaceAll("ɔ", "o").replaceAll("ɲ", "ny").replaceAll("ŋ", "ng")
    .replaceAll("œ", "oe");
  s = s.normalize("NFKD").replace(/\p{M}/gu, "");
  s = s.replaceAll("-", " ").replaceAll("'", " ").replace(/[^a-z0-9 ]+/g, " ");
  return s.replace(/\s+/g, " ").trim();
}

function spellingRules(word) {
  if (word.startsWith("dj")) {
    word = "j" + word.slice(2);
  } else if (word.length > 2 && word.startsWith("di") && "aeou".includes(word[2])) {
    word = "j" + word.slice(2);
  }
  word = word.replaceAll("ou", "u");
  word = word.replace(/c(?=[aou])/g, "k");
  if (word.startsWith("ci") || word.startsWith("ce")) word = "s" + word.slice(1);
  word = word.replaceAll("y", "i").replaceAll("w", "u").replaceAll("ph", "f");
  word = word.replace(/(.)\1+/g, "$1");
  if (word.length > 3 && word.endsWith("e")) word = word.slice(0, -1);
  return JAMU_EQUIVALENCES[word] ?? word;
}

/** Folded and Mande-normalised: equal for Traoré/Traore, Diarra/Jara, Sissoko/Cissoko. */
export function normaliseName(text) {
  return fold(text).split(" ").filter(Boolean).map(spellingRules).join(" ");
}

export function nameKey(familyName, givenNames) {
  return `${normaliseName(familyName)}|${normaliseName(givenNames)}`;
}

export const DUPLICATE_BIRTH_YEAR_WINDOW = 2; // settings.KENEYA_DUPLICATE_BIRTH_YEAR_WINDOW

/**
 * A possible duplicate: same sex, birth years within two years, and the same names once folded
 * and normalised. `candidate` and `other` have family_name, given_names, sex, date_of_birth.
 */
export function looksLikeSamePerson(candidate, other) {
  if (!candidate.sex || candidate.sex !== other.sex) return false;
  const year = Number(String(candidate.date_of_birth ?? "").slice(0, 4));
  const otherYear = Number(String(other.date_of_birth ?? "").slice(0, 4));
  if (!year || !otherYear || Math.abs(year - otherYear) > DUPLICATE_BIRTH_YEAR_WINDOW) {
    return false;
  }
  return nameKey(candidate.family_name, candidate.given_names)
    === nameKey(other.family_name, other.given_names);
}

/** Does every word of the query appear in the text (accents and Mande spellings ignored)? */
export function matchesQuery(query, folded, normalised) {
  const words = fold(query).split(" ").filter(Boolean);
  return words.every((w) => folded.includes(w) || normalised.includes(spellingRules(w)));
}
