// The "Cache Stampede" panel: the cache bar with the TTL countdown, the application servers,
// their queries at the primary database (red arrows), the database bar, the per-tick load chart
// and the results table.
//
// Draws only from `st` = sim.state.stampede, a StampedeModel snapshot plus the controller's
// fields (results, window, mitigations). Layout is top-down with fixed rows and a chart that takes
// what is left, so the panel fits any canvas height: if space is short the chart goes first,
// then the table (both are also in the canvas's text description). `pulse` (0..1) only moves a
// dot along each query arrow while playing; with reduced motion it is null and nothing moves.

import { arrow, box, firstThatFits, hatch } from "../kit/draw.js";
import {
  LINE,
  NARROW,
  rowsThatFit,
  scenarioTable,
  statusBar,
  tableHeight,
  text,
} from "./panel-parts.js";

// The comparison table's lines above its rows (scenario headings, column titles) and below them
// (the legend), counted as table rows by layout(): its height is tableHeight(rows + EXTRA_ROWS).
export const EXTRA_ROWS = 2;

/** Which drawing group a model server state belongs to ("hit" | "querying" | "waiting" | "stale"). */
export function serverKind(state) {
  return ["querying", "waiting", "stale"].includes(state) ? state : "hit";
}

/**
 * The short name of the panel's mitigation ("Early expiry"; sim.json's `short`, else its label),
 * from the state's `mitigations` list of [value, label, short].
 */
export function shortLabel(panel) {
  const found = (panel.mitigations || []).find(([key]) => key === panel.mitigation);
  return found ? found[2] : panel.mitigation;
}

/** "Early expiry · tick 134": what a panel's header shows right of its title. */
function headerWords(panel) {
  const name = panel.mitigation === "none" ? "no mitigation" : shortLabel(panel);
  return `${name} · tick ${panel.tick}`;
}

/**
 * Whether "Early expiry · tick 134" fits right of a title `titleWidth` px wide; if not (a 320-370
 * px phone), the stampede panel gives it a line of its own under the title (layout's `header`).
 */
export function headerFits(p, panel, area, titleWidth) {
  p.push();
  p.textSize(16);
  const fits = p.textWidth(headerWords(panel)) <= area.w - titleWidth - 16;
  p.pop();
  return fits;
}

/**
 * "Early expiry · tick 134" at the right of a panel's title; if short of room, on the line under
 * the title when `ownLine`, else just the tick.
 */
export function headerRight(p, c, panel, area, y, titleWidth, { ownLine = false } = {}) {
  const full = headerWords(panel);
  if (!headerFits(p, panel, area, titleWidth) && ownLine) {
    text(p, full, area.x + area.w - 8, y + LINE + 4, {
      color: c.muted,
      align: "right",
      maxWidth: area.w - 16,
    });
    return;
  }
  const room = area.w - titleWidth - 16;
  const words = headerFits(p, panel, area, titleWidth) ? full : `tick ${panel.tick}`;
  text(p, words, area.x + area.w - 8, y + 2, { color: c.muted, align: "right", maxWidth: room });
}

export function mitigationLabel(panel) {
  if (panel.mitigation === "none") return "no mitigation";
  const found = (panel.mitigations || []).find(([key]) => key === panel.mitigation);
  return found ? found[1] : panel.mitigation;
}

const CHART_MIN = 60; // px: the smallest load chart that still shows the spike against capacity
const CHART_NARROW = 140; // px: the load chart a panel of its own (narrow screens) is sized for

/**
 * Where each part of the panel goes in `box0` for `servers` circles and `rows` results rows.
 * For a panel narrower than the wide wordings need (a 320-370 px phone): `header` puts the
 * mitigation and tick on a line of their own under the title, `tableLegend` adds a line under the
 * table explaining its short headings; both lines come out of the load chart (the canvas height,
 * minHeight, stays that of the wide layout).
 */
