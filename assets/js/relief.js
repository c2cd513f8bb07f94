/* Relief pages: optional progressive enhancement. The page works fully without it. */
(function () {
  "use strict";

  var stretches = Array.prototype.slice.call(document.querySelectorAll("details.stretch"));
  if (!stretches.length) return;

  /* Show all / Hide all: says "Hide all" only while every stretch is open. */
  var toggle = document.querySelector("[data-toggle-all]");
  function allOpen() {
    return stretches.every(function (d) { return d.open; });
  }
  function syncToggle() {
    if (toggle) toggle.textContent = allOpen() ? "Hide all" : "Show all";
  }
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = !allOpen();
      stretches.forEach(function (d) { d.open = open; });
      syncToggle();
    });
  }
  stretches.forEach(function (d) { d.addEventListener("toggle", syncToggle); });

  /* Print: open every stretch (and load its picture), then restore what was open. */
  var printButton = document.querySelector("[data-print]");
  if (printButton) printButton.addEventListener("click", function () { window.print(); });
  var openBeforePrint = null;
  window.addEventListener("beforeprint", function () {
    openBeforePrint = stretches.map(function (d) { return d.open; });
    stretches.forEach(function (d) {
      d.open = true;
      var img = d.querySelector("img[loading=lazy]");
      if (img) img.loading = "eager";
    });
  });
  window.addEventListener("afterprint", function () {
    if (!openBeforePrint) return;
    stretches.forEach(function (d, i) { d.open = openBeforePrint[i]; });
    openBeforePrint = null;
    syncToggle();
  });

  /* Deep links: #stretch-id opens that stretch and scrolls to it, on load and on hashchange. */
  function openFromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var target = document.getElementById(id);
    if (!target) return;
    var details = target.closest("details");
    if (details && !details.open) details.open = true;
    target.scrollIntoView({ block: "start" });
  }
  window.addEventListener("hashchange", openFromHash);
  openFromHash();

  var tools = document.querySelector("[data-tools]");
  if (tools) tools.hidden = false;
  syncToggle();
})();
