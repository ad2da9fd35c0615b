// The registry's field rules on the tablet, ported from keneya/people/validation.py and
// keneya/people/services.py (household_code), with the same French messages: a record the
// tablet accepts is normally accepted by the server. Pure functions (tested from node).

export const MAX_AGE_YEARS = 120;

/** "76 12 34 56", "+223 76123456", "0022376123456" -> {value: "+22376123456"} or {error}. */
export function normalisePhone(value) {
  let raw = String(value ?? "").replace(/[\s.\-()]/g, "");
  if (!raw) return { value: "" };
  if (raw.startsWith("+223")) raw = raw.slice(4);
  else if (raw.startsWith("00223")) raw = raw.slice(5);
  if (!/^\d{8}$/.test(raw)) {
    return { error: "Numéro de téléphone invalide : 8 chiffres attendus, par ex. 76 12 34 56." };
  }
  return { value: `+223${raw}` };
}

/** "+22376123456" -> "+223 76 12 34 56": the one display format, twin of
 * keneya/core/phones.py format_phone (Malian numbers; anything else is shown as given). */
export function formatPhone(value) {
  const text = String(value ?? "").trim();
  const normalised = normalisePhone(text);
  const match = /^\+223(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(normalised.value ?? "");
  return match ? `+223 ${match.slice(1).join(" ")}` : text;
}

/** {value} (spaces collapsed) or {error}. */
export function cleanName(value, label, isFamily) {
  const cleaned = String(value ?? "").split(/\s+/).filter(Boolean).join(" ");
  if (!cleaned) return { error: `${label} est obligatoire.` };
  if (isFamily && cleaned.length > 80) return { error: "Nom trop long (80 caractères au plus)." };
  if (/\d/.test(cleaned)) return { error: "Un nom ne contient pas de chiffres." };
  return { value: cleaned };
}

export function yearsBetween(start, end) {
  let years = Number(end.slice(0, 4)) - Number(start.slice(0, 4));
  if (end.slice(5) < start.slice(5)) years -= 1;
  return years;
}

/** An error message for a birth date (ISO string), or null when it is acceptable. */
export function birthDateError(value, on) {
  if (!value) return "La date de naissance (ou l'âge) est obligatoire.";
  if (value > on) return "La date de naissance ne peut pas être dans le futur.";
  if (yearsBetween(value, on) > MAX_AGE_YEARS) {
    return `Âge impossible : plus de ${MAX_AGE_YEARS} ans. Vérifiez la date de naissance.`;
  }
  return null;
}

/** When only an age is known: the 15th of the month it implies (validation.estimated_birth_date). */
export function estimatedBirthDate(ageYears, ageMonths, on) {
  let months = (ageYears ?? 0) * 12 + (ageMonths ?? 0);
  if (ageMonths == null && months >= 12) months += 6; // whole years: the middle of that year
  const [y, m] = on.split("-").map(Number);
  const total = y * 12 + (m - 1) - months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const iso = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-15`;
  return iso > on ? on : iso;
}

/** The household code the server gives (services.household_code): quartier code + the base32
 * of the UUID's first 5 bytes (8 characters). */
export function householdCode(quartierCode, id) {
  const hex = id.replaceAll("-", "").slice(0, 10);
  let bits = "";
  for (let i = 0; i < hex.length; i += 2) {
    bits += parseInt(hex.slice(i, i + 2), 16).toString(2).padStart(8, "0");
  }
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let out = "";
  for (let i = 0; i + 5 <= bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return `${quartierCode}-${out}`;
}
