/* Shouhu on the phone (issue 15): the service worker, the outbox badge, forms that survive
 * a lost network, the outbox page. No build step, no framework; the store is
 * core/outbox-store.js (loaded before this script).
 *
 * - Registers /sw.js and, for a user whose pages are kept (data-keep-pages="1": a village
 *   director), asks it to keep this page and the director's pages it links to (and those
 *   named by a data-offline-pages element, e.g. the worklist's), so that they open with no
 *   network after one visit online. <html data-offline-ready> once done.
 * - A form marked data-outbox="visit|activity|check" is written to the outbox first (an id
 *   made on the phone, made_at = now; its photos made smaller, as blobs), then sent to the
 *   outbox endpoint, the record first and then each photo. Sent: the item goes,
 *   and the page goes on to data-outbox-next. No network (or no answer): the item stays,
 *   "saved on the phone, waiting to send", and the page goes on. Refused (400/409): the
 *   server's messages on the form, and the item stays marked until fixed or discarded.
 *   data-outbox-child names the child of a visit. While the server has no outbox endpoint
 *   (data-endpoint empty), a form online is posted as before; offline it is kept.
 * - A round check on the walk page (a form with data-outbox="check") goes by htmx online;
 *   with no network, or when its request fails, it is kept in the outbox and its row says so.
 * - The header's badge shows "N waiting to send" (hidden at 0) and links to the outbox page.
 * - Sending: on every page load, on the `online` event, and by Background Sync where the
 *   browser has it (the worker then sends, with the CSRF token this page leaves it).
 * - The outbox page lists the items with their state and the server's message; "fix" opens
 *   the form again filled from the item (its address + #outbox=<id>), "discard" deletes it
 *   after a confirmation.
 * - Logging out tells the worker to drop the kept pages.
 * The texts come from data- attributes of this script's tag (no string is written here).
 */
