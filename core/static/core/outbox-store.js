/* Shouhu outbox store (issue 15): the records saved on the phone until the server has them.
 *
 * Shared by the page (core/outbox.js) and the service worker (core/sw.js, which loads it with
 * importScripts for Background Sync), so it uses `self` and no DOM. IndexedDB directly, no
 * library: one database "shouhu-outbox" with two stores, "items" (one record each, keyed by
 * the id made on the phone with crypto.randomUUID()) and "meta" (the signed-in user, the
 * CSRF token and the endpoint, for the worker).
 *
 * An item: {id, kind, made_at, data, user, url, title, labels, state, message, tries,
 * photos: [{id, blob, made_at, sent}], answer (once the record is on the server)}.
 * state "waiting": sent at the next chance; "refused": the server answered 400 or 409, its
 * message is kept and the item waits for the director to fix or discard it.
 *
 * Sending (the contract of POST /api/v1/outbox/): 201 or 200 (a repeat of a record the
 * server already has) removes the item; 400 {field: [messages]} and 409 {detail} mark it
 * refused; anything else (no network, a timeout, 403 after the session ended, 5xx) keeps it
 * for later. The id goes with every attempt, so a record the server stored before the answer
 * was lost is stored once. Then each photo goes to POST /api/v1/outbox/photos/ with its own
 * id and the record's; the item goes when the last is kept.
 */
(function (scope) {
  "use strict";
  const DB = "shouhu-outbox";
  const ITEMS = "items";
  const META = "meta";
  const TIMEOUT_MS = 20000;
  let opening = null;

  function open() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const request = scope.indexedDB.open(DB, 1);
        request.onupgradeneeded = () => {
          request.result.createObjectStore(ITEMS, { keyPath: "id" });
          request.result.createObjectStore(META);
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => {
          opening = null;
          reject(request.error);
        };
      });
    }
    return opening;
  }

  async function run(store, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(store, mode);
      const request = work(transaction.objectStore(store));
      transaction.oncomplete = () => resolve(request ? request.result : undefined);
      transaction.onerror = transaction.onabort = () => reject(transaction.error);
    });
  }

  const byTime = (a, b) => (a.made_at < b.made_at ? -1 : a.made_at > b.made_at ? 1 : 0);

  async function all(user) {
    const items = (await run(ITEMS, "readonly", (s) => s.getAll())) || [];
    return items.filter((item) => !user || item.user === user).sort(byTime);
  }
  const get = (id) => run(ITEMS, "readonly", (s) => s.get(id));
  const put = (item) => run(ITEMS, "readwrite", (s) => s.put(item));
  const remove = (id) => run(ITEMS, "readwrite", (s) => s.delete(id));
  const getMeta = (key) => run(META, "readonly", (s) => s.get(key));
  const setMeta = (key, value) => run(META, "readwrite", (s) => s.put(value, key));

  /* The server's refusal as one line: its detail, or each field's label and messages. */
  function messageOf(body, labels) {
    if (!body || typeof body !== "object") return "";
    if (typeof body.detail === "string") return body.detail;
    return Object.keys(body)
      .map((field) => {
        const messages = [].concat(body[field]).join(" ");
        const label = (labels && labels[field]) || "";
        return label ? label + ": " + messages : messages;
      })
      .join(" · ");
  }

  /* One attempt: resolves to {outcome: "sent"|"refused"|"later", status, answer, errors}. */
  async function send(item, csrf, endpoint) {
    if (!endpoint) return { outcome: "later", status: 0 };
    if (item.answer) return sendPhotos(item, item.answer, csrf, endpoint, 200);
    let response;
    try {
      response = await timed(endpoint, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrf || "",
        },
        body: JSON.stringify({
          id: item.id,
          kind: item.kind,
          made_at: item.made_at,
          data: item.data,
        }),
      });
    } catch (error) {
      return { outcome: "later", status: 0 };
    }
    const body = await response.json().catch(() => null);
    if (response.status === 200 || response.status === 201) {
      return sendPhotos(item, body || {}, csrf, endpoint, response.status);
    }
    return answered(item, response, body);
  }

  /* The server did not take it: 400/409 mark the item refused with its message; anything
     else keeps it for later. */
  async function answered(item, response, body) {
    const stored = (await get(item.id)) || item;
    if (response.status === 400 || response.status === 409) {
      stored.state = "refused";
      stored.message = messageOf(body, item.labels);
      stored.errors = response.status === 400 ? body : null;
      await put(stored);
      return { outcome: "refused", status: response.status, errors: body, message: stored.message };
    }
    stored.tries = (stored.tries || 0) + 1;
    stored.status = response.status;
    await put(stored);
    return { outcome: "later", status: response.status };
  }

  /* The record is on the server: now its photos, one request each (a weak network loses
     less), each with its own id so that a repeat is kept once. The item goes when the last
     one is kept; until then it stays, marked as sent, and only the rest go next time. */
  async function sendPhotos(item, answer, csrf, endpoint, status) {
    const stored = (await get(item.id)) || item;
    stored.answer = stored.answer || answer;
    const waiting = (stored.photos || []).filter((photo) => !photo.sent);
    if (waiting.length) await put(stored); // the record is not sent again
    for (const photo of waiting) {
      const form = new FormData();
      form.append("id", photo.id);
      form.append("record", item.id);
      form.append("made_at", photo.made_at || item.made_at);
      form.append("image", photo.blob, "photo.jpg");
      let response;
      try {
        response = await timed(endpoint + "photos/", {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": csrf || "" },
          body: form,
        });
      } catch (error) {
        return { outcome: "later", status: 0 };
      }
      if (response.status !== 200 && response.status !== 201) {
        return answered(stored, response, await response.json().catch(() => null));
      }
      photo.sent = true;
      delete photo.blob; // kept on the server: the phone's copy can go
      await put(stored);
    }
    await remove(item.id);
    return { outcome: "sent", status, answer: stored.answer };
  }

  /* fetch, given up after TIMEOUT_MS (a request that hangs on one bar of signal). */
  async function timed(url, options) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      return await fetch(url, { ...options, signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
  }

  /* One sender at a time across the tabs and the worker (Web Locks where the browser has
     them); a record sent twice would still be stored once (the server's idempotency). */
  function exclusively(work) {
    const locks = scope.navigator && scope.navigator.locks;
    return locks ? locks.request("shouhu-outbox", work) : work();
  }

  /* Send every waiting item of `user`, oldest first. Stops at the first network failure. */
  function sendAll(user, csrf, endpoint) {
    return exclusively(async () => {
      const counts = { sent: 0, refused: 0, later: 0 };
      if (!endpoint) return counts;
      for (const item of await all(user)) {
        if (item.state === "refused") continue;
        const result = await send(item, csrf, endpoint);
        counts[result.outcome] += 1;
        if (result.outcome === "later") break;
      }
      return counts;
    });
  }

  scope.ShouhuOutbox = { all, get, put, remove, getMeta, setMeta, send, sendAll, messageOf };
})(self);
