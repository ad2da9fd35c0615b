// The clinical engine on the tablet: engine/index.js (the JavaScript twin of keneya.clinical)
// fed with /chw/engine-data.json (keneya.clinical.bundle.engine_bundle()), both precached by the
// service worker, so a visit is assessed at once, offline, with the server's rules.

export const ENGINE_DATA_URL = "/chw/engine-data.json";

let enginePromise = null;

async function loadEngine() {
  const [{ createEngine }, response] = await Promise.all([
    import("./engine/index.js"),
    fetch(ENGINE_DATA_URL, { credentials: "same-origin" }),
  ]);
  if (!response.ok) throw new Error(`engine data: HTTP ${response.status}`);
  return createEngine(await response.json());
}

export function getEngine() {
  enginePromise ??= loadEngine().catch((error) => {
    enginePromise = null; // try again next time (e.g. the first load was offline)
    throw error;
  });
  return enginePromise;
}

/**
 * Load the engine ahead of the first visit (module, data, createEngine) when the tablet has a
 * moment, so the first save of a session does not wait for it. Failures are left for the save
 * to report (it tries again).
 */
export function preloadEngine() {
  const load = () => getEngine().catch(() => {});
  if ("requestIdleCallback" in globalThis) requestIdleCallback(load, { timeout: 5000 });
  else setTimeout(load, 1000);
}

/** The engine's assessment of one visit (the dict of keneya.clinical.visit.assess_home_visit). */
export async function assessVisit({ kind, person, visitDate, findings, measurements }) {
  const engine = await getEngine();
  return engine.assessHomeVisit({
    kind, sex: person.sex, date_of_birth: person.date_of_birth, visit_date: visitDate,
    findings, measurements,
  });
}

/** What the server compares with its own assessment (docs/sync.md: device_assessment). */
export function deviceAssessment(assessment) {
  return {
    engine_version: assessment.engine_version,
    action: assessment.action,
    urgent_referral: assessment.urgent_referral,
    classifications: assessment.classifications,
    danger_signs: assessment.danger_signs,
    follow_up_days: assessment.follow_up_days,
  };
}
