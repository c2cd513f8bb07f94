/* Relief pages: optional progressive enhancement. Without it every stretch still opens
   (native <details>) and deep links still scroll; the script adds Show all / Hide all,
   the Print button, opening the stretch a #link names, and printing every stretch open. */
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

  /* "Hide all" only while every stretch is open; otherwise "Show all". */
  function syncToggleAll(button, stretches) {
    var open = everyOpen(stretches);
    button.textContent = open ? "Hide all" : "Show all";
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
     other browsers open them all (pictures loaded now, not lazily) and restore afterwards. */
  function setUpPrint(stretches, afterRestore) {
    var button = document.querySelector("[data-print]");
    if (button) button.addEventListener("click", function () { window.print(); });
    var openBefore = null;
    window.addEventListener("beforeprint", function () {
      openBefore = stretches.map(function (details) { return details.open; });
      stretches.forEach(function (details) {
        var img = details.querySelector("img[loading=lazy]");
        if (img) img.loading = "eager";
      });
      setOpen(stretches, true);
    });
    window.addEventListener("afterprint", function () {
      if (!openBefore) return;
      stretches.forEach(function (details, i) { details.open = openBefore[i]; });
      openBefore = null;
      afterRestore();
    });
  }

  /* page#stretch-id opens that stretch and brings it into view, on load and on hashchange. */
  function openFromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var details = target.closest("details");
    if (details) details.open = true;
    target.scrollIntoView({ block: "start" });
  }

  function showTools() {
    var tools = document.querySelector("[data-tools]");
    if (tools) tools.setAttribute("data-ready", "");
  }

  function init() {
    var stretches = allStretches();
    if (!stretches.length) return;
    var syncToggle = setUpToggleAll(stretches);
    setUpPrint(stretches, syncToggle);
    window.addEventListener("hashchange", openFromHash);
    openFromHash();
    showTools();
  }

  init();
})();

/* Guided routine (issue 8) ------------------------------------------------------------
   Per group a "Start routine" button that walks through the group's routine stretches in
   a modal dialog: picture and steps large, each hold counted down per repetition (or the
   whole duration), moving on by itself, then offering the group's extra stretch. The
   timing is read from the data attributes every <details class="stretch"> carries
   (data-duration, data-hold, data-reps, data-extra), so the front matter stays the one
   source. Without scripting the buttons never exist and the page works as before.
   Nothing leaves the device: a finished routine is remembered in localStorage only. */