export function layout(box0, servers, rows, { header = false, tableLegend = false } = {}) {
  const twoRows = servers > 12;
  const r = twoRows ? 11 : 13;
  let y = box0.y + 2;
  const L = { r, twoRows };
  L.header = y;
  y += 26 + (header ? LINE : 0);
  L.cache = { x: box0.x + 8, y, w: box0.w - 16, h: 28 };
  y += 32;
  L.legend = y;
  y += LINE + 4;
  L.serversTop = y;
  y += (twoRows ? 2 : 1) * (2 * r + 4);
  L.arrowsTop = y;
  y += 26;
  L.db = { x: box0.x + 8, y, w: box0.w - 16, h: 28 };
  y += 34;
  const bottom = box0.y + box0.h - 4;
  // The spec's load chart comes first: the table shows as many of its latest rows as leave the
  // chart CHART_MIN px (at least one row); only if even that does not fit, the chart goes.
  const room = bottom - y;
  const legendH = tableLegend ? LINE : 0;
  L.rows = rows;
  while (L.rows > 1 && room - tableHeight(L.rows) - legendH - 6 < CHART_MIN) L.rows -= 1;
  const tableH = tableHeight(Math.max(L.rows, 1)) + legendH;
  const chartH = room - tableH - 6;
  L.showTable = room >= tableH;
  L.chart = chartH >= CHART_MIN ? { x: box0.x + 8, y, w: box0.w - 16, h: chartH } : null;
  L.table = { x: box0.x + 8, y: L.chart ? y + chartH + 6 : y, w: box0.w - 16 };
  return L;
}

/**
 * The least panel height that draws every part: the rows above the database, a load chart of
 * `chart` px (title, plot and capacity line) and a results table of `rows` rows. Narrow screens
 * show one panel at a time and ask the kit for this much canvas (minCanvasHeight).
 *
 *   minHeight(10, 4)   // -> 428: four results rows under a 140 px load chart
 */
export function minHeight(servers, rows, chart = CHART_NARROW) {
  const top = layout({ x: 0, y: 0, w: 100, h: 0 }, servers, rows).db.y + 34;
  return top + chart + 6 + tableHeight(Math.max(rows, 1)) + 4;
}

/**
 * Draws the panel; returns what it drew (view facts for tests, not simulation state):
 * `{chart: bool, tableRows: n, servers: n}`.
 */
