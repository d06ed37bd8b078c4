// The "Hot Key" panel: the hot key(s) with their real hash slot and shard, request dots falling
// into the shard columns, each shard's load against its capacity and its share of all requests,
// and the results table.
//
// Draws only from `hk` = sim.state.hotKey, a HotKeyModel snapshot plus the controller's fields.
// The falling motion is view-only: `dots` holds a sample of the model's own sampled requests of
// the latest ticks with the time they arrived (see collectDots in sim.js); with
// reduced motion the dots are drawn where they land, without moving. Shapes carry meaning as well
// as colour: hot-key requests are filled dots, other keys hollow dots, reads served by a read
// replica squares; an overloaded shard is hatched and labelled OVERLOADED.

import { box, firstThatFits, fitText } from "../kit/draw.js";
import {
  LINE,
  NARROW,
  resultsTable,
  rowsThatFit,
  tableHeight,
  tableIsShort,
  text,
} from "./panel-parts.js";
import { headerRight } from "./stampede-view.js";

export const FALL_MS = 650;
const COLUMNS_NARROW = 130; // px: the shard columns a panel of its own (narrow screens) is sized for

/**
 * Where each part of the panel goes in `area` for `keyLines` hot-key lines and `rows` results.
 * `labelLines`: 3 on a 320-370 px phone whose columns are too narrow for "Shard 1: 80%" (the name,
 * the share and the status word each on a line under the column; the columns give up the line).
 */
export function layout(area, keyLines, rows, { labelLines = 2 } = {}) {
  let y = area.y + 2;
  const L = { header: y };
  y += 26;
  L.keys = y;
  y += keyLines * LINE + 4;
  L.legend = y;
  y += LINE + 2;
  L.dropTop = y;
  const bottom = area.y + area.h - 4;
  // As many of the latest results rows as leave the shard columns (with the dots' drop) 80 px;
  // at least one row, or no table if even that does not fit.
  const room = bottom - y - 2 * LINE - 80;
  L.rows = rows;
  while (L.rows > 1 && tableHeight(L.rows) > room) L.rows -= 1;
  const tableH = tableHeight(Math.max(L.rows, 1));
  L.showTable = room >= tableH;
  const tableTop = L.showTable ? bottom - tableH : bottom;
  L.labels = tableTop - labelLines * LINE - 6;
  L.columnsBottom = L.labels - 2;
  L.columnsTop = Math.min(L.dropTop + 26, L.columnsBottom - 30);
  L.table = { x: area.x + 8, y: tableTop, w: area.w - 16 };
  return L;
}

/**
 * The least panel height that draws every part: `keyLines` key-and-slot lines, the legend, the
 * shard columns `columns` px high with their two label lines, and a results table of `rows` rows.
 * Narrow screens show one panel at a time and ask the kit for this much canvas (minCanvasHeight).
 *
 *   minHeight(3, 4)   // -> 426: three key lines, 130 px columns, four results rows
 */
export function minHeight(keyLines, rows, columns = COLUMNS_NARROW) {
  const top = layout({ x: 0, y: 0, w: 100, h: 0 }, keyLines, rows).dropTop + 26;
  return top + columns + 2 + 2 * LINE + 6 + tableHeight(Math.max(rows, 1)) + 4;
}

/**
 * How wide each shard's status word may be, centred under its column: its own column pitch, plus
 * what a neighbour's shorter word leaves free on that side (so "OVERLOADED" is not cut on a
 * phone while a neighbour says "OK"), never less than the column width + 6 of the wide layout.
 */
function statusRoom(p, words, pitch, firstLeft, base) {
  p.push();
  p.textSize(16);
  p.textStyle(p.BOLD);
  const widths = words.map((w) => p.textWidth(w));
  p.pop();
  const free = (j) => (j < 0 || j >= words.length ? 0 : Math.max(0, pitch / 2 - widths[j] / 2 - 4));
  return words.map((_, i) => {
    const left = i === 0 ? firstLeft : pitch / 2 + free(i - 1);
    const right = i === words.length - 1 ? firstLeft : pitch / 2 + free(i + 1);
    return Math.max(base, 2 * Math.min(left, right));
  });
}

/** Where each shard's column is: x, width, centre. */
function columns(area, count) {
  const inner = area.w - 16;
  const w = inner / count;
  return (i) => ({ x: area.x + 8 + w * i + 4, w: w - 8, cx: area.x + 8 + w * i + w / 2 });
}

/** Stable pseudo-random number in [0, 1) for a dot, so it keeps its place between frames. */
function spread(n) {
  const s = Math.sin(n * 12.9898 + 78.233) * 43758.5453;
  return s - Math.floor(s);
}

export function hotKeyLines(hk) {
  const keys = hk.hotKeys || [];
  const line = (k) => `${k.key} → slot ${k.slot} → shard ${k.shard}`;
  if (keys.length <= 3) return keys.map(line);
  const rest = keys.slice(2).map((k) => `:${k.key.split(":").pop()} → ${k.slot} → ${k.shard}`);
  return [line(keys[0]), line(keys[1]), rest.join(", ")];
}

