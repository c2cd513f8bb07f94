/* Relief pages: the plan maker (templates/plan.html), for clinicians. Ticking a stretch adds it to the
   plan (its dose fields open), the order list moves it up or down (buttons, announced in a live region),
   and every change writes the link at once: the chosen page's address with the plan in its fragment
   (plan-view.js's ReliefPlan.encode, the same code that reads it), which the Copy link button copies and
   the QR code holds. Nothing is sent anywhere or kept: the plan is in the link only. */
(function () {
  "use strict";

  var form = document.querySelector("[data-plan-maker]");
  var plans = window.ReliefPlan;
  if (!form || !plans || !window.TextEncoder || !window.Intl || typeof Intl.PluralRules !== "function" ||
      typeof Element.prototype.replaceChildren !== "function") return;

  var word = plans.words(document.querySelector("[data-plan-words]"));
  var order = []; // the chosen .plan-stretch elements, in the plan's order
  var ui = {
    orderList: form.querySelector("[data-plan-order]"),
    empty: form.querySelector("[data-plan-empty]"),
    announce: form.querySelector("[data-plan-announce]"),
    status: form.querySelector("[data-plan-status]"),
    link: form.querySelector("[data-plan-link]"),
    copy: form.querySelector("[data-plan-copy]"),
    open: form.querySelector("[data-plan-open]"),
    copied: form.querySelector("[data-plan-copied]"),
    qr: form.querySelector("[data-plan-qr]"),
    qrFigure: form.querySelector("[data-plan-qr-figure]"),
    name: form.querySelector("[data-plan-name]"),
    note: form.querySelector("[data-plan-note]")
  };

  function pageOf(stretch) { return stretch.closest("[data-plan-page]"); }

  function currentPage() {
    var chosen = form.querySelector("input[name=plan-page]:checked");
    return chosen ? form.querySelector('[data-plan-page="' + chosen.value + '"]') : form.querySelector("[data-plan-page]");
  }

  function title(stretch) { return stretch.querySelector("label[for^=choose-]").textContent.trim(); }

  function chosenHere() {
    var page = currentPage();
    return order.filter(function (stretch) { return pageOf(stretch) === page; });
  }

  function fields(stretch) { return Array.prototype.slice.call(stretch.querySelectorAll("input[type=number]")); }

  function say(text) { ui.announce.textContent = text; }

  /* ---- The order list ---- */

  function moveButton(stretch, step) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary";
    button.textContent = word(step < 0 ? "up" : "down");
    button.setAttribute("aria-label", word(step < 0 ? "up-label" : "down-label", { name: title(stretch) }));
    button.dataset.step = String(step);
    var here = chosenHere();
    var index = here.indexOf(stretch);
    // at an end the button stays where it is (focus is never lost), marked as doing nothing
    if ((step < 0 && index === 0) || (step > 0 && index === here.length - 1)) button.setAttribute("aria-disabled", "true");
    button.addEventListener("click", function () { move(stretch, step); });
    return button;
  }

  function showOrder() {
    var here = chosenHere();
    ui.orderList.replaceChildren.apply(ui.orderList, here.map(function (stretch) {
      var item = document.createElement("li");
      item.dataset.stretch = stretch.dataset.stretch;
      var name = document.createElement("span");
      name.className = "plan-order-name";
      name.textContent = title(stretch);
      var buttons = document.createElement("span");
      buttons.className = "plan-order-buttons";
      buttons.append(moveButton(stretch, -1), moveButton(stretch, 1));
      item.append(name, buttons);
      return item;
    }));
    ui.empty.hidden = here.length > 0;
  }

  function move(stretch, step) {
    var here = chosenHere();
    var from = here.indexOf(stretch);
    var to = from + step;
    if (to < 0 || to >= here.length) return;
    var other = here[to];
    var a = order.indexOf(stretch);
    var b = order.indexOf(other);
    order[a] = other;
    order[b] = stretch;
    showOrder();
    var button = ui.orderList.querySelector('li[data-stretch="' + CSS.escape(stretch.dataset.stretch) + '"] [data-step="' + step + '"]');
    if (button) button.focus();
    say(word("moved", { name: title(stretch), number: to + 1, total: here.length }));
    update();
  }

  /* ---- Choosing ---- */

  function choose(stretch, chosen) {
    fields(stretch).forEach(function (input) { input.disabled = !chosen; });
    stretch.toggleAttribute("data-chosen", chosen);
    var at = order.indexOf(stretch);
    if (chosen && at < 0) order.push(stretch);
    if (!chosen && at >= 0) order.splice(at, 1);
    showOrder();
    var here = chosenHere();
    say(chosen ? word("added", { name: title(stretch), number: here.indexOf(stretch) + 1, total: here.length })
      : word("removed", { name: title(stretch) }));
    update();
  }

  function showPage() {
    var page = currentPage();
    form.querySelectorAll("[data-plan-page]").forEach(function (section) { section.hidden = section !== page; });
    showOrder();
    update();
  }

  /* ---- The link ---- */

  function number(input) { return Number(input.value); }

  function facts(page) { return JSON.parse(page.querySelector("[data-plan-facts]").textContent); }

  function plan(here) {
    return {
      stretches: here.map(function (stretch) {
        var reps = stretch.querySelector("[data-plan-reps]");
        return { id: stretch.dataset.stretch, perDay: number(stretch.querySelector("[data-plan-per-day]")),
          reps: reps ? number(reps) : 1,
          seconds: Array.prototype.map.call(stretch.querySelectorAll("[data-plan-seconds]"), number) };
      }),
      note: ui.note.value.trim(),
      name: ui.name.value.trim()
    };
  }

  function clearLink(message) {
    ui.link.value = "";
    ui.copy.disabled = true;
    ui.open.removeAttribute("href");
    ui.open.hidden = true;
    ui.qrFigure.hidden = true;
    ui.qr.replaceChildren();
    ui.status.textContent = message;
  }

  function update() {
    var page = currentPage();
    var here = chosenHere();
    ui.copied.textContent = "";
    var wrong = here.filter(function (stretch) {
      var bad = fields(stretch).filter(function (input) {
        var invalid = !input.checkValidity() || input.value.trim() === "";
        input.setAttribute("aria-invalid", String(invalid));
        return invalid;
      });
      return bad.length > 0;
    });
    if (!here.length) return clearLink(word("choose"));
    if (wrong.length) return clearLink(word("invalid", { names: wrong.map(title).join(", ") }));
    var pageFacts = facts(page);
    var made = plan(here);
    if (plans.total(plans.segments(made.stretches, pageFacts)) > pageFacts.limits.routine) return clearLink(word("too-long"));
    var url = new URL(page.dataset.pageUrl, location.href);
    url.hash = plans.encode(made, pageFacts);
    ui.link.value = url.href;
    ui.copy.disabled = false;
    ui.open.href = url.href;
    ui.open.hidden = false;
    ui.status.textContent = word("ready", { number: here.length });
    var code = plans.qrCode(url.href);
    ui.qr.replaceChildren();
    if (code) ui.qr.append(plans.qrSvg(code, word("qr-label")));
    else ui.status.textContent += " " + word("no-qr");
    ui.qrFigure.hidden = !code;
  }

  /* navigator.clipboard where the page may use it (https, localhost); else the link is selected in its
     read-only field for the clinician's own Ctrl+C. */
  function copy() {
    var link = ui.link.value;
    if (!link) return;
    var selectIt = function () {
      ui.link.focus();
      ui.link.select();
      ui.copied.textContent = word("select");
    };
    if (!navigator.clipboard || !window.isSecureContext) return selectIt();
    navigator.clipboard.writeText(link).then(function () { ui.copied.textContent = word("copied"); }, selectIt);
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-plan-choose]")) choose(target.closest(".plan-stretch"), target.checked);
    else if (target.name === "plan-page") showPage();
    else update();
  });
  form.addEventListener("input", function (event) { if (!event.target.matches("[data-plan-choose]")) update(); });
  ui.copy.addEventListener("click", copy);
  ui.link.addEventListener("focus", function () { ui.link.select(); });

  // a ticked box the browser kept from an earlier visit (back, reload) counts as chosen, in page order
  form.querySelectorAll("[data-plan-choose]").forEach(function (box) {
    if (box.checked) choose(box.closest(".plan-stretch"), true);
  });
  form.setAttribute("data-ready", "");
  document.querySelector("[data-plan-needs-script]").hidden = true;
  showPage();
  say("");
})();