export function drawStampede(p, c, st, area, { pulse }) {
  const n = st.servers.length;
  const mitigations = st.mitigations || [];
  const tableRows = mitigations.length + EXTRA_ROWS;
  // A phone's narrow panel: the mitigation and tick under the title if they do not fit beside
  // it, taken only if the chart keeps CHART_MIN px and the table all its rows.
  const wide = layout(area, n, tableRows);
  const fitsIn = (L, extra) => L.chart && L.rows === wide.rows && L.chart.h >= CHART_MIN + extra;
  let header = area.w < NARROW && !headerFits(p, st, area, 175);
  let L = layout(area, n, tableRows, { header });
  if (header && !fitsIn(L, LINE)) {
    header = false;
    L = wide;
  }
  const captionLines = fitsIn(L, LINE) ? 2 : 1; // at most
  text(p, "Cache Stampede", area.x + 8, L.header, { color: c.fg, bold: true, size: 18 });
  headerRight(p, c, st, area, L.header, 175, { ownLine: header });

  // The cache: the hot entries' TTL countdown (the first one to expire).
  const full = st.ttlFull || 1;
  const missing = !(st.ttlRemaining > 0);
  statusBar(p, c, {
    ...L.cache,
    fraction: missing ? 0 : st.ttlRemaining / full,
    bad: false,
    text: missing
      ? [
          `${st.scenario}: expired, MISS`,
          `Cache: ${st.keys === 1 ? "the key" : "entries"} expired, MISS`,
          "Cache: expired, MISS",
        ]
      : [
          `${st.scenario} · TTL ${st.ttlRemaining}`,
          `${scenarioShort(st)} · TTL ${st.ttlRemaining} ticks`,
          `${scenarioShort(st)} · TTL ${st.ttlRemaining}`,
          `Cache: TTL ${st.ttlRemaining} ticks`,
        ],
  });

  // Servers, as circles with their number; the state also as shape: querying = filled + arrow,
  // waiting = dashed ring, stale = hatched, hit = plain ring.
  const counts = { hit: 0, querying: 0, waiting: 0, stale: 0 };
  const circles = []; // where each server was drawn (view facts for tests)
  const perRow = L.twoRows ? Math.ceil(n / 2) : n;
  const cell = (area.w - 16) / perRow;
  const r = Math.min(L.r, cell / 2 - 2);
  const dbTop = L.db.y;
  st.servers.forEach((srv, i) => {
    const kind = serverKind(srv.state);
    counts[kind] += 1;
    const cx = area.x + 8 + cell * (i % perRow) + cell / 2;
    const cy = L.serversTop + r + Math.floor(i / perRow) * (2 * r + 4);
    if (kind === "querying") {
      const tx = L.db.x + 24 + ((L.db.w - 48) * (i + 0.5)) / n;
      arrow(p, cx, cy + r, tx, dbTop - 1, { color: c.bad, weight: 2, head: 8 });
      if (pulse !== null) {
        const t = (pulse + i / n) % 1;
        box(p, cx + (tx - cx) * t - 3, cy + r + (dbTop - cy - r) * t - 3, 6, 6, {
          fill: c.bad,
          radius: 3,
        });
      }
    }
    p.push();
    p.strokeWeight(kind === "querying" ? 3 : 2);
    p.stroke(
      kind === "querying" ? c.bad : kind === "waiting" ? c.warn : kind === "stale" ? c.info : c.ok,
    );
    if (kind === "waiting") p.drawingContext.setLineDash([4, 3]);
    p.fill(kind === "querying" ? c.bad : c.bg);
    p.circle(cx, cy, 2 * r);
    p.pop();
    circles.push({ x: cx, y: cy, r });
    if (kind === "stale")
      hatch(p, cx - r * 0.7, cy - r * 0.7, r * 1.4, r * 1.4, { color: c.info, spacing: 5 });
    if (r >= 10) {
      if (kind === "stale") {
        // the number on a plate, so the hatch does not cross its digits
        p.push();
        p.textSize(16);
        p.textStyle(p.BOLD);
        const tw = p.textWidth(String(srv.id + 1));
        p.pop();
        box(p, cx - tw / 2 - 1, cy - 9, tw + 2, 18, { fill: c.bg, radius: 2 });
      }
      text(p, String(srv.id + 1), cx, cy - 9, {
        color: kind === "querying" ? c.onFill : c.fg,
        bold: true,
        align: "center",
      });
    }
  });
  const words = [`${counts.hit} hit`, `${counts.querying} querying DB`];
  if (counts.waiting) words.push(`${counts.waiting} waiting`);
  if (counts.stale || st.mitigation === "lock") words.push(`${counts.stale} stale`);
  // Narrow: without "10 servers:" (the counts add up to it), then with shorter words.
  const shortWords = words.map((w) => w.replace("querying DB", "to DB").replace("waiting", "wait"));
  const legend = firstThatFits(
    p,
    [`${n} servers: ${words.join(" · ")}`, words.join(" · "), shortWords.join(" · ")],
    area.w - 16,
  );
  text(p, legend, area.x + 8, L.legend, { color: c.fg, maxWidth: area.w - 16 });

  // The primary database.
  const cap = st.dbCapacity;
  statusBar(p, c, {
    ...L.db,
    fraction: st.dbLoad / Math.max(cap + 1, st.dbPeak, 1),
    bad: st.dbOverloaded,
    text: st.dbOverloaded
      ? [
          `DB Overload: ${st.dbLoad} queries, capacity ${cap}`,
          `DB overload: ${st.dbLoad} queries (cap ${cap})`,
          `DB overload: ${st.dbLoad} queries, cap ${cap}`,
          `Overload: ${st.dbLoad} queries, cap ${cap}`,
        ]
      : [
          `Primary DB OK: ${st.dbLoad} ${st.dbLoad === 1 ? "query" : "queries"}, capacity ${cap}`,
          `DB OK: ${st.dbLoad} ${st.dbLoad === 1 ? "query" : "queries"} (cap ${cap})`,
        ],
  });

  if (L.chart) drawLoadChart(p, c, st, L.chart, captionLines);

  // The comparison table: the legend line goes first when short of room, then the rows of
  // other mitigations (the current run's row and the latest stay; describe() lists them all).
  let shownRows = 0;
  if (L.showTable) {
    const legend = L.rows >= tableRows;
    const fit = Math.max(1, Math.min(mitigations.length, L.rows - EXTRA_ROWS + (legend ? 0 : 1)));
    const rows = rowsThatFit(
      mitigations.map((m) => ({ mitigation: m[0], m })),
      st.mitigation,
      fit,
    ).map((row) => row.m);
    shownRows = rows.length;
    scenarioTable(p, c, {
      ...L.table,
      title: `${st.window} ticks`,
      groups: st.scenarios || [],
      mitigations: rows,
      results: st.results,
      current: { keys: st.keys, mitigation: st.mitigation },
      legend,
    });
  }
  return { chart: Boolean(L.chart), tableRows: shownRows, table: L.showTable, servers: n, circles };
}