/**
 * Draws the panel; returns what it drew (view facts for tests, not simulation state):
 * `{shards: n, tableRows: n, keyLines: n}`.
 */
export function drawHotKey(p, c, hk, area, { reducedMotion, dots, now }) {
  const lines = hotKeyLines(hk);
  const shards = hk.shards || [];
  const col = columns(area, Math.max(shards.length, 1));
  // "Shard 1: 80%" under each column if it fits (sized for a two-digit share, so the layout does
  // not change during a run). If not: on a phone (below NARROW px) three lines under the column,
  // "Shard 1" / "80%" / status; in wider layouts with narrow columns (six shards) "S1" in the
  // column's top and "80%" / status under it.
  // Each label keeps 6 px from its neighbours' (side by side at 700-779 px "Shard 1: 80%" ran into
  // "Shard 2: 10%"); there "S1: 80%" is drawn instead, the table's "S1 over" naming.
  const pitch = (area.w - 16) / Math.max(shards.length, 1);
  const labelRoom = Math.min(col(0).w + 6, pitch - 6);
  const shardName = [(id) => `Shard ${id}`, (id) => `S${id}`].find((name) =>
    shards.every((s) => firstThatFits(p, [`${name(s.id)}: 88%`, ""], labelRoom) !== ""),
  );
  const wideLabels = col(0).w >= 100 && shardName !== undefined;
  const threeLines = !wideLabels && area.w < NARROW;
  const L = layout(area, lines.length, hk.results.length, { labelLines: threeLines ? 3 : 2 });
  text(p, "Hot Key", area.x + 8, L.header, { color: c.fg, bold: true, size: 18 });
  headerRight(p, c, hk, area, L.header, 90);
  lines.forEach((line, i) => {
    text(p, line, area.x + 8, L.keys + i * LINE, { color: c.fg, maxWidth: area.w - 16 });
  });

  const local = hk.mitigation === "local-cache";
  const cap = hk.shards.length ? hk.shards[0].capacity : 0;
  const rate = hk.requestsPerTick;
  // The first wording is the wide layout's; a 320-370 px phone gets a shorter one that fits.
  const legend = firstThatFits(
    p,
    local
      ? [
          `Local cache hit rate ${Math.round(100 * hk.localHitRate)}% · - - cap ${cap}`,
          `Local hits ${Math.round(100 * hk.localHitRate)}% · - - cap ${cap}`,
        ]
      : hk.mitigation === "read-replicas"
        ? [
            `${rate} req/tick · - - cap ${cap} · ■ replica read`,
            `${rate}/tick · - - cap ${cap} · ■ replica read`,
            `${rate}/tick · - - cap ${cap} · ■ replica`,
          ]
        : [
            `${rate} req/tick · - - cap ${cap} · ● hot ○ other`,
            `${rate}/tick · - - cap ${cap} · ● hot ○ other`,
            `${rate}/tick · cap ${cap} · ● hot ○ other`,
          ],
    area.w - 20,
  );
  if (local) {
    box(p, area.x + 6, L.legend - 2, area.w - 12, LINE + 2, { stroke: c.info, fill: c.bg });
  }

  // Shard columns: load this tick against capacity (dashed line), hatch + OVERLOADED above it.
  const top =
    Math.max(...shards.map((s) => Math.max(s.load, ...(s.replicaLoad || []), s.capacity)), 1) * 1.1;
  const colH = L.columnsBottom - L.columnsTop;
  const narrowColumns = col(0).w < 100;
  let status = shards.map((s) => (s.overloaded ? (narrowColumns ? "OVER" : "OVERLOADED") : "OK"));
  let room = statusRoom(p, status, pitch, pitch / 2 + 6, col(0).w + 6);
  // A word that has not the room (a 320-370 px phone) is the narrow columns' "OVER".
  const cut = status.map((w, i) => firstThatFits(p, [w, ""], room[i], { bold: true }) !== w);
  if (cut.some(Boolean)) {
    status = status.map((w, i) => (cut[i] ? "OVER" : w));
    room = statusRoom(p, status, pitch, pitch / 2 + 6, col(0).w + 6);
  }
  shards.forEach((s, i) => {
    const g = col(i);
    box(p, g.x, L.columnsTop, g.w, colH, { stroke: c.grid, fill: c.bg, radius: 0 });
    const h = (colH * s.load) / top;
    box(p, g.x + 1, L.columnsBottom - h, g.w - 2, h, {
      fill: s.overloaded ? c.bad : c.ok,
      radius: 0,
      pattern: s.overloaded ? "hatch" : null,
      patternColor: c.fg,
    });
    const replicas = s.replicaLoad || [];
    replicas.forEach((load, j) => {
      const rw = Math.min(14, (g.w - 8) / (2 * replicas.length));
      const rh = (colH * load) / top;
      const rx = g.x + g.w - (replicas.length - j) * (rw + 3) - 2;
      box(p, rx, L.columnsBottom - rh, rw, rh, { fill: c.info, stroke: c.fg, radius: 0 });
    });
    const capY = L.columnsBottom - (colH * s.capacity) / top;
    p.push();
    p.stroke(c.fg);
    p.strokeWeight(1.5);
    p.drawingContext.setLineDash([6, 4]);
    p.line(g.x - 2, capY, g.x + g.w + 2, capY);
    p.pop();
    // Wide columns: "Shard 1: 80%" / "OVERLOADED"; on a phone too narrow for that, "Shard 1" /
    // "80%" / "OVER" below the column; other narrow ones: "S1" in the column, "80%" / "OVER" below.
    const narrow = !wideLabels;
    const pct = `${Math.round(100 * s.share)}%`;
    let y = L.labels;
    if (threeLines) {
      const name = firstThatFits(p, [`Shard ${s.id}`, `S${s.id}`], pitch - 4);
      text(p, name, g.cx, y, { color: c.fg, align: "center", maxWidth: pitch - 4 });
      y += LINE;
    } else if (narrow) {
      text(p, `S${s.id}`, g.x + 2, L.columnsTop + 2, {
        color: c.fg,
        bold: true,
        maxWidth: g.w - 4,
      });
    }
    text(p, narrow ? pct : `${shardName(s.id)}: ${pct}`, g.cx, y, {
      color: c.fg,
      align: "center",
      maxWidth: g.w + 6,
    });
    text(p, status[i], g.cx, y + LINE, {
      color: s.overloaded ? c.bad : c.fg,
      bold: s.overloaded,
      align: "center",
      maxWidth: room[i],
    });
  });

  // Request dots (a sample of the model's requests), falling from the top into their shard.
  const index = new Map(shards.map((s, i) => [s.id, i]));
  const hotPrefix = (hk.hotKeys[0]?.key || "popular_key").split(":")[0];
  for (const d of dots) {
    const i = index.get(d.shard);
    const inLocal = d.served_by === "local-cache";
    if (i === undefined && !inLocal) continue;
    const g = i === undefined ? null : col(i);
    const x = inLocal
      ? area.x + 20 + spread(d.n) * (area.w - 40)
      : g.x + 8 + spread(d.n) * (g.w - 16);
    const endY = inLocal ? L.legend + LINE / 2 : L.columnsTop + 6 + spread(d.n + 3) * 18;
    const startY = L.dropTop;
    let t = reducedMotion ? 1 : (now - d.born) / FALL_MS;
    t = Math.max(0, Math.min(1, t));
    const y = startY + (endY - startY) * t;
    const hot = String(d.key).startsWith(hotPrefix);
    p.push();
    p.strokeWeight(2);
    if (d.served_by === "replica") {
      p.stroke(c.info);
      p.fill(c.info);
      p.rect(x - 4, y - 4, 8, 8);
    } else {
      p.stroke(hot ? c.accent : c.muted);
      if (hot) p.fill(c.accent);
      else p.fill(c.bg);
      p.circle(x, y, 9);
    }
    p.pop();
  }

  // The legend goes on top of the dots, on a plate: local-cache dots land in its box and must
  // not hide its words.
  p.push();
  p.textSize(16);
  const shown = fitText(p, legend, area.w - 20);
  const legendW = p.textWidth(shown);
  p.pop();
  box(p, area.x + 8, L.legend - 1, legendW + 4, LINE, { fill: c.bg, radius: 2 });
  text(p, legend, area.x + 10, L.legend, { color: c.fg, maxWidth: area.w - 20 });

  let tableRows = 0;
  if (L.showTable) {
    const columns = [
      { title: `${hk.window} ticks`, width: 0.31 },
      { title: "Max share", short: "Max %", width: 0.25, align: "right" },
      { title: "Local", width: 0.14, align: "right" },
      { title: "Shards", width: 0.3 },
    ];
    const results = rowsThatFit(hk.results, hk.mitigation, L.rows);
    tableRows = results.length;
    resultsTable(p, c, {
      ...L.table,
      columns,
      // 6: "Max share" keeps a space before "Local" (side by side at 700-779 px: "Max %").
      short: tableIsShort(p, columns, ["Read replicas", "88%", "88%", "S1 over"], L.table.w, 6),
      rows: results.map((row) => [
        row.label,
        `${Math.round(100 * row.maxShare)}%`,
        row.mitigation === "local-cache" ? `${Math.round(100 * row.localHitRate)}%` : "–",
        row.overloaded ? `S${row.overloadedShards.join(",S")} over` : row.complete ? "OK" : "…",
      ]),
      bad: (i) => results[i].overloaded,
      current: results.findIndex((row) => row.mitigation === hk.mitigation),
    });
  }
  return { shards: shards.length, tableRows, table: L.showTable, keyLines: lines.length };
}