(function () {
  "use strict";

  var run = null; // the routine in progress: see startRoutine()
  var ui = null; // the dialog's parts, built on first use so no hidden controls sit in the page
  var wakeLock = null; // a promise of the Screen Wake Lock sentinel while one is wanted
  var audio = null; // one AudioContext, made on the first beep

  var DIALOG =
    '<p class="routine-where"><span data-part="group" id="routine-group"></span>' +
    ' <span data-part="position"></span></p>' +
    '<h2 data-part="title"></h2>' +
    '<p class="routine-dose" data-part="dose"></p>' +
    '<div data-part="timer"><p class="routine-clock"><span class="routine-seconds" data-part="seconds"></span> ' +
    '<span data-part="unit"></span></p><p class="routine-rep" data-part="rep"></p></div>' +
    '<div class="routine-end" data-part="end"></div>' +
    '<div class="routine-controls">' +
    '<button type="button" class="button button-secondary" data-part="back">Back</button>' +
    '<button type="button" class="button" data-part="pause">Pause</button>' +
    '<button type="button" class="button button-secondary" data-part="next">Next</button>' +
    '<button type="button" class="button button-secondary" data-part="stop">Stop</button></div>' +
    '<div class="routine-step" data-part="step"></div>' +
    '<p class="routine-sound"><label><input type="checkbox" data-part="sound"> Beep and vibrate at each change' +
    '</label></p>' +
    '<p class="routine-live" aria-live="polite" data-part="live"></p>';

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    node.textContent = text;
    return node;
  }

  function button(text, className, onClick) {
    var node = element("button", className, text);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  /* The routine of a group: its non-extra stretches in page order, each one countdown of
     its hold repeated `reps` times, or one countdown of its whole duration. */
  function routineSteps(group) {
    return Array.prototype.map.call(group.querySelectorAll("details.stretch:not([data-extra])"), function (details) {
      var hold = Number(details.dataset.hold) || 0;
      return {
        details: details,
        seconds: hold || Number(details.dataset.duration),
        reps: hold ? Number(details.dataset.reps) || 1 : 1
      };
    });
  }

  function stretchName(details) {
    return details.querySelector(".stretch-name").textContent.trim();
  }

  function announce(text) {
    ui.live.textContent = text;
  }

  /* ---- Done today: one date per group in localStorage, this device only ---- */

  function doneKey(group) {
    return "relief-done:" + group.closest("[data-page]").dataset.page + ":" + group.dataset.group;
  }

  /* Storage throws where the browser blocks it (some privacy modes): then there is no mark. */
  function readDone(group) {
    try { return localStorage.getItem(doneKey(group)); } catch (error) { return null; }
  }

  function writeDone(group, day) {
    try {
      if (day) localStorage.setItem(doneKey(group), day); else localStorage.removeItem(doneKey(group));
    } catch (error) { /* not remembered: the routine itself still worked */ }
  }

  function showDone(group) {
    var slot = group.querySelector("[data-routine-start]");
    var old = slot.querySelector(".routine-done");
    if (old) old.remove();
    if (readDone(group) !== new Date().toDateString()) return;
    var mark = element("p", "routine-done", "Done today ");
    var clear = button("Clear", "button button-secondary", function () {
      writeDone(group, null);
      showDone(group);
      slot.querySelector("button").focus(); // the Clear button is gone: keep focus nearby
    });
    clear.setAttribute("aria-label", "Clear done today");
    mark.append(clear);
    slot.append(mark);
  }

  /* ---- Screen Wake Lock, sound and vibration: all optional, all local ---- */

  /* The lock is wanted only while a countdown runs. A refusal (battery saver, hidden page)
     is fine: the routine works without it. */
  function holdScreen() {
    if (wakeLock || !navigator.wakeLock) return;
    wakeLock = navigator.wakeLock.request("screen").catch(function () { return null; });
  }

  function releaseScreen() {
    if (wakeLock) wakeLock.then(function (lock) { if (lock) lock.release(); });
    wakeLock = null;
  }

  /* Browsers drop the lock whenever the page is hidden; take it again on return. */
  function onVisibilityChange() {
    if (document.visibilityState !== "visible" || !run || run.paused || run.finished) return;
    releaseScreen();
    holdScreen();
  }

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    audio = audio || new Context();
    var tone = audio.createOscillator();
    var volume = audio.createGain();
    tone.frequency.value = 880;
    volume.gain.value = 0.15;
    tone.connect(volume).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.15);
  }

  /* The optional cue at each change: off unless the checkbox is ticked. */
  function signal() {
    if (!ui.sound.checked) return;
    if (navigator.vibrate) navigator.vibrate(150);
    beep();
  }

  /* ---- The countdown ---- */

  /* The deadline is a clock time, not a count of ticks, so a slow or throttled tab cannot
     stretch a hold; each tick wakes at the next whole second. */
  function countFrom(ms) {
    run.deadline = Date.now() + ms;
    tick();
  }

  function tick() {
    clearTimeout(run.timer);
    var ms = run.deadline - Date.now();
    var left = Math.ceil(ms / 1000);
    if (left <= 0) return moveOn();
    showSeconds(left);
    // The last seconds, spoken once each, unless the whole countdown is that short.
    if (left <= 3 && left < run.steps[run.index].seconds && left !== run.spoken) {
      run.spoken = left;
      announce(String(left));
    }
    run.timer = setTimeout(tick, ms - (left - 1) * 1000);
  }

  function showSeconds(left) {
    ui.seconds.textContent = String(left);
    ui.unit.textContent = left === 1 ? "second" : "seconds";
    ui.seconds.toggleAttribute("data-ending", left <= 3);
  }

  /* One countdown ended: the next repetition of this stretch, or the next stretch. */
  function moveOn() {
    if (run.rep + 1 < run.steps[run.index].reps) {
      run.rep += 1;
      beginCountdown("Repetition " + (run.rep + 1) + " of " + run.steps[run.index].reps + ".");
    } else {
      goTo(run.index + 1);
    }
  }

  function beginCountdown(announcement) {
    var step = run.steps[run.index];
    run.spoken = 0;
    ui.rep.textContent = step.reps > 1 ? "Repetition " + (run.rep + 1) + " of " + step.reps : "";
    announce(announcement);
    signal();
    if (run.paused) {
      run.left = step.seconds * 1000; // a move while paused waits, with the full time, for Resume
      showSeconds(step.seconds);
    } else {
      countFrom(step.seconds * 1000);
    }
  }

  /* ---- Moving through the routine ---- */

  function goTo(index) {
    clearTimeout(run.timer);
    if (index >= run.steps.length) return finish();
    run.index = Math.max(0, index);
    run.rep = 0;
    var step = run.steps[run.index];
    var name = stretchName(step.details);
    var dose = step.details.querySelector(".dose");
    var position = "Stretch " + (run.index + 1) + " of " + run.steps.length;
    ui.position.textContent = position;
    ui.title.textContent = name;
    ui.dose.textContent = dose ? dose.textContent.trim() : "";
    showStretch(step.details);
    beginCountdown(position + ": " + name + ". " + (dose ? ui.dose.textContent : step.seconds + " seconds") + ".");
  }

  /* The stretch's own picture and steps, copied from the page so they are written once. */
  function showStretch(details) {
    ui.step.replaceChildren();
    var picture = details.querySelector(".stretch-body img");
    if (picture) {
      picture = picture.cloneNode(true);
      picture.loading = "eager";
      ui.step.append(picture);
    }
    ui.step.append(details.querySelector(".how").cloneNode(true));
  }

  function setPaused(paused) {
    if (run.finished) return;
    run.paused = paused;
    ui.pause.textContent = paused ? "Resume" : "Pause";
    if (paused) {
      clearTimeout(run.timer);
      run.left = run.deadline - Date.now();
      ui.seconds.removeAttribute("data-ending"); // a pulse would say it is still counting
      releaseScreen();
    } else {
      holdScreen();
      countFrom(run.left);
    }
    announce(paused ? "Paused." : "Resumed.");
  }

  function setFinished(finished) {
    run.finished = finished;
    [ui.timer, ui.step, ui.back, ui.pause, ui.next].forEach(function (part) { part.hidden = finished; });
    ui.end.hidden = !finished;
    ui.stop.textContent = finished ? "Close" : "Stop";
  }

  /* After the last stretch: mark the group done today and offer its extra stretches. */
  function finish() {
    var group = run.group;
    var extras = group.querySelectorAll("details.stretch[data-extra]");
    var heading = group.querySelector(".extra h3");
    setFinished(true);
    releaseScreen();
    writeDone(group, new Date().toDateString());
    showDone(group);
    ui.position.textContent = "";
    ui.title.textContent = "Routine done";
    ui.dose.textContent = "";
    ui.end.replaceChildren(element("p", "", "All " + run.steps.length + " stretches done. Marked as done today."));
    var spoken = "Routine done.";
    if (extras.length && heading) {
      ui.end.append(element("h3", "", heading.textContent.trim()));
      spoken += " " + heading.textContent.trim() + ": ";
      Array.prototype.forEach.call(extras, function (details) {
        ui.end.append(button("Show: " + stretchName(details), "button", function () { showExtra(details); }));
        spoken += stretchName(details) + ". ";
      });
    }
    announce(spoken.trim());
    signal();
    (ui.end.querySelector("button") || ui.stop).focus();
  }

  /* Leave the routine for the extra stretch on the page, open, with focus on it. */
  function showExtra(details) {
    details.open = true;
    run.returnTo = details.querySelector("summary");
    ui.dialog.close();
  }

  /* Every way out (Stop, Close, Esc) closes the dialog; this cleans up after any of them. */
  function onClose() {
    if (!run) return;
    clearTimeout(run.timer);
    releaseScreen();
    var target = run.returnTo;
    run = null;
    target.focus();
  }

  /* Space pauses unless a control has focus (then it presses that control, as anywhere);
     focus starts on Pause, so Space pauses there too. Arrows move between stretches. */
  function onKey(event) {
    if (!run || run.finished || event.altKey || event.ctrlKey || event.metaKey) return;
    var onControl = event.target.closest("button, input, a");
    if (event.key === " " && !onControl) setPaused(!run.paused);
    else if (event.key === "ArrowRight") goTo(run.index + 1);
    else if (event.key === "ArrowLeft") goTo(run.index - 1);
    else return;
    event.preventDefault();
  }

  function buildDialog() {
    var dialog = document.createElement("dialog");
    dialog.className = "routine";
    dialog.setAttribute("aria-labelledby", "routine-group");
    dialog.innerHTML = DIALOG;
    var parts = { dialog: dialog };
    Array.prototype.forEach.call(dialog.querySelectorAll("[data-part]"), function (part) {
      parts[part.dataset.part] = part;
    });
    parts.back.addEventListener("click", function () { goTo(run.index - 1); });
    parts.next.addEventListener("click", function () { goTo(run.index + 1); });
    parts.pause.addEventListener("click", function () { setPaused(!run.paused); });
    parts.stop.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", onClose);
    document.body.append(dialog);
    return parts;
  }

  function startRoutine(group, startButton) {
    ui = ui || buildDialog();
    run = { group: group, steps: routineSteps(group), index: 0, rep: 0, paused: false, returnTo: startButton };
    setFinished(false);
    ui.pause.textContent = "Pause";
    ui.group.textContent = "Routine: " + group.querySelector("h2").textContent.trim().replace(/\s+/g, " ");
    ui.dialog.showModal();
    ui.pause.focus();
    holdScreen();
    goTo(0);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-routine-start]"), function (slot) {
      var group = slot.closest("[data-group]");
      var start = button("Start routine", "button", function () { startRoutine(group, start); });
      start.setAttribute("aria-describedby", group.getAttribute("aria-labelledby"));
      slot.append(start);
      showDone(group);
    });
    document.addEventListener("keydown", onKey);
    document.addEventListener("visibilitychange", onVisibilityChange);
  }

  init();
})();
