/* Relief pages, part 1 of 2: the page tools. Optional progressive enhancement: without it
   every stretch still opens (native <details>) and deep links still scroll; the script adds
   Show all / Hide all, the Print button, opening the stretch a #link names, printing
   every stretch open, and the language switcher keeping the open stretch. Part 2, the guided routine, is
   routine.js (a page with routines only); a clinician's plan, plan-view.js (loaded for a plan link only). */
(function () {
  "use strict";

  function allStretches() {
    return Array.prototype.slice.call(document.querySelectorAll("details.stretch"));
  }

  function everyOpen(stretches) {
    return stretches.every(function (details) { return details.open; });
  }

  function setOpen(stretches, open) {
    stretches.forEach(function (details) { details.open = open; });
  }

  /* "Hide all" only while every stretch is open; otherwise "Show all": the page's words, in its language,
     from the button's data-hide and data-show (templates/page.html). */
  function syncToggleAll(button, stretches) {
    var open = everyOpen(stretches);
    button.textContent = button.getAttribute(open ? "data-hide" : "data-show");
    button.setAttribute("aria-expanded", String(open));
  }

  function setUpToggleAll(stretches) {
    var button = document.querySelector("[data-toggle-all]");
    if (!button) return function () {};
    var sync = function () { syncToggleAll(button, stretches); };
    button.addEventListener("click", function () {
      setOpen(stretches, !everyOpen(stretches));
      sync();
    });
    stretches.forEach(function (details) { details.addEventListener("toggle", sync); });
    sync();
    return sync;
  }

  /* Print: CSS shows closed stretches in print where ::details-content is supported; for
     other browsers open them all and restore afterwards. */
  function setUpPrint(stretches, afterRestore) {
    var button = document.querySelector("[data-print]");
    if (button) button.addEventListener("click", function () { window.print(); });
    var openBefore = null;
    window.addEventListener("beforeprint", function () {
      openBefore = stretches.map(function (details) { return details.open; });
      setOpen(stretches, true);
    });
    window.addEventListener("afterprint", function () {
      if (!openBefore) return;
      stretches.forEach(function (details, i) { details.open = openBefore[i]; });
      openBefore = null;
      afterRestore();
    });
  }

  /* The id a fragment names. Any fragment can arrive in a link (#100%, a cut-off %E0%A4%A, a very
     long one): one that is not valid percent-encoding is taken as written, never an error. */
  function fragmentId(hash) {
    var raw = hash.slice(1);
    try { return decodeURIComponent(raw); } catch (error) { return raw; }
  }

  /* page#stretch-id opens that stretch and brings it into view, on load and on hashchange. */
  function openFromHash() {
    var id = fragmentId(location.hash);
    var target = id && document.getElementById(id);
    if (!target) return;
    var details = target.closest("details");
    if (details) details.open = true;
    target.scrollIntoView({ block: "start" });
  }

  /* The language switcher keeps the reader's place: each link to the page in another language carries the
     stretch the reader is on, the one a #link named or the last one opened (its id is the same in every
     language), so the other page opens it. Without this script the links go to the other page's top. */
  function setUpLanguageLinks(stretches) {
    var links = Array.prototype.slice.call(document.querySelectorAll("a[data-language-link]"));
    if (!links.length) return;
    var bare = links.map(function (link) { return link.getAttribute("href").split("#")[0]; });
    var place = fragmentId(location.hash);
    var sync = function () {
      var target = place && document.getElementById(place);
      // a clinician's plan goes along whole: the other language's page shows the same plan in its words
      var plan = location.hash.indexOf("#plan=") === 0 ? location.hash : "";
      links.forEach(function (link, i) {
        link.setAttribute("href", plan ? bare[i] + plan : target ? bare[i] + "#" + encodeURIComponent(place) : bare[i]);
      });
    };
    stretches.forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (details.open) place = details.id;
        else if (place === details.id) place = "";
        sync();
      });
    });
    window.addEventListener("hashchange", function () { place = fragmentId(location.hash); sync(); });
    sync();
  }

  function showTools() {
    var tools = document.querySelector("[data-tools]");
    if (tools) tools.setAttribute("data-ready", "");
  }

  /* The pictures are lazy only until the page has loaded and the browser is idle: then every one
     loads, scrolled to or not, so a print made on a first visit has them all, and none delays the
     first screen or competes with its scripts. */
  function loadEveryPicture() {
    Array.prototype.forEach.call(document.querySelectorAll("img[loading=lazy]"), function (img) {
      img.loading = "eager";
    });
  }

  /* A clinician's plan (a link ending #plan=...): its view is a script of its own (templates/_plan.html
     names it), loaded only for such a link, so the page costs nobody else a byte. A plan pasted into the
     address bar of an open page loads the page again, for that plan. */
  function loadPlan() {
    var data = document.getElementById("plan-data");
    if (!data) return;
    var isPlan = function () { return location.hash.indexOf("#plan=") === 0; };
    window.addEventListener("hashchange", function () { if (isPlan()) location.reload(); });
    if (!isPlan()) return;
    var script = document.createElement("script");
    script.src = data.getAttribute("data-script");
    document.head.append(script);
  }

  function init() {
    loadPlan();
    var stretches = allStretches();
    if (!stretches.length) return;
    var syncToggle = setUpToggleAll(stretches);
    setUpPrint(stretches, syncToggle);
    window.addEventListener("hashchange", openFromHash);
    openFromHash();
    setUpLanguageLinks(stretches);
    showTools();
    var whenIdle = function () { (window.requestIdleCallback || window.setTimeout)(loadEveryPicture); };
    if (document.readyState === "complete") whenIdle();
    else window.addEventListener("load", whenIdle);
  }

  init();
})();
