// My targets for the month and my progress, as of the last sync (the "targets" extra of a pull,
// keneya/indicators/targets.py): the figures come from the server's indicators, so they count
// the visits the server had received at that sync.

import { getMeta } from "../db.js";
import { h, momentFr, mount } from "./dom.js";

function targetCard(row) {
  const achieved = row.achieved ?? 0;
  const percent = row.percent ?? 0;
  const unit = row.unit === "percent" ? " %" : "";
  return h("li", { class: "card target" },
    h("strong", {}, row.name),
    h("span", {}, `${achieved}${unit} sur ${row.target}${unit}`),
    h("progress", { max: 100, value: Math.min(percent, 100), "aria-label": `${percent} %` }),
    h("span", { class: "muted" }, `${percent} % de l'objectif`));
}

export async function targetsScreen(view) {
  const pulled = await getMeta("targets");
  if (!pulled) {
    mount(view, h("h1", {}, "Mes objectifs"),
      h("p", { class: "notice" }, "Synchronisez pour recevoir vos objectifs du mois."));
    return;
  }
  const rows = pulled.targets ?? [];
  mount(view,
    h("h1", {}, `Mes objectifs · ${pulled.period_label}`),
    h("p", { class: "muted", id: "targets-as-of" }, `Chiffres de la dernière synchronisation : ${momentFr(pulled.as_of)}.`),
    rows.length
      ? h("ul", { class: "list", id: "targets-list" }, rows.map(targetCard))
      : h("p", { class: "notice" }, "Aucun objectif fixé pour ce mois."));
}
