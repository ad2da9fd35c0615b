// Entry point of the CHW app (/chw/): service worker, session, router, sync triggers.
//
// The app works from IndexedDB; the network is only needed to register the tablet once (with
// the web session) and to sync. Screens live in ui/*.js; storage in db.js; sync in sync.js.

import { fetchSession, LoginRequiredError, OfflineError } from "./api.js";
import { preloadEngine } from "./clinical.js";
import { clearAll, db, getMeta, setMeta } from "./db.js";
import { lockState, syncEvents, syncNow, unlock } from "./sync.js";
import { h, mount } from "./ui/dom.js";
import { householdScreen, personScreen } from "./ui/household.js";
import { householdsScreen } from "./ui/households.js";
import { outcomesScreen } from "./ui/outcomes.js";
import {
  editHouseholdScreen, editPersonScreen, newHouseholdScreen, newMemberScreen,
} from "./ui/register.js";
import { rejectedScreen } from "./ui/rejected.js";
import { screeningFormScreen, screeningScreen } from "./ui/screening.js";
import { createStatusBar, refreshStatus } from "./ui/status.js";
import { targetsScreen } from "./ui/targets.js";
import { tasksScreen } from "./ui/tasks.js";
import { visitFormScreen, visitScreen } from "./ui/visit.js";

const ID = "([0-9a-f-]{36})";
// [pattern, screen, is a form (not redrawn when a sync brings new data)]
const ROUTES = [
  [/^$/, householdsScreen],
  [/^\/menage\/nouveau$/, newHouseholdScreen, true],
  [new RegExp(`^/menage/${ID}$`), householdScreen],
  [new RegExp(`^/menage/${ID}/membre$`), newMemberScreen, true],
  [new RegExp(`^/menage/${ID}/modifier$`), editHouseholdScreen, true],
  [new RegExp(`^/menage/${ID}/depistage$`), screeningFormScreen, true],
  [new RegExp(`^/depistage/${ID}$`), screeningScreen],
  [new RegExp(`^/personne/${ID}$`), personScreen],
  [new RegExp(`^/personne/${ID}/modifier$`), editPersonScreen, true],
  [new RegExp(`^/personne/${ID}/visite/(\\w+)$`), visitFormScreen, true],
  [new RegExp(`^/visite/${ID}$`), visitScreen],
  [/^\/taches$/, tasksScreen],
  [/^\/references$/, outcomesScreen],
  [/^\/a-corriger$/, rejectedScreen],
  [/^\/objectifs$/, targetsScreen],
];
const TABS = [["#/", "Ménages", ""], ["#/taches", "Tâches", "/taches"],
  ["#/references", "Références", "/references"], ["#/objectifs", "Objectifs", "/objectifs"]];

const shell = document.getElementById("app");
const view = document.getElementById("view");
const loginUrl = shell.dataset.loginUrl;

function currentRoute() {
  const path = location.hash.replace(/^#/, "").replace(/\/$/, "");
  for (const [pattern, screen, isForm] of ROUTES) {
    const match = pattern.exec(path);
    if (match) return { screen, args: match.slice(1), isForm: Boolean(isForm), path };
  }
  return { screen: householdsScreen, args: [], isForm: false, path: "" };
}

async function render() {
  const route = currentRoute();
  document.querySelectorAll("#tabs a").forEach((a) => {
    a.classList.toggle("active", a.dataset.path === route.path
      || (a.dataset.path === "" && /^\/(menage|personne|visite|depistage)/.test(route.path)));
  });
  try {
    await route.screen(view, ...route.args);
  } catch (error) {
    console.error(error);
    mount(view, h("p", { class: "notice bad" }, `Erreur d'affichage : ${error.message}`));
  }
  window.scrollTo(0, 0);
  refreshStatus();
}

function drawTabs() {
  mount(document.getElementById("tabs"), TABS.map(([href, text, path]) =>
    h("a", { href, dataset: { path } }, text)));
}

function lockScreen(state) {
  document.getElementById("status").hidden = true;
  document.getElementById("tabs").hidden = true;
  mount(view, h("section", { class: "locked", id: "locked", role: "alert" },
    h("h1", {}, "Tablette désactivée"),
    h("p", {}, "Votre superviseur a désactivé cette tablette. Les données enregistrées sur la "
      + "tablette ont été effacées."),
    h("p", {}, "Si c'est une erreur, appelez votre superviseur, puis reconnectez-vous."),
    state?.detail ? h("p", { class: "muted small" }, state.detail) : null,
    h("button", { class: "btn primary big", type: "button", onclick: () => {
      unlock();
      location.href = `${loginUrl}?next=${encodeURIComponent("/chw/")}`;
    } }, "Se reconnecter")));
}

async function showUser() {
  const user = await getMeta("user");
  document.getElementById("who").textContent = user?.name ?? "";
}

/** Refresh who is logged in (online only). Another CHW on this tablet starts afresh. */
async function refreshSession() {
  try {
    const session = await fetchSession();
    const previous = await getMeta("user");
    if (previous && previous.id !== session.user.id) {
      if ((await db.outbox.count()) > 0) {
        mount(view, h("p", { class: "notice bad" }, `Les données de ${previous.name} ne sont pas `
          + "encore envoyées. Qu'il ou elle se connecte et synchronise d'abord."));
        return false;
      }
      await clearAll();
    }
    await setMeta("user", session.user);
    await setMeta("quartiers", session.quartiers);
  } catch (error) {
    if (error instanceof LoginRequiredError && !(await getMeta("device_token"))) {
      mount(view, h("section", { class: "notice" },
        h("p", {}, "Connectez-vous une première fois avec du réseau pour activer la tablette."),
        h("a", { class: "btn primary", href: `${loginUrl}?next=${encodeURIComponent("/chw/")}` },
          "Se connecter")));
      return false;
    }
    if (!(error instanceof OfflineError || error instanceof LoginRequiredError)) {
      console.error(error);
    }
  }
  await showUser();
  return true;
}

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const hadController = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (!hadController) return; // first installation: nothing to reload
    const banner = document.getElementById("update");
    mount(banner, "Nouvelle version installée. ",
      h("button", { class: "btn", type: "button", onclick: () => location.reload() }, "Recharger"));
    banner.hidden = false;
  });
  try {
    await navigator.serviceWorker.register(shell.dataset.swUrl, { scope: shell.dataset.scope });
  } catch (error) {
    console.warn("service worker", error);
  }
}

async function start() {
  if (lockState()) {
    lockScreen(lockState());
    return;
  }
  drawTabs();
  createStatusBar(document.getElementById("status"));
  registerServiceWorker();
  await showUser();
  window.addEventListener("hashchange", render);
  await render();
  const ready = navigator.onLine ? await refreshSession() : true;
  syncEvents.addEventListener("progress", (event) => {
    const { phase } = event.detail;
    if (phase === "locked") lockScreen(lockState());
    if (phase === "done" && !currentRoute().isForm) render();
  });
  window.addEventListener("online", () => syncNow());
  if (ready && navigator.onLine) syncNow();
  preloadEngine(); // the first visit saved must not wait for the clinical engine
  document.documentElement.dataset.ready = "1"; // for the browser tests
}

start();
