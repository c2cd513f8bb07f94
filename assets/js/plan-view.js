/* Relief pages: a clinician's plan for one patient. Loaded by relief.js only when a page's address ends
   with a plan (#plan=1.<base64url>), and by the plan maker (templates/plan.html), which shares its code.

   The plan lives in the fragment only, which no browser sends to a server: base64url (no padding) of the
   UTF-8 JSON {"s": [[stretch id, times a day, repetitions, seconds, ...], ...], "n": note, "p": first name}
   ("n" and "p" optional; an untimed stretch is [id, times a day]; one number of seconds per position).
   This script checks a link against the page's own facts (templates/_plan.html: each stretch's timing, the
   routine's pace and the limits), plans the guided routine's countdowns with the same rules as
   relief/load/routine.py, and shows the plan: only its stretches, in its order, with its doses, its note
   and the page's safety advice. Nothing of a plan is ever written as markup: its words are text nodes. */
(function () {
  "use strict";

  var PREFIX = "#plan=";
  var SIDES = ["right", "left"];

  /* ---- The link: encode and decode ---- */

  function toBase64Url(text) {
    var bytes = new TextEncoder().encode(text);
    var binary = "";
    bytes.forEach(function (byte) { binary += String.fromCharCode(byte); });
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64Url(text) {
    if (!/^[A-Za-z0-9_-]+$/.test(text) || text.length % 4 === 1) throw new Error("not base64url");
    var binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  }

  /* plan: {stretches: [{id, perDay, reps, seconds: []}], note, name} -> the fragment, "#plan=1...." */
  function encode(plan, facts) {
    var data = { s: plan.stretches.map(function (item) {
      var fact = facts.stretches[item.id];
      return fact.kind === "extra" ? [item.id, item.perDay] : [item.id, item.perDay, item.reps].concat(item.seconds);
    }) };
    if (plan.note) data.n = plan.note;
    if (plan.name) data.p = plan.name;
    return PREFIX + facts.version + "." + toBase64Url(JSON.stringify(data));
  }

  function whole(value, range) {
    return typeof value === "number" && Number.isInteger(value) && value >= range[0] && value <= range[1];
  }

  function shortText(value, most) {
    return value === undefined || (typeof value === "string" && Array.from(value).length <= most);
  }

  /* The plan a fragment holds, checked: {stretches, note, name, missing}; or null for a damaged or tampered
     link (not base64url, another version, numbers that are not whole or out of their limits, too long). A
     stretch the page no longer has, or whose timing changed since (another number of positions), is
     counted in "missing" and left out. */
  function decode(hash, facts) {
    var limits = facts.limits;
    if (hash.indexOf(PREFIX) !== 0 || hash.length > limits.link) return null;
    var body = hash.slice(PREFIX.length);
    var dot = body.indexOf(".");
    if (dot < 0 || body.slice(0, dot) !== String(facts.version)) return null;
    var data;
    try { data = JSON.parse(fromBase64Url(body.slice(dot + 1))); } catch (error) { return null; }
    if (!data || typeof data !== "object" || Array.isArray(data) || !Array.isArray(data.s) || !data.s.length ||
        !shortText(data.n, limits.note) || !shortText(data.p, limits.name)) return null;
    var plan = { stretches: [], note: (data.n || "").trim(), name: (data.p || "").trim(), missing: 0 };
    var seen = {};
    for (var i = 0; i < data.s.length; i += 1) {
      var entry = data.s[i];
      if (!Array.isArray(entry) || typeof entry[0] !== "string" || seen[entry[0]] || !whole(entry[1], limits.per_day) ||
          (entry.length > 2 && !whole(entry[2], limits.reps)) ||
          !entry.slice(3).every(function (value) { return whole(value, limits.seconds); })) return null;
      seen[entry[0]] = true;
      var fact = Object.prototype.hasOwnProperty.call(facts.stretches, entry[0]) ? facts.stretches[entry[0]] : null;
      var fits = fact && (fact.kind === "extra" ? entry.length === 2 : entry.length === 3 + fact.seconds.length);
      if (!fits) {
        plan.missing += 1;
        continue;
      }
      plan.stretches.push({ id: entry[0], perDay: entry[1], reps: fact.kind === "extra" ? 1 : entry[2],
        seconds: entry.slice(3) });
    }
    if (total(segments(plan.stretches, facts)) > limits.routine) return null;
    return plan;
  }

  /* ---- The guided routine's countdowns: relief/load/routine.py's plan(), for a clinician's doses ---- */

  function segment(kind, id, seconds, more) {
    var made = { kind: kind, stretch: id, seconds: seconds, rep: 1, reps: 1 };
    Object.keys(more || {}).forEach(function (key) { if (more[key] !== null && more[key] !== undefined) made[key] = more[key]; });
    made.changed = Boolean(made.changed);
    return made;
  }

  function segments(stretches, facts) {
    var pace = facts.pace;
    var made = [];
    var before = null;
    stretches.filter(function (item) { return facts.stretches[item.id].kind !== "extra"; }).forEach(function (item, index) {
      var fact = facts.stretches[item.id];
      var position = fact.position || null;
      var changed = index === 0 || position === null || position !== before;
      made.push(segment("ready", item.id, changed ? pace.change_position : pace.get_ready,
        { reps: item.reps, side: fact.sides ? SIDES[0] : null, posture: position, changed: changed }));
      var holds = item.seconds.map(function (seconds, n) {
        return fact.kind === "positions" ? { name: fact.names[n], seconds: seconds, cue: fact.cues[n] } : { name: null, seconds: seconds };
      });
      var kind = fact.kind === "go" ? "go" : "hold";
      (fact.sides ? SIDES : [null]).forEach(function (side) {
        if (side === SIDES[1]) made.push(segment("side", item.id, pace.change_side, { reps: item.reps, side: side }));
        for (var rep = 1; rep <= item.reps; rep += 1) {
          if (rep > 1 && fact.rest) made.push(segment("rest", item.id, fact.rest, { rep: rep, reps: item.reps, side: side }));
          holds.forEach(function (hold, number) {
            if (number) {
              made.push(segment("change", item.id, pace.next_position,
                { rep: rep, reps: item.reps, side: side, name: hold.name, cue: hold.cue }));
            }
            made.push(segment(kind, item.id, hold.seconds, { rep: rep, reps: item.reps, side: side, name: hold.name }));
          });
        }
      });
      before = position;
    });
    return made;
  }

  function total(made) {
    return made.reduce(function (sum, part) { return sum + part.seconds; }, 0);
  }

  /* What "takes ..." says (relief/model.py, Group.label_seconds): whole minutes when within 5 % of them,
     else the time to the nearest 5 seconds (or exactly, when that is not within 5 % either). */
  function labelSeconds(seconds) {
    var minutes = seconds ? Math.max(1, Math.floor((seconds + 30) / 60)) : 0;
    if (Math.abs(seconds - minutes * 60) <= 0.05 * minutes * 60) return minutes * 60;
    var rounded = 5 * Math.round(seconds / 5);
    return Math.abs(seconds - rounded) <= 0.05 * seconds ? rounded : seconds;
  }

  /* ---- Words, from the page ---- */

  /* The words of ``root``'s data-word items in the page's language, a {name} in them filled in (numbers as
     the language writes them). A word with data-forms has a form per plural category (from the page's
     catalog): the one for the count data-count names is chosen by Intl.PluralRules, as routine.js does. */
  function words(root) {
    var language = document.documentElement.lang || "en";
    var plural = new Intl.PluralRules(language);
    var numbers = new Intl.NumberFormat(language);
    var text = {};
    var forms = {};
    var counts = {};
    root.querySelectorAll("[data-word]").forEach(function (node) {
      var key = node.dataset.word;
      text[key] = node.textContent;
      if (node.dataset.forms) {
        forms[key] = JSON.parse(node.dataset.forms);
        counts[key] = node.dataset.count;
      }
    });
    var shown = function (value) { return typeof value === "number" ? numbers.format(value) : value; };
    return function (key, fill) {
      var chosen = text[key] || "";
      var count = fill && counts[key] ? fill[counts[key]] : undefined;
      if (forms[key] && typeof count === "number") {
        chosen = (forms[key][plural.select(count)] || forms[key].other || chosen).replace("%(num)s", shown(count));
      }
      return chosen.replace(/\{(\w+)\}/g, function (all, name) { return fill && name in fill ? shown(fill[name]) : all; });
    };
  }

  function duration(word, seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    var shownMinutes = word("minutes", { number: minutes });
    var shownSeconds = word("seconds", { number: rest });
    if (minutes && rest) return word("minutes-seconds", { minutes: shownMinutes, seconds: shownSeconds });
    return minutes ? shownMinutes : shownSeconds;
  }

  function perDay(word, times) {
    return times === 1 ? word("once-a-day") : word("per-day", { number: times });
  }

  /* A dose as the page words one (templates/_stretch.html), with the clinician's numbers, then how often. */
  function dose(word, fact, item) {
    var daily = perDay(word, item.perDay);
    if (fact.kind === "extra") return daily;
    var text;
    var same = item.seconds.every(function (value) { return value === item.seconds[0]; });
    if (fact.kind === "positions" && same) {
      text = word("hold-each", { time: duration(word, item.seconds[0]), names: fact.names.join(word("list-joint")) });
    } else if (fact.kind === "positions") {
      text = word("hold-list", { list: item.seconds.map(function (value, n) {
        return word("position-time", { name: fact.names[n], time: duration(word, value) });
      }).join(word("list-joint")) });
    } else if (fact.kind === "hold") {
      text = word("hold", { time: duration(word, item.seconds[0]) });
    } else {
      text = duration(word, item.seconds[0]);
    }
    var joint = word(fact.kind === "positions" ? "positions-joint" : "joint");
    if (item.reps > 1) text += joint + word("reps", { number: item.reps });
    if (fact.sides) text += joint + word("sides");
    return text + joint + daily;
  }

  /* ---- A QR code of a link, drawn as SVG from the vendored qrcode-generator's modules ---- */

  var SVG = "http://www.w3.org/2000/svg";

  /* The code of ``text`` at error correction M (a creased print still scans), L when only that fits; null
     when even L cannot hold it. Byte mode, UTF-8. */
  function qrCode(text) {
    var make = window.qrcode;
    if (!make) return null;
    make.stringToBytes = make.stringToBytesFuncs["UTF-8"];
    var levels = ["M", "L"];
    for (var i = 0; i < levels.length; i += 1) {
      try {
        var code = make(0, levels[i]);
        code.addData(text, "Byte");
        code.make();
        return code;
      } catch (error) { /* too long for this level: try the next */ }
    }
    return null;
  }

  function qrSvg(code, label) {
    var count = code.getModuleCount();
    var margin = 4; // the quiet zone the standard asks for
    var size = count + 2 * margin;
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + size + " " + size);
    svg.setAttribute("class", "qr-code");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label);
    svg.setAttribute("shape-rendering", "crispEdges");
    var back = document.createElementNS(SVG, "rect");
    back.setAttribute("width", String(size));
    back.setAttribute("height", String(size));
    back.setAttribute("fill", "#fff");
    var path = "";
    for (var row = 0; row < count; row += 1) {
      for (var col = 0; col < count; col += 1) {
        if (code.isDark(row, col)) path += "M" + (col + margin) + " " + (row + margin) + "h1v1h-1z";
      }
    }
    var dark = document.createElementNS(SVG, "path");
    dark.setAttribute("d", path);
    dark.setAttribute("fill", "#000");
    svg.append(back, dark);
    return svg;
  }

  window.ReliefPlan = { encode: encode, decode: decode, segments: segments, total: total, labelSeconds: labelSeconds,
    words: words, duration: duration, qrCode: qrCode, qrSvg: qrSvg };

  /* ---- The patient's view ---- */

  function part(root, name) { return root.querySelector('[data-part="' + name + '"]'); }

  function loadScript(src, then) {
    var script = document.createElement("script");
    script.src = src;
    script.onload = then;
    document.head.append(script);
  }

  /* A damaged link, or one none of whose stretches the page still has: a notice, and the whole page. */
  function showNotice(article, parts, text) {
    var notice = part(parts, "damaged");
    if (text) notice.querySelector("p").textContent = text;
    article.querySelector(".page-header").after(notice);
  }

  function missingText(word, count) {
    return word("missing", { number: count });
  }

  function numbered(details, number) {
    var mark = details.querySelector(".stretch-number");
    if (!mark) {
      mark = document.createElement("span");
      mark.className = "stretch-number";
      details.querySelector("summary").prepend(mark, " ");
    }
    mark.textContent = number + ".";
  }

  function showDose(details, text) {
    var shown = details.querySelector("summary .dose");
    if (!shown) {
      shown = document.createElement("span");
      shown.className = "dose";
      details.querySelector("summary").append(shown);
    }
    shown.textContent = text;
  }

  function chartRow(name, times, perDayText) {
    var row = document.createElement("tr");
    var head = document.createElement("th");
    head.scope = "row";
    head.textContent = name + " (" + perDayText + ")";
    row.append(head);
    for (var day = 0; day < 7; day += 1) {
      var cell = document.createElement("td");
      for (var time = 0; time < times; time += 1) {
        var box = document.createElement("span");
        box.className = "tick-box";
        cell.append(box);
      }
      row.append(cell);
    }
    return row;
  }

  function showPlan(article, parts, plan, facts, word, data) {
    var view = part(parts, "view");
    var group = part(parts, "group");
    part(view, "heading").textContent = plan.name ? word("title-named", { name: plan.name }) : word("title");
    if (plan.note) part(view, "note").textContent = plan.note;
    else part(view, "note-box").remove();
    if (plan.missing) {
      part(view, "missing").textContent = missingText(word, plan.missing);
    } else {
      part(view, "missing").remove();
    }
    part(view, "whole").href = location.href.split("#")[0];
    var list = part(group, "list");
    var rows = part(group, "chart-rows");
    plan.stretches.forEach(function (item, index) {
      var details = document.getElementById(item.id);
      var fact = facts.stretches[item.id];
      var text = dose(word, fact, item);
      numbered(details, index + 1);
      showDose(details, text);
      var note = document.createElement("p");
      note.className = "plan-your-dose";
      note.textContent = word("your-dose", { dose: text });
      details.querySelector(".how").prepend(note);
      var entry = document.createElement("li");
      entry.append(details);
      list.append(entry);
      var daily = perDay(word, item.perDay);
      rows.append(chartRow(details.querySelector(".stretch-name").textContent.trim(), item.perDay, daily));
    });
    var made = segments(plan.stretches, facts);
    if (made.length) {
      part(group, "plan").textContent = JSON.stringify(made);
      part(group, "time").textContent = word("takes", { time: duration(word, labelSeconds(total(made))) });
    } else {
      part(group, "plan").remove();
      part(group, "start").remove();
      part(group, "time").remove();
    }
    article.querySelectorAll("section.group, nav.contents").forEach(function (old) { old.hidden = true; });
    article.querySelector(".page-header").after(view);
    var first = article.querySelector("section.group");
    first.before(group);
    article.setAttribute("data-plan", "");
    document.dispatchEvent(new CustomEvent("relief:plan"));
    loadScript(data.getAttribute("data-qr"), function () {
      var code = qrCode(location.href);
      if (code) part(view, "qr").append(qrSvg(code, word("qr-label")));
      else part(view, "qr-box").remove();
    });
  }

  function init() {
    var data = document.getElementById("plan-data");
    var template = document.getElementById("plan-template");
    var article = document.querySelector("article.page");
    if (!data || !template || !article || location.hash.indexOf(PREFIX) !== 0 || !window.TextDecoder ||
        !window.Intl || typeof Intl.PluralRules !== "function") return;
    var facts = JSON.parse(data.textContent);
    var parts = template.content.cloneNode(true);
    var word = words(parts);
    var plan = decode(location.hash, facts);
    if (!plan) showNotice(article, parts, null);
    else if (!plan.stretches.length) showNotice(article, parts, missingText(word, plan.missing));
    else showPlan(article, parts, plan, facts, word, data);
  }

  init();
})();
