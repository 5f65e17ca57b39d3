/* Shouhu forms: nothing typed is lost, no error is missed. No build step, no framework.
 *
 * 1. After a failed save, a summary of the errors at the top of the form (each linking to
 *    its field) and the focus on the first field with an error (the page scrolls to it).
 *    Every form whose fields render through core/_field.html gets it.
 * 2. Fields that become required by another answer carry data-required-when="name=a,b"
 *    (or data-required-with="section": once anything in the section is filled in); their
 *    label shows the required mark before saving. data-asked marks a field that is asked
 *    for but may stay empty. The server enforces the same rules: this only shows them.
 * 3. A pick list (core.forms.PickList: the children at an activity): a search box that shows
 *    only the options holding what is typed, and a button that ticks every option shown.
 *    Nothing asks the server, so it works on the page the phone kept offline; neither
 *    control has a name, so the form (and the outbox, core/outbox.js) sends the same fields.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var TITLE = (script && script.getAttribute("data-summary-title")) || "Please correct:";
  var COLON = document.documentElement.lang.indexOf("zh") === 0 ? "：" : ": ";

  function valueOf(form, name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (el) {
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      values.push(el.type === "checkbox" ? el.value || "on" : el.value);
    });
    return values;
  }

  function sectionStarted(form, section) {
    return Array.prototype.some.call(
      form.querySelectorAll('[data-section="' + section + '"]'),
      function (el) {
        if (el.type === "checkbox" || el.type === "radio") return el.checked;
        var value = (el.value || "").trim();
        return value !== "" && value !== el.getAttribute("data-default");
      }
    );
  }

  function required(form, el) {
    var when = el.getAttribute("data-required-when");
    if (when) {
      var at = when.indexOf("=");
      var wanted = when.slice(at + 1).split(",");
      return valueOf(form, when.slice(0, at)).some(function (v) {
        return wanted.indexOf(v) >= 0;
      });
    }
    return sectionStarted(form, el.getAttribute("data-required-with"));
  }

  function refresh(form) {
    form.querySelectorAll("[data-required-when],[data-required-with]").forEach(function (el) {
      var field = el.closest(".field");
      if (!field) return;
      var on = required(form, el);
      if (el.hasAttribute("data-asked")) {
        field.classList.toggle("is-asked", on);
      } else {
        field.classList.toggle("is-required", on);
        el.setAttribute("aria-required", on ? "true" : "false");
      }
    });
  }

  function labelText(field) {
    var label = field.querySelector("label");
    return label ? label.textContent.replace(/\s*\*\s*$/, "").trim() : "";
  }

  function firstControl(field) {
    return field.querySelector("input:not([type=hidden]), select, textarea");
  }

  /* The summary of the errors at the top of `form`: each field marked .has-error (linking
   * to it), then the general messages (the form's own, or `options.general`). outbox.js
   * shows the server's refusal of a queued record with it (options: title, testid, marker,
   * general). */
  function summarise(form, options) {
    options = options || {};
    var marker = options.marker || "data-error-summary";
    if (form.querySelector("[" + marker + "]")) return;
    var fields = form.querySelectorAll(".field.has-error");
    var general = options.general || Array.prototype.map.call(
      form.querySelectorAll('[data-testid="form-error"] li'),
      function (li) { return li.textContent; }
    );
    if (!fields.length && !general.length) return;
    var box = document.createElement("div");
    box.className = "error-summary card";
    box.setAttribute(marker, "");
    box.setAttribute("data-testid", options.testid || "summary-of-errors");
    box.setAttribute("role", "alert");
    box.setAttribute("tabindex", "-1");
    var title = document.createElement("strong");
    title.textContent = options.title || TITLE;
    box.appendChild(title);
    var list = document.createElement("ul");
    general.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
    fields.forEach(function (field) {
      var control = firstControl(field);
      var message = field.querySelector(".errorlist li");
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = control && control.id ? "#" + control.id : "#";
      var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
      var where = legend ? legend.textContent.trim() + " · " : "";
      link.textContent = where + labelText(field) + (message ? COLON + message.textContent : "");
      link.addEventListener("click", function (event) {
        if (!control) return;
        event.preventDefault();
        control.focus();
      });
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(list);
    form.insertBefore(box, form.firstElementChild && form.firstElementChild.nextSibling);
    var first = fields.length ? firstControl(fields[0]) : null;
    (first || box).focus();
  }
  window.ShouhuForms = { summarise: summarise };

  function setUpPickList(list) {
    if (list.hasAttribute("data-pick-ready")) return;
    list.setAttribute("data-pick-ready", "");
    var search = list.querySelector("[data-pick-search]");
    var none = list.querySelector("[data-pick-none]");
    var boxes = list.querySelectorAll("input[type=checkbox][data-search]");
    // The option's own <div> (the widget wraps each label and its box in one).
    var row = function (box) { return box.closest("div"); };
    list.querySelector("[data-pick-tools]").hidden = false;
    search.addEventListener("input", function () {
      var wanted = search.value.trim().toLowerCase();
      var shown = 0;
      boxes.forEach(function (box) {
        var match = box.getAttribute("data-search").indexOf(wanted) >= 0;
        row(box).hidden = !match;
        if (match) shown += 1;
      });
      none.hidden = shown > 0;
    });
    // Enter in the search box finds; it does not send the form half filled in.
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    list.querySelector("[data-pick-all]").addEventListener("click", function () {
      boxes.forEach(function (box) {
        if (!row(box).hidden && !box.disabled) box.checked = true;
      });
      list.dispatchEvent(new Event("change", { bubbles: true })); // required marks
    });
  }

  function setUp(root) {
    var forms = root.tagName === "FORM" ? [root] : root.querySelectorAll("form");
    forms.forEach(function (form) {
      if (form.hasAttribute("data-forms-ready")) return;
      form.setAttribute("data-forms-ready", "");
      refresh(form);
      form.addEventListener("input", function () { refresh(form); });
      form.addEventListener("change", function () { refresh(form); });
      summarise(form);
      form.querySelectorAll("[data-pick-list]").forEach(setUpPickList);
    });
  }

  function start() { setUp(document); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  // Forms swapped in by htmx get the same treatment.
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
})();
