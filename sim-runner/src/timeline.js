// The timeline page's drawing: lanes (clients, one per node, cluster) against virtual time,
// redrawn on every zoom and pan. DATA comes from timeline.rs; times are microseconds.
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const LABEL_W = 120, LANE_H = 44, TOP = 22, PAD = 6;
  const svg = document.getElementById("chart");
  const tip = document.getElementById("tip");
  const lanes = ["clients"];
  for (let n = 1; n <= DATA.nodes; n++) lanes.push("node " + n);
  lanes.push("cluster");
  const laneOf = (node) => (node == null ? lanes.length - 1 : node);
  const laneY = (i) => TOP + i * LANE_H;
  let view = [0, Math.max(DATA.end, 1)];
  let width = 1200;

  document.getElementById("title").textContent = "timeline: " + DATA.title;

  function el(name, attrs, text) {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }
  function x(t) {
    return LABEL_W + ((t - view[0]) / (view[1] - view[0])) * (width - LABEL_W - PAD);
  }
  function visible(a, b) { return b >= view[0] && a <= view[1]; }
  function fmt(t) { return (t / 1e6).toFixed(6) + " s"; }
  function hover(e, text) { e.dataset.tip = text; return e; }

  function bar(lane, a, b, y0, h, fill, text, cls) {
    if (!visible(a, b)) return;
    const x0 = Math.max(x(a), LABEL_W), x1 = Math.min(x(b), width - PAD);
    svg.appendChild(hover(el("rect", {
      x: x0, y: laneY(lane) + y0, width: Math.max(x1 - x0, 1), height: h, fill: fill,
      class: cls || "",
    }), text));
  }
  function glyph(lane, t, ch, color, text, cls, dy) {
    if (!visible(t, t)) return;
    svg.appendChild(hover(el("text", {
      x: x(t), y: laneY(lane) + (dy || 30), fill: color, "text-anchor": "middle",
      "font-size": 13, class: cls || "",
    }, ch), text));
  }

  function axis() {
    const span = view[1] - view[0];
    // A 1, 2 or 5 step giving at most about ten ticks across.
    const raw = span / 10, pow = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map(function (m) { return m * pow; }).find(function (s) { return s >= raw; });
    const first = Math.ceil(view[0] / step) * step;
    for (let t = first; t <= view[1]; t += step) {
      svg.appendChild(el("line", { x1: x(t), x2: x(t), y1: TOP - 4, y2: laneY(lanes.length),
        stroke: "#eee" }));
      svg.appendChild(el("text", { x: x(t), y: 14, class: "axis", "text-anchor": "middle" },
        (t / 1e6).toFixed(span < 1e4 ? 6 : 3) + "s"));
    }
  }

  const ROLE = { follower: "#cfe3f7", candidate: "#f7e3a1", leader: "#b7e1b0" };
  const MARK = { crash: ["\u2716", "#c00"], restart: ["\u25B2", "#060"],
    truncate: ["\u2702", "#a50"], commit: ["\u2502", "#2a7"] };

  function draw() {
    width = Math.max(document.documentElement.clientWidth - 30, 600);
    svg.setAttribute("width", width);
    svg.setAttribute("height", laneY(lanes.length) + 8);
    svg.replaceChildren();
    axis();
    lanes.forEach(function (name, i) {
      svg.appendChild(el("line", { x1: 0, x2: width, y1: laneY(i), y2: laneY(i), stroke: "#ddd" }));
      svg.appendChild(el("text", { x: 6, y: laneY(i) + 26, class: "lane-label" }, name));
    });
    for (const h of DATA.hazards) {
      const end = h.end == null ? DATA.end : h.end;
      bar(lanes.length - 1, h.start, end, 4, 14, "#f3b0b0",
        "hazard: entry " + h.index + " committed while durable on " + JSON.stringify(h.durable) +
        "\n" + fmt(h.start) + " .. " + (h.end == null ? "never closed" : fmt(h.end)));
    }
    for (const r of DATA.roles) {
      bar(r.node, r.start, r.end, 4, 12, ROLE[r.role] || "#eee",
        r.role + " of term " + r.term + "\n" + fmt(r.start) + " .. " + fmt(r.end), "role");
    }
    for (const f of DATA.flushes) {
      bar(f.node, f.start, f.end, 18, 6, f.ok ? "#5b8def" : "#e05555",
        "flush of the " + f.file + (f.ok ? "" : f.cut ? " (cut by a crash)" : " (FAILED)") +
        "\n" + fmt(f.start) + " .. " + fmt(f.end));
    }
    for (const b of DATA.blocks) {
      bar(b.node, b.start, b.end, 26, 4, "#999",
        "Raft thread blocked on " + b.on + "\n" + fmt(b.start) + " .. " + fmt(b.end));
    }
    for (const m of DATA.marks) {
      const g = MARK[m.kind] || ["\u25C6", "#639"];
      glyph(laneOf(m.node), m.t, g[0], g[1], m.kind + " at " + fmt(m.t) + "\n" + m.detail,
        "mark-" + m.kind);
    }
    for (const a of DATA.appends) {
      if (!visible(a.t, a.t)) continue;
      svg.appendChild(hover(el("rect", { x: x(a.t), y: laneY(a.node) + 33, width: 1, height: 6,
        fill: "#7a7", class: "append" }),
        "append of entry " + a.index + " (term " + a.term + ", request " + a.req + ") at " + fmt(a.t)));
    }
    for (const c of DATA.clients) {
      const color = c.outcome === "ok" ? "#2a7" : c.outcome === "unknown" ? "#999" : "#c60";
      glyph(0, c.t, "\u2502", color, "client " + c.client + " request " + c.req + ": " +
        c.outcome + " at " + fmt(c.t), "", 24);
    }
    for (const m of DATA.messages) {
      if (!visible(m.sent, m.at)) continue;
      svg.appendChild(hover(el("line", {
        x1: x(m.sent), y1: laneY(m.from) + 22, x2: x(m.at), y2: laneY(m.to) + 22,
        stroke: "#333", "stroke-width": 1.2, "marker-end": "url(#arrow)", class: "message",
      }), "AppendEntries " + m.from + " -> " + m.to + " (term " + m.term + ", entries " +
        m.first + ".." + m.last + ")\nsent " + fmt(m.sent) + ", arrived " + fmt(m.at)));
    }
    for (const v of DATA.violations) {
      if (!visible(v.t, v.t)) continue;
      svg.appendChild(hover(el("line", { x1: x(v.t), x2: x(v.t), y1: TOP - 4,
        y2: laneY(lanes.length), stroke: "#c00", "stroke-width": 2, class: "violation" }),
        v.invariant + " at " + fmt(v.t) + "\n" + v.detail));
    }
    const defs = el("defs", {});
    const marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
      markerWidth: 6, markerHeight: 6, orient: "auto" });
    marker.appendChild(el("path", { d: "M0,0 L10,5 L0,10 z", fill: "#333" }));
    defs.appendChild(marker);
    svg.appendChild(defs);
    document.getElementById("range").textContent =
      "showing " + fmt(view[0]) + " .. " + fmt(view[1]) + " of " + fmt(DATA.end) +
      (DATA.clients_dropped ? " (" + DATA.clients_dropped + " client ticks not drawn)" : "") +
      (DATA.appends_dropped ? " (" + DATA.appends_dropped + " appends not drawn)" : "");
  }

  document.getElementById("violations").textContent = DATA.violations
    .map(function (v) { return v.invariant + " at " + fmt(v.t) + ": " + v.detail; })
    .join("\n\n");

  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    const rect = svg.getBoundingClientRect();
    const frac = Math.min(Math.max((e.clientX - rect.left - LABEL_W) / (width - LABEL_W - PAD), 0), 1);
    const at = view[0] + frac * (view[1] - view[0]);
    const k = e.deltaY < 0 ? 0.8 : 1.25;
    const span = Math.min(Math.max((view[1] - view[0]) * k, 1), Math.max(DATA.end, 1));
    view = [at - frac * span, at + (1 - frac) * span];
    draw();
  }, { passive: false });
  let drag = null;
  svg.addEventListener("mousedown", function (e) {
    drag = { x: e.clientX, view: view.slice() }; svg.classList.add("dragging");
  });
  window.addEventListener("mouseup", function () { drag = null; svg.classList.remove("dragging"); });
  window.addEventListener("mousemove", function (e) {
    if (drag) {
      const dt = ((e.clientX - drag.x) / (width - LABEL_W - PAD)) * (drag.view[1] - drag.view[0]);
      view = [drag.view[0] - dt, drag.view[1] - dt];
      draw();
      return;
    }
    const t = e.target && e.target.dataset ? e.target.dataset.tip : null;
    if (t) {
      tip.textContent = t; tip.style.display = "block";
      tip.style.left = e.clientX + 12 + "px"; tip.style.top = e.clientY + 12 + "px";
    } else {
      tip.style.display = "none";
    }
  });
  svg.addEventListener("dblclick", function () { view = [0, Math.max(DATA.end, 1)]; draw(); });
  window.addEventListener("resize", draw);
  draw();
})();
