// Service worker of the CHW app, served by keneya.pwa.views.service_worker at /chw/sw.js with
// VERSION, SHELL_URL and PRECACHE written above this line. Hand-written, no library.
//
// - install: fetch every PRECACHE URL (the shell page, manifest, engine data, JS, CSS, icons,
//   vendored libraries) into a cache named after VERSION; a redirect (to the login page) or an
//   error fails the install, so a half-filled cache never goes live.
// - activate: delete the caches of older versions, take control of open pages.
// - fetch: cache-first for the precached files and for the app's page /chw/ (whatever its query
//   string); network-only for /api/ and /chw/session.json (the app handles offline itself);
//   everything else goes to the network.

/* global VERSION, SHELL_URL, PRECACHE */
const CACHE = `keneya-chw-${VERSION}`;
const NETWORK_ONLY = [/^\/api\//, /^\/chw\/session\.json$/, /^\/comptes\//, /^\/admin\//];

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(PRECACHE.map(async (url) => {
      const response = await fetch(url, { cache: "reload", credentials: "same-origin" });
      if (!response.ok || response.redirected) {
        throw new Error(`precache ${url}: ${response.status}`);
      }
      await cache.put(url, response);
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith("keneya-chw-") && n !== CACHE)
      .map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "version") event.source?.postMessage({ version: VERSION });
});

async function fromCache(key, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key, { ignoreSearch: true });
  if (hit) return hit;
  return fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NETWORK_ONLY.some((pattern) => pattern.test(url.pathname))) return;
  if (request.mode === "navigate" && url.pathname === SHELL_URL) {
    event.respondWith(fromCache(SHELL_URL, request));
    return;
  }
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(fromCache(url.pathname, request));
  }
});
