// The sync bar, always in view: network, changes waiting, last sync, the "Synchroniser" button,
// and while syncing a progress bar with counts.

import { db, getMeta, today } from "../db.js";
import { isSyncing, syncEvents, syncNow } from "../sync.js";
import { h, momentFr, mount } from "./dom.js";
import { groupOn } from "./worklist.js";

const OK_MESSAGE_SECONDS = 10;
let bar;
let lastMessage = null;
let progress = null;

export function createStatusBar(container) {
  bar = container;
  syncEvents.addEventListener("progress", (event) => {
    const detail = event.detail;
    if (detail.phase === "start") {
      lastMessage = null;
      progress = { text: "Connexion au serveur…" };
    } else if (detail.phase === "push") {
      progress = { value: detail.done, max: detail.total || 1,
        text: `Envoi : ${detail.done} / ${detail.total}` };
    } else if (detail.phase === "pull") {
      progress = { text: `Réception : ${detail.received} élément${detail.received > 1 ? "s" : ""}`
        + (detail.page ? ` (page ${detail.page})` : "") };
    } else if (detail.phase === "error") {
      progress = null;
      lastMessage = { kind: "error", text: detail.message };
    } else if (detail.phase === "done") {
      progress = null;
      const message = { kind: "ok", text: "Synchronisation terminée." };
      lastMessage = message;
      setTimeout(() => {
        if (lastMessage === message) {
          lastMessage = null;
          refreshStatus();
        }
      }, OK_MESSAGE_SECONDS * 1000);
    } else {
      progress = null;
    }
    refreshStatus();
  });
  window.addEventListener("online", refreshStatus);
  window.addEventListener("offline", () => {
    if (lastMessage?.kind === "ok") lastMessage = null; // "terminée" would read as current
    refreshStatus();
  });
  refreshStatus();
}

export async function refreshStatus() {
  if (!bar) return;
  const [pending, rejected, lastSync] = await Promise.all([
    db.outbox.where("status").notEqual("rejected").count(),
    db.outbox.where("status").equals("rejected").count(),
    getMeta("last_sync"),
  ]);
  refreshTaskCount();
  const online = navigator.onLine;
  const syncing = isSyncing();
  mount(bar,
    h("div", { class: "status-line" },
      h("span", { class: `net ${online ? "on" : "off"}`, id: "net-state" },
        online ? "En ligne" : "Hors ligne"),
      h("span", { class: `pending${pending ? " has" : ""}`, id: "pending-count",
        dataset: { count: String(pending) } },
      pending ? `${pending} à envoyer` : rejected ? "" : "Tout est envoyé"),
      rejected ? h("a", { class: "rejected-count", href: "#/a-corriger", id: "rejected-count" },
        `${rejected} à corriger`) : null,
      h("span", { class: "last-sync", id: "last-sync" }, `Synchro : ${momentFr(lastSync)}`),
      h("button", { class: "btn sync-btn", id: "sync-button", type: "button", disabled: syncing,
        onclick: () => syncNow(), "aria-label": "Synchroniser" },
      syncing ? "Synchronisation…" : [h("span", { class: "long" }, "Synchroniser"),
        h("span", { class: "short" }, "Synchro")])),
    progress ? h("div", { class: "progress", id: "sync-progress", role: "status" },
      h("progress", progress.max ? { value: progress.value, max: progress.max } : {}),
      h("span", {}, progress.text)) : null,
    !progress && lastMessage ? h("p", { class: `sync-message ${lastMessage.kind}`, role: "status",
      id: "sync-message" }, lastMessage.kind === "ok" && rejected
      ? `${lastMessage.text} ${rejected > 1 ? `${rejected} éléments refusés` : "1 élément refusé"} : `
        + "touchez « à corriger »."
      : lastMessage.text) : null);
}

/** "Tâches 3": the tasks for today or overdue (ui/worklist.js groups), on the tab. */
async function refreshTaskCount() {
  const tab = document.querySelector('#tabs a[data-path="/taches"]');
  if (!tab) return;
  const on = today();
  const count = await db.tasks.filter((t) => ["today", "overdue"].includes(groupOn(t, on))).count();
  tab.querySelector(".count")?.remove();
  if (count) tab.append(h("span", { class: "count" }, String(count)));
}
