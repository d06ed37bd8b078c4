// The "Cache Stampede" panel: cache bar with the TTL countdown, the application servers, their
// queries at the primary database, the database bar and the per-tick load chart, then the results
// table. Draws only from `st` = sim.state.stampede (a StampedeModel snapshot plus the controller's
// fields); `now` only drives view-only motion (the arrows' travel), which reduced motion skips.

import { MIN_TEXT, arrow, hatch, label, statusBar, table } from "./panel-draw.js";

/** Which drawing group a model server state belongs to. */
export function serverKind(state) {
  const s = String(state || "").toLowerCase();
  if (s.includes("quer") || s.includes("miss") || s.includes("recomput") || s.includes("db")) {
    return "query";
  }
  if (s.includes("wait") || s.includes("lock")) return "wait";
  if (s.includes("stale")) return "stale";
  return "hit";
}

const KIND_WORD = { hit: "hit", query: "querying DB", wait: "waiting", stale: "stale" };

export function stampedeLayout(box, servers) {
  const rows = servers > 12 ? 2 : 1;
  return {
    header: box.y + 4,
    cache: { x: box.x + 8, y: box.y + 34, w: box.w - 16, h: 34 },
    serversTop: box.y + 82,
    rows,
    db: { x: box.x + 8, y: box.y + 212, w: box.w - 16, h: 34 },
    chart: { x: box.x + 8, y: box.y + 256, w: box.w - 16, h: 108 },
    table: { x: box.x + 8, y: box.y + 372, w: box.w - 16 },
  };
}

export function drawStampede(p, c, st, box, { reducedMotion, progress }) {
  const L = stampedeLayout(box, st.servers.length);
  const title = st.mitigation === "none" ? "no mitigation" : labelOf(st);
  label(p, "Cache Stampede", box.x + 8, L.header, { size: 18, bold: true, color: c.fg });
  label(p, `${title} · tick ${st.tick}`, box.x + box.w - 8, L.header + 2, {
    color: c.muted, align: "right", maxWidth: box.w - 170,
  });

  // Cache bar: the hot entry and its TTL countdown.
  const ttlFull = st.ttlFull || st.ttl || Math.max(st.ttlRemaining || 0, 1);
  const expired = !st.ttlRemaining || st.ttlRemaining <= 0;
  statusBar(p, c, {
    ...L.cache,
    fraction: expired ? 0 : st.ttlRemaining / ttlFull,
    bad: false,
    text: expired ? "Cache: entry EXPIRED (miss)" : `Cache: hot entry · TTL ${st.ttlRemaining}`,
  });

  // Servers: circles with their number; the state as outline style and, for queries, an arrow.
  const n = st.servers.length;
  const perRow = Math.ceil(n / L.rows);
  const cell = (box.w - 16) / perRow;
  const r = Math.min(16, cell / 2 - 3);
  const counts = { hit: 0, query: 0, wait: 0, stale: 0 };
  st.servers.forEach((srv, i) => {
    const kind = serverKind(srv.state);
    counts[kind] += 1;
    const cx = box.x + 8 + cell * (i % perRow) + cell / 2;
    const cy = L.serversTop + r + Math.floor(i / perRow) * (2 * r + 10);
    if (kind === "query") {
      const t = reducedMotion ? 1 : progress;
      const ty = L.db.y - 2;
      const tx = L.db.x + 20 + ((L.db.w - 40) * (i + 0.5)) / n;
      arrow(p, cx, cy + r, cx + (tx - cx) * t, cy + r + (ty - cy - r) * t, c.bad, 2);
    }
    p.strokeWeight(kind === "query" ? 3 : 2);
    p.stroke(kind === "query" ? c.bad : kind === "wait" ? c.warn : kind === "stale" ? c.info : c.ok);
    if (kind === "wait") p.drawingContext.setLineDash([4, 3]);
    p.fill(c.bg);
    p.circle(cx, cy, 2 * r);
    p.drawingContext.setLineDash([]);
    if (kind === "query") {
      p.noStroke();
      p.fill(c.bad);
      p.circle(cx, cy, 2 * r - 6);
    } else if (kind === "stale") {
      hatch(p, cx - r / 2, cy - r / 2, r, r, c.info, 5);
    }
    if (r >= 11) {
      label(p, String(srv.id), cx, cy - 9, {
        color: kind === "query" ? c.bg : c.fg, align: "center", bold: kind === "query",
      });
    }
  });
  const legendY = L.serversTop + L.rows * (2 * r + 10) + 2;
  const legend = Object.entries(counts)
    .filter(([kind, k]) => k > 0 || kind === "hit" || kind === "query")
    .map(([kind, k]) => `${k} ${KIND_WORD[kind]}`)
    .join(" · ");
  label(p, `Servers: ${legend}`, box.x + 8, legendY, { color: c.fg, maxWidth: box.w - 16 });

  // Primary database bar.
  const cap = st.dbCapacity || 1;
  statusBar(p, c, {
    ...L.db,
    fraction: st.dbLoad / Math.max(cap, st.dbPeak, st.dbLoad, 1),
    bad: st.dbOverloaded,
    text: st.dbOverloaded
      ? `Primary DB: DB Overload · ${st.dbLoad} queries > capacity ${cap}`
      : `Primary DB: OK · ${st.dbLoad} ${st.dbLoad === 1 ? "query" : "queries"} (capacity ${cap})`,
  });

  drawLoadChart(p, c, st, L.chart);

  // Results table: one row per mitigation tried.
  const rows = st.results.map((row) => [
    row.label,
    row.complete ? String(row.dbPeak) : `${row.dbPeak}…`,
    String(row.recomputes),
    String(row.staleReads),
    row.complete ? (row.overloaded ? "Overload" : "OK") : `tick ${row.ticks}`,
  ]);
  table(p, c, {
    ...L.table,
    columns: [
      { title: `Results (${st.window} ticks)`, width: 0.36 },
      { title: "Peak", width: 0.13, align: "right" },
      { title: "Recomp.", width: 0.17, align: "right" },
      { title: "Stale", width: 0.14, align: "right" },
      { title: "DB", width: 0.2, align: "right" },
    ],
    rows,
    bad: (i) => st.results[i].overloaded,
    current: st.results.findIndex((row) => row.mitigation === st.mitigation),
  });
}