/** "Batch of 10" / "1 hot key": the current scenario's heading in the results table. */
export function scenarioShort(st) {
  const found = (st.scenarios || []).find((group) => group.current);
  return found ? found.label : st.scenario;
}

/**
 * Bar chart of the database's queries per tick (the model's history) with its capacity line.
 * `maxLines`: 2 lets a caption too wide for `area` wrap onto a second line.
 */
function drawLoadChart(p, c, st, area, maxLines = 1) {
  const history = st.history || [];
  const cap = st.dbCapacity;
  const top = Math.max(cap + 1, st.dbPeak, ...history, 2);
  const spike = st.dbPeak > 1 ? ` (${st.dbPeak}x one query)` : "";
  const caption = `DB load per tick · peak ${st.dbPeak}${spike}`;
  // Narrow (a 320-370 px phone): "(10x one query)" on a second line, out of the plot's height.
  // Side by side at 700-779 px (one line): without "per tick" (the chart says it), then without
  // the multiple; the wide layouts' caption wherever it fits.
  const lines =
    maxLines < 2 || firstThatFits(p, [caption, ""], area.w) === caption || !spike
      ? [
          firstThatFits(
            p,
            [
              caption,
              `DB load · peak ${st.dbPeak}${spike}`,
              `DB load per tick · peak ${st.dbPeak}`,
            ],
            area.w,
          ),
        ]
      : [`DB load per tick · peak ${st.dbPeak}`, spike.trim()];
  lines.forEach((line, i) =>
    text(p, line, area.x, area.y + i * LINE, { color: c.fg, maxWidth: area.w }),
  );
  const head = lines.length * LINE + 2;
  const plot = { x: area.x + 26, y: area.y + head, w: area.w - 26, h: area.h - head };
  box(p, plot.x, plot.y, plot.w, plot.h, { stroke: c.grid, radius: 0 });
  text(p, String(top), plot.x - 4, plot.y, { color: c.muted, align: "right" });
  text(p, "0", plot.x - 4, plot.y + plot.h - 18, { color: c.muted, align: "right" });
  const slots = Math.max(history.length, 100);
  const bw = plot.w / slots;
  const start = slots - history.length;
  history.forEach((load, i) => {
    if (load <= 0) return;
    const h = ((plot.h - 2) * load) / top;
    const x = plot.x + (start + i) * bw;
    const over = load > cap;
    box(p, x, plot.y + plot.h - 1 - h, Math.max(1, bw - 0.3), h, {
      fill: over ? c.bad : c.accent,
      radius: 0,
    });
  });
  const capY = plot.y + plot.h - 1 - ((plot.h - 2) * cap) / top;
  p.push();
  p.stroke(c.fg);
  p.strokeWeight(1.5);
  p.drawingContext.setLineDash([6, 4]);
  p.line(plot.x, capY, plot.x + plot.w, capY);
  p.pop();
  // On a plate: in a short chart the label sits on the dashed line or on the bars.
  const capLabel = `capacity ${cap}`;
  const labelY = Math.max(plot.y + 1, capY - LINE);
  p.push();
  p.textSize(16);
  const labelW = p.textWidth(capLabel);
  p.pop();
  box(p, plot.x + 2, labelY, labelW + 4, LINE - 2, { fill: c.bg, radius: 2 });
  text(p, capLabel, plot.x + 4, labelY, { color: c.fg });
}
