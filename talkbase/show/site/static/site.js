// talkbase site: switch the timeline's lanes, zoom it to a period, and search the records. Text from the data
// is only ever set as textContent, never parsed as HTML.
"use strict";

(function () {
  const GUTTER = 190, WIDTH = 1000, MIN_MARK = 5;
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const SVG = "http://www.w3.org/2000/svg";
  // Day numbers are Python's date ordinals: 1 January of year 1 is day 1.
  const EPOCH = Date.UTC(1970, 0, 1) / 86400000 - 719163;
  const dayOf = (iso) => Math.floor(Date.parse(iso + "T00:00:00Z") / 86400000) - EPOCH;
  const dateOf = (day) => new Date((day + EPOCH) * 86400000);

  function ticks(start, end) {
    const found = [], first = dateOf(start), last = dateOf(end), days = end - start;
    if (days <= 45) {
      const step = days <= 14 ? 1 : 7;
      for (let d = start; d <= end; d += step) {
        const date = dateOf(d);
        found.push([d, date.getUTCDate() + " " + MONTHS[date.getUTCMonth()] + (found.length ? "" : " " + date.getUTCFullYear())]);
      }
    } else if (days <= 800) {
      const step = days <= 400 ? 1 : 3;
      let y = first.getUTCFullYear(), m = first.getUTCMonth();
      for (;;) {
        const d = Math.floor(Date.UTC(y, m, 1) / 86400000) - EPOCH;
        if (d > end) break;
        if (d >= start) found.push([d, MONTHS[m] + (m === 0 || !found.length ? " " + y : "")]);
        m += step; y += Math.floor(m / 12); m %= 12;
      }
    } else {
      const step = Math.max(1, Math.floor((last.getUTCFullYear() - first.getUTCFullYear()) / 12));
      for (let y = first.getUTCFullYear() + 1; y <= last.getUTCFullYear(); y += step) {
        found.push([Math.floor(Date.UTC(y, 0, 1) / 86400000) - EPOCH, String(y)]);
      }
    }
    return found;
  }

  function zoom(svg, start, end) {
    const scale = WIDTH / Math.max(end - start + 1, 1);
    const height = svg.viewBox.baseVal.height;
    svg.querySelectorAll("a.mark").forEach((mark) => {
      const first = Number(mark.dataset.first), last = Number(mark.dataset.last);
      const rect = mark.querySelector("rect");
      const shown = last >= start && first <= end;
      mark.style.display = shown ? "" : "none";
      if (!shown) return;
      const left = Math.max(first, start), right = Math.min(last, end);
      rect.setAttribute("x", (GUTTER + (left - start) * scale).toFixed(2));
      rect.setAttribute("width", Math.max((right - left + 1) * scale, MIN_MARK).toFixed(2));
    });
    const axis = svg.querySelector("g.axis");
    axis.replaceChildren();
    for (const [day, label] of ticks(start, end)) {
      const x = GUTTER + (day - start) * scale;
      if (x > GUTTER + WIDTH - 6 * label.length) continue;  // it would run off the edge
      const g = document.createElementNS(SVG, "g"), line = document.createElementNS(SVG, "line");
      const text = document.createElementNS(SVG, "text");
      g.setAttribute("class", "tick");
      line.setAttribute("x1", x); line.setAttribute("x2", x); line.setAttribute("y1", 14); line.setAttribute("y2", height);
      text.setAttribute("x", x + 2); text.setAttribute("y", 11); text.textContent = label;
      g.append(line, text); axis.append(g);
    }
  }

  function setUpTimeline(view) {
    const drawings = view.querySelectorAll(".drawing");
    const said = view.querySelector(".mark-said");
    const say = (event) => {  // what a mark says, for the keyboard too (a <title> shows on hover only)
      const mark = event.target.closest("a.mark");
      if (mark && said) said.textContent = mark.querySelector("title").textContent;
    };
    view.addEventListener("focusin", say);
    view.addEventListener("mouseover", say);
    if (!view.querySelector("svg.timeline")) return;
    view.querySelectorAll("input[name=lanes]").forEach((radio) => radio.addEventListener("change", () => {
      drawings.forEach((d) => { d.hidden = d.dataset.lanes !== radio.value; });
    }));
    const from = view.querySelector("input[name=from]"), to = view.querySelector("input[name=to]");
    const svgs = view.querySelectorAll("svg.timeline");
    const whole = [Number(svgs[0].dataset.start), Number(svgs[0].dataset.end)];
    const iso = (day) => dateOf(day).toISOString().slice(0, 10);
    from.min = to.min = iso(whole[0]); from.max = to.max = iso(whole[1]);
    const apply = () => {
      let start = from.value ? dayOf(from.value) : whole[0], end = to.value ? dayOf(to.value) : whole[1];
      if (!(start <= end)) return;
      svgs.forEach((svg) => zoom(svg, start, end));
    };
    from.addEventListener("change", apply);
    to.addEventListener("change", apply);
    view.querySelector("button[name=reset]").addEventListener("click", () => {
      from.value = to.value = "";
      apply();
    });
  }

  // As the command line folds text: case and diacritics ignored, typographic quotes and dashes plain
  // (PLAIN_PUNCTUATION in talkbase/records/hints.py). Python's casefold, which folded the index, also makes
  // ß ss and ς σ.
  const fold = (text) => text.toLowerCase().replace(/ß/g, "ss").replace(/ς/g, "σ")
    .replace(/[’‘ʼ′]/g, "'").replace(/[“”„″]/g, '"').replace(/[\u2010-\u2015\u2212]/g, "-")
    .normalize("NFKD").replace(/\p{M}/gu, "");

  function setUpSearch(form) {
    const input = form.querySelector("input[type=search]");
    const results = document.getElementById("search-results"), count = document.getElementById("search-count");
    const index = window.talkbaseSearch || [];
    const run = () => {
      // Words, and phrases in double quotes (typographic ones are folded to them), as the command line reads them.
      const words = [...fold(input.value).matchAll(/"([^"]*)"?|([^\s"]+)/g)]
        .map((m) => (m[1] ?? m[2]).trim().replace(/\s+/g, " ")).filter(Boolean);
      results.replaceChildren();
      if (!words.length) { count.textContent = ""; return; }
      const found = index.filter((entry) => words.every((w) => entry.text.includes(w)));
      count.textContent = found.length + (found.length === 1 ? " record" : " records") +
        (found.length > 500 ? ", the first 500 shown: add a word to narrow them" : "");
      for (const entry of found.slice(0, 500)) {
        const li = document.createElement("li"), kind = document.createElement("span"), a = document.createElement("a");
        kind.className = "kind"; kind.textContent = entry.kind;
        a.href = entry.page; a.textContent = entry.name;
        li.append(kind, " ", a); results.append(li);
      }
    };
    input.value = new URLSearchParams(location.search).get("q") || "";
    input.addEventListener("input", run);
    form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
    run();
  }

  document.querySelectorAll(".timeline-view").forEach(setUpTimeline);
  const page = document.querySelector("form.search-page");
  if (page) setUpSearch(page);
})();