function labelOf(st) {
  const m = (st.mitigations || []).find(([k]) => k === st.mitigation);
  return m ? m[1] : st.mitigation;
}

/** Bar chart of the database load per tick (the model's history), with the capacity line. */
function drawLoadChart(p, c, st, box) {
  const history = st.history || [];
  const cap = st.dbCapacity || 1;
  const top = Math.max(cap + 1, st.dbPeak, ...history, 2);
  const plot = { x: box.x + 28, y: box.y + 22, w: box.w - 30, h: box.h - 24 };
  const steady = 1;
  label(p, `DB load per tick · peak ${st.dbPeak} = ${st.dbPeak / steady}x one refresh`, box.x, box.y, {
    color: c.fg, maxWidth: box.w,
  });
  p.stroke(c.grid);
  p.strokeWeight(1);
  p.noFill();
  p.rect(plot.x, plot.y, plot.w, plot.h);
  label(p, String(top), plot.x - 4, plot.y - 2, { color: c.muted, align: "right" });
  label(p, "0", plot.x - 4, plot.y + plot.h - 16, { color: c.muted, align: "right" });
  const capY = plot.y + plot.h - (plot.h * cap) / top;
  const slots = Math.max(history.length, 60);
  const bw = plot.w / slots;
  history.forEach((load, i) => {
    if (load <= 0) return;
    const h = (plot.h * load) / top;
    const x = plot.x + i * bw;
    p.noStroke();
    p.fill(load > cap ? c.bad : c.accent);
    p.rect(x, plot.y + plot.h - h, Math.max(1, bw - 0.5), h);
    if (load > cap && bw >= 3) hatch(p, x, plot.y + plot.h - h, bw, h, c.fg, 5);
  });
  p.stroke(c.warn);
  p.strokeWeight(2);
  p.drawingContext.setLineDash([6, 4]);
  p.line(plot.x, capY, plot.x + plot.w, capY);
  p.drawingContext.setLineDash([]);
  label(p, `capacity ${cap}`, plot.x + plot.w - 4, capY - MIN_TEXT - 4, {
    color: c.fg, align: "right",
  });
}
