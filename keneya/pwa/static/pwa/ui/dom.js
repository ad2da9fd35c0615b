// Small DOM helpers: build elements without innerHTML (names typed by users are never parsed as
// HTML), French dates, and the shared vocabulary embedded in the shell page.

/** h("button", {class: "big", onclick: fn}, "Texte", child, ...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key in el && typeof value !== "string") {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : value);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function mount(container, ...children) {
  container.replaceChildren();
  append(container, children);
}

/** The labels and limits of keneya/pwa/vocabulary.py (JSON in the shell page). */
export const vocabulary = JSON.parse(document.getElementById("vocabulary")?.textContent ?? "{}");

const DATE_FR = new Intl.DateTimeFormat("fr-FR", { day: "numeric", month: "short", year: "numeric",
  timeZone: "UTC" });
const TIME_FR = new Intl.DateTimeFormat("fr-FR", { hour: "2-digit", minute: "2-digit",
  timeZone: "Africa/Bamako" });

/** "2026-03-02" -> "2 mars 2026" */
export function dateFr(iso) {
  if (!iso) return "";
  const d = new Date(`${String(iso).slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? String(iso) : DATE_FR.format(d);
}

/** A past moment, said simply: "à 09:14", "hier à 17:02", "le 2 mars 2026". */
export function momentFr(iso) {
  if (!iso) return "jamais";
  const d = new Date(iso);
  const todayIso = new Date().toISOString().slice(0, 10);
  const dayIso = d.toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
  if (dayIso === todayIso) return `aujourd'hui à ${TIME_FR.format(d)}`;
  if (dayIso === yesterday) return `hier à ${TIME_FR.format(d)}`;
  return `le ${dateFr(dayIso)}`;
}

/** Age for a person card: "3 ans", "7 mois", "12 jours". */
export function ageFr(dateOfBirth, on) {
  if (!dateOfBirth) return "";
  const birth = new Date(`${dateOfBirth}T00:00:00Z`);
  const now = new Date(`${on}T00:00:00Z`);
  const days = Math.round((now - birth) / 86400000);
  let months = (now.getUTCFullYear() - birth.getUTCFullYear()) * 12
    + (now.getUTCMonth() - birth.getUTCMonth());
  if (now.getUTCDate() < birth.getUTCDate()) months -= 1;
  if (days < 60) return `${days} jour${days > 1 ? "s" : ""}`;
  if (months < 24) return `${months} mois`;
  return `${Math.floor(months / 12)} ans`;
}

export function plural(n, one, many) {
  return `${n} ${n > 1 ? many : one}`;
}

export function go(hash) {
  if (location.hash === hash) {
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = hash;
  }
}

/** A big button that leads somewhere. */
export function linkButton(text, hash, cls = "btn") {
  return h("a", { class: cls, href: hash }, text);
}

export function personName(person) {
  return person ? `${person.given_names} ${person.family_name}` : "Personne inconnue";
}

/** Field errors of a form: {field: [messages]} shown next to the inputs named after them. */
export function showErrors(form, errors) {
  form.querySelectorAll(".field-error").forEach((el) => el.remove());
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  let first = null;
  for (const [field, messages] of Object.entries(errors)) {
    const target = form.querySelector(`[data-field="${field}"]`) ?? form.querySelector(".form-errors");
    const message = h("p", { class: "field-error", role: "alert" }, messages.join(" "));
    target?.append(message);
    target?.querySelector("input,select,textarea")?.setAttribute("aria-invalid", "true");
    first ??= message;
  }
  first?.scrollIntoView({ block: "center" });
  return Object.keys(errors).length > 0;
}
