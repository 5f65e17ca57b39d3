/* Shouhu service worker (issue 15), served at /sw.js by core.views.service_worker, which puts
 * one line before this script: self.SHOUHU = {version, assets, store, offline, manifest,
 * logout}.
 *
 * - The static files (stylesheet, htmx, forms.js, the outbox scripts, icons) and the offline
 *   page are kept from installation on ("shouhu-static-<version>"), served from the phone.
 * - The director's pages (KEEP below: worklist, roster, a child's visit form, the activity
 *   form, the round walk, the outbox page) are fetched from the network first and kept
 *   ("shouhu-pages-<version>"); without a network, or after WAIT_MS without an answer (one
 *   bar of signal: 800 ms a round trip), the kept copy is shown, and when the network's
 *   answer comes after all it is kept and the page is told (it offers the newer copy).
 *   Any other page without a network: the offline page.
 * - Pages are private: only same-origin GETs answered 200 to a signed-in user (the kept pages
 *   all require a login: a signed-out request is redirected, and a redirect is never kept)
 *   are stored, and only for a user whose pages say so (a village director: "keep"); they
 *   are dropped when the user logs out (the logout POST passes here, and the page also
 *   sends "logout") and when another user signs in on the phone.
 * - Background Sync ("shouhu-outbox") sends the outbox where the browser has it.
 * A new release has a new version: the old caches are deleted on activation.
 */
/* global ShouhuOutbox */
"use strict";

const CONFIG = self.SHOUHU;
const STATIC = "shouhu-static-" + CONFIG.version;
const PAGES = "shouhu-pages-" + CONFIG.version;
const LOGOUT = CONFIG.logout;
const SET_LANGUAGE = CONFIG.language;
// Short: on a weak network the kept page shows within a second (issue 15's budget); a good
// network answers well within it.
const WAIT_MS = 600;
const WARM_LIMIT = 80;
const KEEP = [
  /^\/$/,
  /^\/care\/worklist\/$/,
  /^\/children\/$/,
  /^\/care\/children\/\d+\/visit\/$/,
  /^\/care\/activities\/new\/$/,
  /^\/rounds\/returns\/\d+\/$/,
  /^\/outbox\/$/,
];

importScripts(CONFIG.store);

const kept = (url) => url.origin === self.location.origin && KEEP.some((re) => re.test(url.pathname));

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(STATIC)
      .then((cache) => cache.addAll([...CONFIG.assets, CONFIG.offline, CONFIG.manifest]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("shouhu-") && name !== STATIC && name !== PAGES)
            .map((name) => caches.delete(name))
        )
      )
      .then(() => self.clients.claim())
  );
});

async function forgetPages() {
  const names = await caches.keys();
  await Promise.all(names.filter((n) => n.startsWith("shouhu-pages-")).map((n) => caches.delete(n)));
}

function keepable(response) {
  const type = response.headers.get("Content-Type") || "";
  return response.ok && !response.redirected && response.type === "basic" && type.startsWith("text/html");
}

async function offlinePage() {
  const page = await caches.match(CONFIG.offline, { cacheName: STATIC });
  return page || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
}

async function fromCache(request) {
  const cache = await caches.open(PAGES);
  return (await cache.match(request.url)) || (await cache.match(request.url, { ignoreSearch: true }));
}

/* Network first; the kept copy when the network fails or is slower than WAIT_MS. */
function networkFirst(request, clientId) {
  let servedKept = false;
  const network = fetch(request).then(async (response) => {
    if (keepable(response) && (await ShouhuOutbox.getMeta("keep")) === true) {
      const cache = await caches.open(PAGES);
      await cache.put(request.url, response.clone());
      if (servedKept) tellNewer(clientId, request.url);
    }
    return response;
  });
  return new Promise((resolve) => {
    let settled = false;
    const fallBack = async () => {
      const copy = await fromCache(request);
      if (copy && !settled) {
        settled = true;
        servedKept = true;
        resolve(copy);
      }
      return copy;
    };
    const timer = setTimeout(fallBack, WAIT_MS);
    network.then(
      async (response) => {
        clearTimeout(timer);
        // A busy server (503) or a failure: the kept copy, if there is one, serves better.
        if (response.status >= 500 && (await fallBack())) return;
        if (!settled) {
          settled = true;
          resolve(response);
        }
      },
      async () => {
        clearTimeout(timer);
        if (!(await fallBack()) && !settled) {
          settled = true;
          resolve(offlinePage());
        }
      }
    );
  });
}

/* The page shown from the phone has a newer copy now: tell it (outbox.js offers to show it). */
async function tellNewer(clientId, url) {
  const client = clientId && (await self.clients.get(clientId));
  if (client) client.postMessage({ type: "page-updated", url });
}

async function cacheFirst(request) {
  const copy = await caches.match(request, { cacheName: STATIC });
  return copy || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Kept pages belong to the user who saw them, in the language they saw them in: a slow
  // answer after logging out or switching language must not bring back the old copy.
  if (request.method === "POST" && (url.pathname === LOGOUT || url.pathname === SET_LANGUAGE)) {
    event.waitUntil(forgetPages());
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname === CONFIG.offline || CONFIG.assets.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
    return;
  }
  if (request.headers.get("HX-Request")) return; // htmx's partial updates: network only
  if (request.mode !== "navigate") return;
  if (kept(url)) event.respondWith(networkFirst(request, event.resultingClientId));
  else event.respondWith(fetch(request).catch(offlinePage));
});

/* Keep the pages the page links to (the worklist's visit forms, …) before the network goes. */
async function warm(urls) {
  const cache = await caches.open(PAGES);
  let count = 0;
  for (const address of urls.slice(0, WARM_LIMIT)) {
    const url = new URL(address, self.location.origin);
    url.hash = "";
    if (!kept(url) || (await cache.match(url.href))) continue;
    try {
      const response = await fetch(url.href, { credentials: "same-origin" });
      if (keepable(response)) await cache.put(url.href, response);
    } catch (error) {
      break; // the network went: keep what we have
    }
    count += 1;
  }
  return count;
}

/* Pages are kept for the director's work only (`keep`, said by the page), and for one user:
   another user on this phone, or one who does not keep pages, drops what was kept. */
async function owner(user, keep) {
  const last = await ShouhuOutbox.getMeta("owner");
  if (last !== user || !keep) await forgetPages();
  await ShouhuOutbox.setMeta("owner", user);
  await ShouhuOutbox.setMeta("keep", keep === true);
}

self.addEventListener("message", (event) => {
  const message = event.data || {};
  const reply = (answer) => event.ports[0] && event.ports[0].postMessage(answer);
  if (message.type === "logout") {
    event.waitUntil(forgetPages().then(() => reply({ forgotten: true })));
  } else if (message.type === "warm") {
    event.waitUntil(
      owner(message.user, message.keep)
        .then(() => (message.keep ? warm(message.urls || []) : 0))
        .then((count) => reply({ warmed: count }))
    );
  }
});

async function syncOutbox() {
  const [user, csrf, endpoint] = await Promise.all(
    ["user", "csrf", "endpoint"].map((key) => ShouhuOutbox.getMeta(key))
  );
  const counts = await ShouhuOutbox.sendAll(user, csrf, endpoint);
  const clients = await self.clients.matchAll({ type: "window" });
  clients.forEach((client) => client.postMessage({ type: "outbox-changed" }));
  if (counts.later) throw new Error("some records wait for the network"); // the browser retries
}

self.addEventListener("sync", (event) => {
  if (event.tag === "shouhu-outbox") event.waitUntil(syncOutbox());
});
