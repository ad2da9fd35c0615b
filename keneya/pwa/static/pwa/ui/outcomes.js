// What became of my referrals and alerts, as of the last sync: arrived at the CSCom, seen,
// counter-referral, not arrived (find the family), convocation.

import { db, getMeta } from "../db.js";
import { formatReasons } from "../text.js";
import { dateFr, h, momentFr, mount, personName, vocabulary as V } from "./dom.js";

// What a status means for the CHW (the server's labels are the clinicians').
const REFERRAL_TEXT = {
  issued: "Pas encore arrivé·e au centre",
  arrived: "Arrivé·e au centre",
  seen: "Vu·e par le soignant",
  counter_referred: "Contre-référence reçue",
  closed: "Terminée",
  not_arrived: "Pas venu·e au centre",
};
const ALERT_TEXT = {
  open: "Envoyée au CSCom",
  acknowledged: "Prise en compte par le CSCom",
  convoked: "Famille convoquée",
  closed: "Clôturée",
};

const TONE = {
  issued: "wait", arrived: "ok", seen: "ok", counter_referred: "ok", closed: "ok",
  not_arrived: "bad", open: "wait", acknowledged: "ok", convoked: "bad",
};

function referralCard(referral, person) {
  const steps = [
    [referral.issued_at, "Référé·e"],
    [referral.arrived_at, "Arrivé·e au centre"],
    [referral.seen_at, "Vu·e par le soignant"],
    [referral.counter_referred_at, "Contre-référence"],
    [referral.closed_at, "Clôturée"],
  ].filter(([at]) => at);
  return h("li", {}, h("a", { class: "card", href: `#/personne/${referral.person}` },
    h("strong", {}, personName(person)),
    h("span", { class: "badges" },
      h("span", { class: `badge ${TONE[referral.status] ?? ""}` },
        REFERRAL_TEXT[referral.status] ?? V.referral_statuses[referral.status] ?? referral.status),
      referral.urgent ? h("span", { class: "urgent small" }, "Urgent") : null),
    h("span", { class: "muted small" }, `Vers ${referral.to_facility ?? "le CSCom"} · ${formatReasons(referral.reason)}`),
    h("ul", { class: "steps" }, steps.map(([at, label]) => h("li", {}, `${label} : ${dateFr(at)}`))),
    referral.status === "not_arrived"
      ? h("p", { class: "notice bad" }, "Pas arrivé·e au centre : retrouvez la famille.") : null,
    referral.counter_referral_note
      ? h("p", { class: "note" }, `Note du centre : ${referral.counter_referral_note}`) : null));
}

function alertCard(alert, person) {
  return h("li", {}, h("a", { class: "card", href: `#/personne/${alert.person}` },
    h("strong", {}, personName(person)),
    h("span", { class: `badge ${TONE[alert.status] ?? ""}` },
      ALERT_TEXT[alert.status] ?? V.alert_statuses[alert.status] ?? alert.status),
    h("span", {}, alert.title ?? ""),
    h("span", { class: "muted small" }, `${alert.facility ?? ""} · ${dateFr(alert.raised_at)}`),
    alert.appointment_date
      ? h("p", { class: "notice" }, `Rendez-vous au centre le ${dateFr(alert.appointment_date)} : `
        + "prévenez la famille.") : null));
}

export async function outcomesScreen(view) {
  const [items, lastSync] = await Promise.all([db.alerts.toArray(), getMeta("last_sync")]);
  const persons = new Map((await db.persons.bulkGet([...new Set(items.map((i) => i.person))]))
    .filter(Boolean).map((p) => [p.id, p]));
  const recent = (a, b) => String(b.issued_at ?? b.raised_at ?? "")
    .localeCompare(String(a.issued_at ?? a.raised_at ?? ""));
  const referrals = items.filter((i) => i.type === "referral").sort(recent);
  const alerts = items.filter((i) => i.type === "alert").sort(recent);
  mount(view,
    h("h1", {}, "Mes références et alertes"),
    h("p", { class: "muted small" }, `Situation à la dernière synchronisation (${momentFr(lastSync)}).`),
    h("h2", {}, `Références (${referrals.length})`),
    referrals.length ? h("ul", { class: "cards", id: "referral-list" },
      referrals.map((r) => referralCard(r, persons.get(r.person))))
      : h("p", { class: "muted" }, "Aucune référence."),
    h("h2", {}, `Alertes (${alerts.length})`),
    alerts.length ? h("ul", { class: "cards", id: "alert-list" },
      alerts.map((a) => alertCard(a, persons.get(a.person))))
      : h("p", { class: "muted" }, "Aucune alerte."));
}