(function () {
  "use strict";
  const script = document.currentScript;
  const Store = self.ShouhuOutbox;
  if (!script || !Store || !self.indexedDB) return;
  const text = script.dataset;
  const user = text.user || "";
  const endpoint = text.endpoint || "";
  const NOTICE = "shouhu-outbox-notice";
  const FIX = /^#outbox=([0-9a-f-]{36})$/;
  const ACK_MS = 500;
  const pause = (ms) => new Promise((resolve) => setTimeout(() => resolve({ outcome: "later" }), ms));

  function csrf() {
    try {
      const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (error) {
      /* no headers on this page: the form's token below */
    }
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* ---- the badge and the notice ---- */

  async function refresh() {
    const items = user ? await Store.all(user) : [];
    const badge = document.querySelector("[data-outbox-badge]");
    if (badge) {
      badge.textContent = (badge.dataset.template || "{n}").replace("{n}", String(items.length));
      badge.hidden = items.length === 0;
      badge.classList.toggle("refused", items.some((item) => item.state === "refused"));
    }
    renderList(items);
    markChecks(items);
    return items;
  }

  function showNotice() {
    const notice = sessionStorage.getItem(NOTICE);
    if (!notice) return;
    sessionStorage.removeItem(NOTICE);
    const main = document.querySelector("main");
    if (!main) return;
    const list = document.createElement("ul");
    list.className = "messages";
    const item = document.createElement("li");
    item.className = "info";
    item.setAttribute("data-testid", "outbox-notice");
    item.setAttribute("role", "status");
    item.textContent = notice;
    list.appendChild(item);
    main.insertBefore(list, main.firstChild);
  }

  /* This page came from the phone (the network was slow) and a newer copy has arrived. */
  function offerNewer(url) {
    if (new URL(url).pathname !== location.pathname || document.querySelector("[data-newer-page]")) {
      return;
    }
    const main = document.querySelector("main");
    if (!main) return;
    const bar = document.createElement("p");
    bar.className = "messages-newer card";
    bar.setAttribute("data-newer-page", "");
    bar.setAttribute("data-testid", "newer-page");
    bar.setAttribute("role", "status");
    const link = document.createElement("a");
    link.href = location.href;
    link.textContent = text.newer || "";
    bar.appendChild(link);
    main.insertBefore(bar, main.firstChild);
  }

  function goOn(form, notice) {
    sessionStorage.setItem(NOTICE, notice);
    location.assign(form.dataset.outboxNext || "/");
  }

  /* ---- forms ---- */

  function labelOf(control) {
    const field = control.closest(".field");
    const label = field && field.querySelector("label");
    return label ? label.textContent.replace(/\s*\*\s*$/, "").trim() : control.name;
  }

  const SKIPPED = ["submit", "button", "reset", "file", "hidden", "image"];

  /* The form's fields as the API takes them: a checkbox alone is true/false, a group of
     checkboxes (they carry values) or a multiple select a list, an empty text left out. */
  function read(form) {
    const data = {};
    const labels = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled || SKIPPED.includes(el.type)) continue;
      if (el.type === "checkbox" && el.hasAttribute("value")) {
        data[el.name] = data[el.name] || [];
        if (el.checked) data[el.name].push(el.value);
      } else if (el.type === "checkbox") {
        data[el.name] = el.checked;
      } else if (el.type === "radio") {
        if (el.checked) data[el.name] = el.value;
      } else if (el.tagName === "SELECT" && el.multiple) {
        data[el.name] = Array.from(el.selectedOptions, (option) => option.value);
      } else if (el.value.trim() !== "") {
        data[el.name] = el.value;
      }
      if (!labels[el.name]) labels[el.name] = labelOf(el);
    }
    if (form.dataset.outboxChild) data.child = Number(form.dataset.outboxChild);
    if (form.dataset.outboxReturn) data.return = Number(form.dataset.outboxReturn);
    return { data, labels };
  }

  /* The photos chosen on the form (input[data-photos]), made smaller on the phone (at most
     LONG_SIDE px on the long side and about MAX_BYTES, JPEG) before they are kept: a canvas
     holds pixels only, so the metadata (the place a photo was taken) stays behind. The
     server does the same again (core/images.py). */
  const LONG_SIDE = 1280;
  const MAX_BYTES = 300 * 1024;

  async function photosOf(form) {
    const files = [];
    form.querySelectorAll("input[type=file][data-photos]").forEach((input) => {
      files.push(...input.files);
    });
    const madeAt = new Date().toISOString();
    const photos = [];
    for (const file of files) {
      photos.push({ id: crypto.randomUUID(), blob: await smaller(file), made_at: madeAt, sent: false });
    }
    return photos;
  }

  async function smaller(file, side = LONG_SIDE) {
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch (error) {
      return file; // not a picture the phone can read: the server says so
    }
    const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    for (const quality of [0.82, 0.72, 0.62, 0.52, 0.42]) {
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
      if (blob && (blob.size <= MAX_BYTES || side < 200)) return blob;
    }
    return smaller(file, Math.round(side / 2));
  }

  function fill(form, data) {
    for (const el of form.elements) {
      if (!el.name || SKIPPED.includes(el.type)) continue;
      const value = data[el.name];
      if (el.type === "checkbox" && el.hasAttribute("value")) {
        el.checked = [].concat(value || []).map(String).includes(el.value);
      } else if (el.type === "checkbox") {
        el.checked = Boolean(value);
      } else if (el.type === "radio") {
        el.checked = value !== undefined && String(value) === el.value;
      } else if (el.tagName === "SELECT" && el.multiple) {
        const chosen = [].concat(value || []).map(String);
        Array.from(el.options).forEach((option) => (option.selected = chosen.includes(option.value)));
      } else {
        el.value = value === undefined || value === null ? "" : String(value);
      }
    }
    form.dispatchEvent(new Event("change", { bubbles: true })); // forms.js: required marks
  }

  /* The server's refusal on the form: each field's messages under it, and the summary of
   * forms.js (ShouhuForms) at the top, marked so that the next try clears them. */
  function showRefusal(form, errors, message) {
    form
      .querySelectorAll("[data-outbox-error],[data-outbox-summary],[data-outbox-kept]")
      .forEach((el) => el.remove());
    form.querySelectorAll(".field.has-error").forEach((el) => el.classList.remove("has-error"));
    const general = [];
    if (errors && typeof errors === "object" && typeof errors.detail !== "string") {
      Object.keys(errors).forEach((name) => {
        const messages = [].concat(errors[name]);
        const control = form.querySelector('[name="' + CSS.escape(name) + '"]');
        const field = control && control.closest(".field");
        if (!field) {
          general.push(...messages);
          return;
        }
        field.classList.add("has-error");
        const under = document.createElement("ul");
        under.className = "errorlist";
        under.setAttribute("data-outbox-error", "");
        messages.forEach((m) => {
          const li = document.createElement("li");
          li.textContent = m;
          under.appendChild(li);
        });
        field.appendChild(under);
      });
    } else if (message) {
      general.push(message);
    }
    window.ShouhuForms.summarise(form, {
      title: text.refused || "",
      testid: "outbox-refusal",
      marker: "data-outbox-summary",
      general: general,
    });
  }

  /* A record for the outbox (outbox-store.js says its fields); `earlier`, the same record
     saved before and now fixed, keeps its id, its time, its tries and its photos. */
  function newItem(kind, data, { labels = {}, title = "", photos = [], earlier = null } = {}) {
    return {
      id: earlier ? earlier.id : crypto.randomUUID(),
      kind,
      made_at: earlier ? earlier.made_at : new Date().toISOString(),
      data,
      labels,
      user,
      url: location.pathname,
      title,
      state: "waiting",
      message: "",
      tries: earlier ? earlier.tries || 0 : 0,
      photos,
    };
  }

  /* Said at once, beside the button just tapped: the record is safe on the phone. */
  function showKept(form) {
    if (form.querySelector("[data-outbox-kept]")) return;
    const note = document.createElement("p");
    note.className = "outbox-kept";
    note.setAttribute("role", "status");
    note.setAttribute("data-outbox-kept", "");
    note.setAttribute("data-testid", "outbox-kept");
    note.textContent = text.kept || "";
    const button = form.querySelector("button[type=submit]");
    form.insertBefore(note, button || null);
  }

  function busy(form, on) {
    form.querySelectorAll("button[type=submit]").forEach((button) => (button.disabled = on));
  }

  async function onSubmit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-outbox")) return;
    if (form.dataset.outbox === "check") return; // a round check: htmx, or onCheckOffline
    if (!endpoint && navigator.onLine) return; // no outbox on the server: the ordinary post
    event.preventDefault();
    if (form.dataset.outboxBusy) return;
    form.dataset.outboxBusy = "1";
    busy(form, true);
    try {
      const { data, labels } = read(form);
      const earlier = form.dataset.outboxId ? await Store.get(form.dataset.outboxId) : null;
      const photos = [...((earlier && earlier.photos) || []), ...(await photosOf(form))];
      const heading = document.querySelector("main h1");
      const title = heading ? heading.textContent.replace(/\s+/g, " ").trim() : "";
      const item = newItem(form.dataset.outbox, data, { labels, title, photos, earlier });
      await Store.put(item); // on the phone before any attempt to send
      form.dataset.outboxId = item.id;
      showKept(form);
      // The director is told at once: the server's answer is awaited for ACK_MS only (on a
      // good network it comes within it); past that the next page sends it again, and the
      // server stores it once (its id).
      const result = navigator.onLine
        ? await Promise.race([Store.send(item, csrf(), endpoint), pause(ACK_MS)])
        : { outcome: "later" };
      // Sent now: the next page shows the server's own messages (a visit's care-level warnings).
      if (result.outcome === "sent") return goOn(form, "");
      if (result.outcome === "refused") {
        showRefusal(form, result.errors, result.message);
        await refresh();
        return;
      }
      await askForSync();
      goOn(form, result.status === 403 ? text.signIn || text.saved : text.saved || "");
    } finally {
      delete form.dataset.outboxBusy;
      busy(form, false);
    }
  }

  /* ---- round checks (the walk page) ----
     A check ("unchanged") is one tap in a list, sent by htmx and answered with the list again.
     With no network it is kept in the outbox instead (the tap is caught before htmx sees it),
     and so is one whose request fails on the way; the row says it waits. The server checks a
     child once however often it is sent (outbox ids, and a check is set, not added). */

  async function keepCheck(form) {
    const { data } = read(form);
    const row = form.closest("tr");
    const name = row && row.querySelector("a");
    const title = (name ? name.textContent.trim() + " · " : "") + (text.check || "");
    await Store.put(newItem("check", { child: data.child, return: data.return }, { title }));
    await askForSync();
    await refresh();
  }

  function onCheckOffline(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.dataset.outbox !== "check") return;
    if (navigator.onLine) return; // htmx sends it; a failure is caught below
    event.preventDefault();
    event.stopPropagation();
    keepCheck(form).catch(() => {});
  }

  function onCheckFailed(event) {
    const form = event.detail && event.detail.elt;
    if (form instanceof HTMLFormElement && form.dataset.outbox === "check") {
      keepCheck(form).catch(() => {});
    }
  }

  /* The rows of the walk whose check waits on the phone. */
  function markChecks(items) {
    items
      .filter((item) => item.kind === "check")
      .forEach((item) => {
        const outcome = document.querySelector("#child-" + item.data.child + " [data-testid=outcome]");
        if (!outcome) return;
        outcome.textContent = text.checkWaiting || "";
        outcome.setAttribute("data-outbox-waiting", "");
        const button = document.querySelector("#child-" + item.data.child + " [data-testid=confirm]");
        if (button) button.disabled = true;
      });
  }

  async function reopen() {
    const match = FIX.exec(location.hash);
    const form = document.querySelector("form[data-outbox]");
    if (!match || !form) return;
    const item = await Store.get(match[1]);
    if (!item || item.user !== user) return;
    fill(form, item.data);
    form.dataset.outboxId = item.id;
    if (item.state === "refused") showRefusal(form, item.errors, item.message);
  }

  /* ---- the outbox page ---- */

  function renderList(items) {
    const list = document.querySelector("[data-outbox-list]");
    const row = document.querySelector("template[data-outbox-row]");
    if (!list || !row) return;
    list.replaceChildren();
    const empty = document.querySelector("[data-outbox-empty]");
    if (empty) empty.hidden = items.length > 0;
    const lang = document.documentElement.lang || undefined;
    items.forEach((item) => {
      const node = row.content.firstElementChild.cloneNode(true);
      const slot = (name) => node.querySelector('[data-slot="' + name + '"]');
      node.dataset.state = item.state;
      slot("title").textContent = item.title || item.kind;
      slot("made").textContent = new Date(item.made_at).toLocaleString(lang);
      slot("state").textContent = list.dataset[item.state] || item.state;
      slot("message").textContent = item.message || (item.status === 403 ? text.signIn || "" : "");
      slot("fix").href = item.url + "#outbox=" + item.id;
      slot("discard").addEventListener("click", async () => {
        if (!window.confirm(list.dataset.confirm || "")) return;
        await Store.remove(item.id);
        await refresh();
      });
      list.appendChild(node);
    });
  }

  /* ---- sending ---- */

  let sending = null;
  async function flush() {
    if (!user || !endpoint || !navigator.onLine) return;
    if (!sending) {
      sending = Store.sendAll(user, csrf(), endpoint).finally(() => (sending = null));
    }
    await sending;
    await refresh();
  }

  async function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    try {
      const registration = await navigator.serviceWorker.ready;
      if (registration.sync) await registration.sync.register("shouhu-outbox");
    } catch (error) {
      /* no Background Sync here: the next page load or `online` sends */
    }
  }

  /* ---- the service worker ---- */

  function ask(worker, message) {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => resolve(event.data);
      worker.postMessage(message, [channel.port2]);
    });
  }

  /* This page, and on a page that names pages to keep (the worklist's data-offline-pages)
     those and the pages it links to (each child's visit form). Other pages keep only
     themselves (the service worker keeps a kept page when it is opened). */
  function pagesToKeep(root) {
    const urls = [];
    if (root === document) urls.push(location.href);
    const named = root.querySelectorAll("[data-offline-pages]");
    named.forEach((el) => {
      el.getAttribute("data-offline-pages").split(/\s+/).filter(Boolean).forEach((u) => urls.push(u));
    });
    const links = root === document ? document.querySelector("main") : root;
    if (links && document.querySelector("[data-offline-pages]")) {
      links.querySelectorAll("a[href]").forEach((a) => urls.push(a.href));
    }
    return Array.from(new Set(urls.map((u) => new URL(u, location.href).href)));
  }

  async function keepPages(root) {
    if (!navigator.onLine || !("serviceWorker" in navigator) || !user) return;
    const registration = await navigator.serviceWorker.ready;
    if (!registration.active) return;
    const keep = text.keepPages === "1";
    const urls = keep ? pagesToKeep(root) : [];
    if (root !== document && !urls.length) return;
    await ask(registration.active, { type: "warm", user, keep, urls });
  }

  async function startWorker() {
    if (!("serviceWorker" in navigator) || !text.sw) return;
    await navigator.serviceWorker.register(text.sw, { scope: "/" });
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "outbox-changed") refresh();
      if (event.data && event.data.type === "page-updated") offerNewer(event.data.url);
    });
    await keepPages(document);
    document.documentElement.setAttribute("data-offline-ready", "");
  }

  function onLogout(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-logout")) return;
    const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (worker) worker.postMessage({ type: "logout" });
  }

  async function start() {
    showNotice();
    document.addEventListener("submit", onSubmit);
    document.addEventListener("submit", onCheckOffline, true);
    document.addEventListener("htmx:sendError", onCheckFailed);
    document.addEventListener("submit", onLogout);
    window.addEventListener("online", flush);
    if (user) {
      await Promise.all([
        Store.setMeta("user", user),
        Store.setMeta("csrf", csrf()),
        Store.setMeta("endpoint", endpoint),
      ]);
    }
    await reopen();
    await refresh();
    // Pages the htmx parts bring in (the worklist's round inbox) are kept too.
    document.addEventListener("htmx:load", (event) => {
      if (event.target !== document.body) keepPages(event.target).catch(() => {});
    });
    await Promise.all([flush(), startWorker().catch(() => {})]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
