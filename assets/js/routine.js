/* Relief pages, part 2 of 2: the guided routine. Per group a "Start routine" button opens a
   full-screen dialog that runs the group's plan: the countdowns the build worked out (time to
   get into position, each hold, the rests, the moves to the next position or side), exactly
   those whose sum is the group's "takes N minutes" (relief/load/routine.py). It speaks each
   step where the device has a voice for the page's language (beeps and vibration otherwise),
   can keep the screen awake, and remembers the days a group was done, on this device only.
   The dialog and every word come from the page's <template id="routine-template">; a browser
   that cannot run it all never gets a button. */
(function () {
  "use strict";

  var template = document.getElementById("routine-template");

  function supported() {
    return Boolean(template && template.content && window.HTMLDialogElement &&
      typeof HTMLDialogElement.prototype.showModal === "function" &&
      typeof Element.prototype.replaceChildren === "function" &&
      typeof Element.prototype.toggleAttribute === "function" && window.JSON && window.Promise &&
      window.Intl && typeof Intl.PluralRules === "function");
  }

  /* Storage throws where the browser blocks it (some privacy modes): then nothing is remembered. */
  var saved = {
    get: function (key) { try { return localStorage.getItem(key); } catch (error) { return null; } },
    set: function (key, value) {
      try {
        if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value);
      } catch (error) { /* not remembered: the routine itself still works */ }
    }
  };

  /* The words of the template, in the page's language, a {name} or {number} in them filled in (numbers
     written as the language writes them). A word with data-forms has a form per plural category (CLDR's,
     from the page's catalog): the one for the count its data-count names is chosen by Intl.PluralRules. */
  class Words {
    constructor(root) {
      var language = document.documentElement.lang || "en";
      this.text = {};
      this.forms = {};
      this.count = {};
      this.plural = new Intl.PluralRules(language);
      // Latin digits, as Babel writes the build's numbers (relief/render/templates.py), so the two never differ
      this.numbers = new Intl.NumberFormat(language, { numberingSystem: "latn" });
      root.querySelectorAll("[data-word]").forEach((node) => {
        var key = node.dataset.word;
        this.text[key] = node.textContent;
        if (node.dataset.forms) {
          this.forms[key] = JSON.parse(node.dataset.forms);
          this.count[key] = node.dataset.count;
        }
      });
    }

    get(key, fill) {
      var text = this.text[key] || "";
      var forms = this.forms[key];
      if (forms && fill && typeof fill[this.count[key]] === "number") {
        text = forms[this.plural.select(fill[this.count[key]])] || forms.other || text;
      }
      return text.replace(/\{(\w+)\}/g, (all, name) => {
        if (!fill || !(name in fill)) return all;
        return typeof fill[name] === "number" ? this.number(fill[name]) : fill[name];
      });
    }

    number(value) { return this.numbers.format(value); }
  }

  /* The Web Speech API in the page's language, on unless the patient turned it off. "Where no voice
     exists" is a browser without the API or without a voice for this language. */
  class Voice {
    constructor() {
      this.language = (document.documentElement.lang || "en").toLowerCase();
      this.synth = window.speechSynthesis && window.SpeechSynthesisUtterance ? window.speechSynthesis : null;
      this.choice = null;
      this.onchange = function () {};
      if (this.synth) {
        this.findVoice();
        if (this.synth.addEventListener) this.synth.addEventListener("voiceschanged", () => this.findVoice());
      }
    }

    findVoice() {
      var primary = this.language.split("-")[0];
      var voices = this.synth.getVoices() || [];
      var matches = function (voice) { return (voice.lang || "").toLowerCase().replace("_", "-"); };
      this.choice = voices.find((v) => matches(v) === this.language) ||
        voices.find((v) => matches(v).split("-")[0] === primary) || null;
      this.onchange();
    }

    get exists() { return Boolean(this.choice); }

    get wanted() { return saved.get("relief-voice") !== "off"; }

    set wanted(on) { saved.set("relief-voice", on ? null : "off"); }

    get on() { return this.exists && this.wanted; }

    /* A new step cuts off what is still being said, so the voice is never behind the clock; a count
       waits for nothing and is left out while something else is still being said. */
    say(text, count) {
      if (!this.on || !text) return;
      if (count && (this.synth.speaking || this.synth.pending)) return;
      if (!count) this.synth.cancel();
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = document.documentElement.lang || "en";
      utterance.voice = this.choice;
      this.synth.speak(utterance);
    }

    hush() { if (this.synth) this.synth.cancel(); }
  }

  /* ---- The days a group was done: local dates in localStorage, this device only ---- */

  function day(date) {
    return date.getFullYear() + "-" + String(date.getMonth() + 1).padStart(2, "0") + "-" +
      String(date.getDate()).padStart(2, "0");
  }

  function lastWeek() {
    var days = [];
    for (var back = 6; back >= 0; back -= 1) {
      var date = new Date();
      date.setHours(12, 0, 0, 0); // midday: a change of clocks never skips or repeats a day
      date.setDate(date.getDate() - back);
      days.push(date);
    }
    return days;
  }

  class Days {
    constructor(group) {
      this.key = "relief-done:" + group.closest("[data-page]").dataset.page + ":" + group.dataset.group;
    }

    /* Older pages kept one date (Date.toDateString()); read that as a list of one. */
    read() {
      var value = saved.get(this.key);
      if (!value) return [];
      try {
        var list = JSON.parse(value);
        return Array.isArray(list) ? list.filter((d) => typeof d === "string") : [];
      } catch (error) {
        var old = new Date(value);
        return isNaN(old) ? [] : [day(old)];
      }
    }

    /* Only the last seven days are kept: nothing older is ever shown. */
    write(days) {
      var recent = lastWeek().map(day);
      var kept = days.filter((d, i) => recent.indexOf(d) >= 0 && days.indexOf(d) === i).sort();
      saved.set(this.key, kept.length ? JSON.stringify(kept) : null);
    }

    get today() { return this.read().indexOf(day(new Date())) >= 0; }

    mark() { this.write(this.read().concat(day(new Date()))); }

    clearToday() { this.write(this.read().filter((d) => d !== day(new Date()))); }
  }

  /* ---- The routine ---- */

  class Routine {
    constructor(words, voice) {
      this.words = words;
      this.voice = voice;
      this.ui = null; // the dialog's parts, made on first use so no hidden controls sit in the page
      this.run = null; // the routine in progress: see start()
      this.wakeLock = null; // a promise of the Screen Wake Lock sentinel while one is wanted
      this.audio = null; // one AudioContext, made on the first beep
      voice.onchange = () => this.showVoiceOption();
      document.addEventListener("keydown", (event) => this.onKey(event));
      document.addEventListener("visibilitychange", () => this.onVisibilityChange());
    }

    /* The dialog, copied from the template; its parts by data-part. */
    build() {
      var dialog = template.content.querySelector("dialog").cloneNode(true);
      var ui = { dialog: dialog };
      dialog.querySelectorAll("[data-part]").forEach((part) => { ui[part.dataset.part] = part; });
      ui.back.addEventListener("click", () => this.goToStretch(-1));
      ui.next.addEventListener("click", () => this.goToStretch(1));
      ui.pause.addEventListener("click", () => this.setPaused(!this.run.paused));
      ui.stop.addEventListener("click", () => dialog.close());
      ui.voice.addEventListener("change", () => {
        this.voice.wanted = ui.voice.checked;
        if (!ui.voice.checked) this.voice.hush();
      });
      ui.sound.addEventListener("change", () => saved.set("relief-sound", ui.sound.checked ? "on" : "off"));
      dialog.addEventListener("close", () => this.onClose());
      document.body.append(dialog);
      return ui;
    }

    showVoiceOption() {
      if (!this.ui) return;
      this.ui["voice-option"].hidden = !this.voice.exists;
      this.ui.voice.checked = this.voice.wanted;
      // beeps and vibration are the fallback: on by default where there is no voice
      var sound = saved.get("relief-sound");
      this.ui.sound.checked = sound ? sound === "on" : !this.voice.exists;
    }

    start(slot) {
      var group = slot.group;
      this.ui = this.ui || this.build();
      var plan = JSON.parse(group.querySelector("[data-routine-plan]").textContent);
      var stretches = plan.filter((segment) => segment.kind === "ready").map((segment) => segment.stretch);
      this.run = { group: group, slot: slot, plan: plan, stretches: stretches, index: 0, paused: false,
        finished: false, returnTo: slot.start, timer: 0, deadline: 0, left: 0, counted: 0 };
      this.showVoiceOption();
      this.setFinished(false);
      this.ui.pause.textContent = this.words.get("pause");
      this.ui.group.textContent = this.words.get("group", {
        name: group.querySelector("h2").textContent.trim().replace(/\s+/g, " ") });
      this.ui.dialog.showModal();
      this.ui.pause.focus();
      this.holdScreen();
      this.enter(0);
    }

    details(id) { return document.getElementById(id); }

    name(details) { return details.querySelector(".stretch-name").textContent.trim(); }

    /* ---- One segment of the plan ---- */

    enter(index) {
      var run = this.run;
      clearTimeout(run.timer);
      if (index >= run.plan.length) return this.finish();
      run.index = Math.max(0, index);
      run.counted = 0;
      var segment = run.plan[run.index];
      var details = this.details(segment.stretch);
      if (segment.kind === "ready") this.showStretch(details);
      var line = this.line(segment, details);
      this.ui.say.textContent = line.shown;
      this.ui.rep.textContent = this.detail(segment);
      this.announce(line.said);
      this.signal();
      if (run.paused) {
        run.left = segment.seconds * 1000; // a move while paused waits, with the full time, for Resume
        this.showSeconds(segment.seconds);
      } else {
        this.countFrom(segment.seconds * 1000);
      }
    }

    /* What a segment shows and says as it begins. */
    line(segment, details) {
      var words = this.words;
      if (segment.kind === "ready") {
        var first = this.run.stretches.indexOf(segment.stretch) === 0;
        var name = words.get(first ? "first" : "next", { name: this.name(details) });
        var position = segment.changed && segment.posture ? words.get(segment.posture) : "";
        var side = segment.side ? words.get("right-first") : "";
        var step = details.querySelector(".how li");
        step = step ? step.textContent.trim() : "";
        // "Lie on your back." is not said twice when the first step begins with it
        var again = position && startsWith(step, position.replace(/[.!]+$/, ""));
        return { shown: [position, side].filter(Boolean).join(" ") || words.get("get-ready"),
          said: [name, again ? "" : position, side, step].filter(Boolean).join(" ") };
      }
      var text = segment.kind === "change" ? segment.cue : words.get(segment.kind);
      return { shown: text, said: text };
    }

    /* The small line under the countdown: the position, the repetition and the side. */
    detail(segment) {
      var words = this.words;
      var parts = [];
      if (segment.kind === "ready") parts.push(words.get("next-up"));
      if (segment.name && segment.kind !== "change") parts.push(segment.name);
      if (segment.reps > 1 && segment.kind !== "ready") {
        parts.push(words.get(segment.kind === "rest" ? "then" : "rep", { number: segment.rep, total: segment.reps }));
      }
      if (segment.side && segment.kind !== "ready") parts.push(words.get(segment.side + "-side"));
      return parts.join(" · ");
    }

    /* The stretch's own picture and steps, copied from the page so they are written once. */
    showStretch(details) {
      var ui = this.ui;
      var number = this.run.stretches.indexOf(details.id) + 1;
      var dose = details.querySelector(".dose");
      ui.counter.textContent = this.words.get("counter", { number: number, total: this.run.stretches.length });
      ui.title.textContent = this.name(details);
      ui.dose.textContent = dose ? dose.textContent.trim() : "";
      ui.picture.replaceChildren();
      var picture = details.querySelector(".stretch-body img");
      if (picture) {
        picture = picture.cloneNode(true);
        picture.loading = "eager";
        if (picture.srcset) picture.sizes = "100vw";  /* the routine shows it across the screen */
        ui.picture.append(picture);
      }
      ui.how.replaceChildren(details.querySelector(".how").cloneNode(true));
    }

    /* ---- The countdown ---- */

    /* The deadline is a clock time, not a count of ticks, so a slow or throttled tab cannot
       stretch a hold; each tick wakes at the next whole second. */
    countFrom(ms) {
      this.run.deadline = Date.now() + ms;
      this.tick();
    }

    tick() {
      var run = this.run;
      clearTimeout(run.timer);
      var ms = run.deadline - Date.now();
      var left = Math.ceil(ms / 1000);
      if (left <= 0) return this.enter(run.index + 1);
      this.showSeconds(left);
      // The last three seconds, said once each, unless the whole countdown is that short.
      if (left <= 3 && run.plan[run.index].seconds > 3 && left !== run.counted) {
        run.counted = left;
        this.announce(this.words.number(left), true);
      }
      run.timer = setTimeout(() => this.tick(), ms - (left - 1) * 1000);
    }

    showSeconds(left) {
      this.ui.seconds.textContent = this.words.number(left);
      this.ui.unit.textContent = this.words.get("seconds", { number: left });
      this.ui.seconds.toggleAttribute("data-ending", left <= 3);
    }

    announce(text, count) {
      this.ui.live.textContent = text;
      this.voice.say(text, count);
    }

    /* ---- Moving through the routine ---- */

    /* Next and Back go to the start of the next or the previous stretch (Back on the first starts it again). */
    goToStretch(step) {
      var run = this.run;
      var current = run.stretches.indexOf(run.plan[run.index].stretch);
      var target = current + step;
      if (target >= run.stretches.length) return this.enter(run.plan.length);
      var id = run.stretches[Math.max(0, target)];
      this.enter(run.plan.findIndex((segment) => segment.kind === "ready" && segment.stretch === id));
    }

    setPaused(paused) {
      var run = this.run;
      if (run.finished) return;
      run.paused = paused;
      this.ui.pause.textContent = this.words.get(paused ? "resume" : "pause");
      if (paused) {
        clearTimeout(run.timer);
        run.left = run.deadline - Date.now();
        this.ui.seconds.removeAttribute("data-ending"); // a pulse would say it is still counting
        this.releaseScreen();
      } else {
        this.holdScreen();
        this.countFrom(run.left);
      }
      this.announce(this.words.get(paused ? "paused" : "resumed"));
    }

    setFinished(finished) {
      var ui = this.ui;
      this.run.finished = finished;
      [ui.timer, ui.picture, ui.how, ui.back, ui.pause, ui.next].forEach((part) => { part.hidden = finished; });
      ui.end.hidden = !finished;
      ui.stop.textContent = this.words.get(finished ? "close" : "stop");
    }

    /* After the last stretch: mark the group done today and offer its extra stretches. */
    finish() {
      var run = this.run;
      var ui = this.ui;
      var extras = run.group.querySelectorAll("details.stretch[data-extra]");
      var heading = run.group.querySelector(".extra h3");
      this.setFinished(true);
      this.releaseScreen();
      run.slot.days.mark();
      run.slot.show();
      ui.counter.textContent = "";
      ui.title.textContent = this.words.get("done");
      ui.dose.textContent = "";
      ui.end.replaceChildren(element("p", "", this.words.get("all-done", { total: run.stretches.length })));
      var said = this.words.get("well-done");
      if (extras.length && heading) {
        ui.end.append(element("h3", "", heading.textContent.trim()));
        said += " " + heading.textContent.trim() + ": ";
        extras.forEach((details) => {
          ui.end.append(button(this.words.get("show", { name: this.name(details) }), "button",
            () => this.showExtra(details)));
          said += this.name(details) + ". ";
        });
      }
      this.announce(said.trim());
      this.signal();
      (ui.end.querySelector("button") || ui.stop).focus();
    }

    /* Leave the routine for the extra stretch on the page, open, with focus on it. */
    showExtra(details) {
      details.open = true;
      this.run.returnTo = details.querySelector("summary");
      this.ui.dialog.close();
    }

    /* Every way out (Stop, Close, Esc) closes the dialog; this cleans up after any of them. */
    onClose() {
      var run = this.run;
      if (!run) return;
      clearTimeout(run.timer);
      this.releaseScreen();
      this.voice.hush();
      this.run = null;
      run.returnTo.focus();
    }

    /* Space pauses unless a control has focus (then it presses that control, as anywhere);
       focus starts on Pause, so Space pauses there too. Arrows move between stretches. */
    onKey(event) {
      var run = this.run;
      if (!run || run.finished || event.altKey || event.ctrlKey || event.metaKey) return;
      var onControl = event.target.closest("button, input, a");
      if (event.key === " " && !onControl) this.setPaused(!run.paused);
      else if (event.key === "ArrowRight") this.goToStretch(1);
      else if (event.key === "ArrowLeft") this.goToStretch(-1);
      else return;
      event.preventDefault();
    }

    /* ---- Screen Wake Lock, sound and vibration: all optional, all local ---- */

    /* The lock is wanted only while a countdown runs. A refusal (battery saver, hidden page)
       is fine: the routine works without it. */
    holdScreen() {
      if (this.wakeLock || !navigator.wakeLock) return;
      this.wakeLock = navigator.wakeLock.request("screen").catch(function () { return null; });
    }

    releaseScreen() {
      if (this.wakeLock) this.wakeLock.then(function (lock) { if (lock) lock.release(); });
      this.wakeLock = null;
    }

    /* Browsers drop the lock whenever the page is hidden; take it again on return. */
    onVisibilityChange() {
      var run = this.run;
      if (document.visibilityState !== "visible" || !run || run.paused || run.finished) return;
      this.releaseScreen();
      this.holdScreen();
    }

    beep() {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      this.audio = this.audio || new Context();
      var tone = this.audio.createOscillator();
      var volume = this.audio.createGain();
      tone.frequency.value = 880;
      volume.gain.value = 0.15;
      tone.connect(volume).connect(this.audio.destination);
      tone.start();
      tone.stop(this.audio.currentTime + 0.15);
    }

    /* The cue at each change, when ticked. */
    signal() {
      if (!this.ui.sound.checked) return;
      if (navigator.vibrate) navigator.vibrate(150);
      this.beep();
    }
  }

  function startsWith(text, start) {
    return text.toLocaleLowerCase().indexOf(start.toLocaleLowerCase()) === 0;
  }

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

  /* ---- Each group's place: its Start button, Done today and the last seven days ---- */

  class Slot {
    constructor(place, routine, words) {
      this.place = place;
      this.words = words;
      this.group = place.closest("[data-group]");
      this.days = new Days(this.group);
      this.start = button(words.get("start"), "button", () => routine.start(this));
      this.start.setAttribute("aria-describedby", this.group.getAttribute("aria-labelledby"));
      place.append(this.start);
      this.show();
    }

    show() {
      var words = this.words;
      this.place.querySelectorAll(".routine-done, .routine-week").forEach(function (old) { old.remove(); });
      if (this.days.today) {
        var mark = element("p", "routine-done", words.get("done-today") + " ");
        var clear = button(words.get("clear"), "button button-secondary", () => {
          this.days.clearToday();
          this.show();
          this.start.focus(); // the Clear button is gone: keep focus nearby
        });
        clear.setAttribute("aria-label", words.get("clear-label"));
        mark.append(clear);
        this.place.append(mark);
      }
      var done = this.days.read();
      var week = lastWeek().map(function (date) { return { date: date, done: done.indexOf(day(date)) >= 0 }; });
      var count = week.filter(function (d) { return d.done; }).length;
      if (!count) return;
      var line = element("p", "routine-week", words.get("week", { number: count }) + " ");
      var marks = element("span", "routine-week-days", "");
      marks.setAttribute("aria-hidden", "true"); // the words say how many; the marks show which days
      week.forEach(function (d) {
        var mark = element("span", "", d.date.toLocaleDateString(document.documentElement.lang || "en",
          { weekday: "narrow" }));
        mark.toggleAttribute("data-done", d.done);
        marks.append(mark);
      });
      line.append(marks);
      this.place.append(line);
    }
  }

  /* Every group's place gets its button; so does a clinician's plan, whose group plan-view.js adds to the
     page later (it says so with a "relief:plan" event). */
  function init() {
    if (!supported()) return;
    var words = null;
    var routine = null;
    var setUp = function () {
      var slots = document.querySelectorAll("[data-routine-start]:not([data-routine-ready])");
      if (!slots.length) return;
      words = words || new Words(template.content);
      routine = routine || new Routine(words, new Voice());
      slots.forEach(function (place) {
        place.setAttribute("data-routine-ready", "");
        new Slot(place, routine, words);
      });
    };
    setUp();
    document.addEventListener("relief:plan", setUp);
  }

  init();
})();
