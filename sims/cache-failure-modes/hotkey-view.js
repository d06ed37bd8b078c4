// The "Hot Key" panel: the hot key(s) with their real hash slot and shard, request dots falling
// into the shard columns, each column's load against its capacity and its share of all requests,
// and the results table. Draws only from `hk` = sim.state.hotKey (a HotKeyModel snapshot plus the
// controller's fields). The falling motion is view-only: `dots` holds the model's sampled requests
// of the last ticks with the time they arrived; reduced motion draws them at rest.

import { hatch, label, table } from "./panel-draw.js";

export const FALL_MS = 700;

export function hotKeyLayout(box) {
  return {
    header: box.y + 4,
    keys: box.y + 30,
    local: { x: box.x + 8, y: box.y + 98, w: box.w - 16, h: 24 },
    dropTop: box.y + 126,
    columnsTop: box.y + 176,
    columnsBottom: box.y + 318,
    labels: box.y + 322,
    table: { x: box.x + 8, y: box.y + 372, w: box.w - 16 },
  };
}

function columnGeometry(box, count) {
  const inner = box.w - 16;
  const w = inner / count;
  return (i) => ({ x: box.x + 8 + w * i + 4, w: w - 8, cx: box.x + 8 + w * i + w / 2 });
}

/** Stable pseudo-random offset in [-1, 1] for a dot, so dots do not jump between frames. */
function jitter(n) {
  const s = Math.sin(n * 12.9898) * 43758.5453;
  return (s - Math.floor(s)) * 2 - 1;
}

export function drawHotKey(p, c, hk, box, { reducedMotion, dots, now }) {
  const L = hotKeyLayout(box);
  const mitigation = (hk.mitigations || []).find(([k]) => k === hk.mitigation);
  const title = hk.mitigation === "none" ? "no mitigation" : mitigation ? mitigation[1] : hk.mitigation;
  label(p, "Hot Key", box.x + 8, L.header, { size: 18, bold: true, color: c.fg });
  label(p, `${title} · tick ${hk.tick}`, box.x + box.w - 8, L.header + 2, {
    color: c.muted, align: "right", maxWidth: box.w - 100,
  });

  // The hot key(s): "popular_key:1 → slot 11046 → shard 3".
  const keys = hk.hotKeys || [];
  const shown = keys.length > 3 ? keys.slice(0, 2) : keys;
  shown.forEach((k, i) => {
    label(p, `${k.key} → slot ${k.slot} → shard ${k.shard}`, box.x + 8, L.keys + i * 22, {
      color: c.fg, maxWidth: box.w - 16,
    });
  });
  if (keys.length > 3) {
    const rest = keys.slice(2).map((k) => `:${k.key.split(":").pop()}→${k.shard}`).join(" ");
    label(p, `and ${rest}`, box.x + 8, L.keys + 44, { color: c.fg, maxWidth: box.w - 16 });
  }

  // The local in-process caches, when that mitigation runs.
  const local = hk.mitigation === "local-cache";
  if (local) {
    p.stroke(c.info);
    p.strokeWeight(1);
    p.fill(c.bg);
    p.rect(L.local.x, L.local.y, L.local.w, L.local.h, 4);
    label(p, `App servers' local caches: ${Math.round(100 * (hk.localHitRate || 0))}% of hot reads`,
      L.local.x + 6, L.local.y + 3, { color: c.fg, maxWidth: L.local.w - 12 });
  }

  // Shard columns: load bar against capacity, hatch + OVERLOADED when over it.
  const shards = hk.shards || [];
  const col = columnGeometry(box, Math.max(shards.length, 1));
  const maxLoad = Math.max(...shards.map((s) => Math.max(s.load, s.capacity || 0)), 1) * 1.05;
  const colH = L.columnsBottom - L.columnsTop;
  shards.forEach((s, i) => {
    const g = col(i);
    p.stroke(c.grid);
    p.strokeWeight(1);
    p.fill(c.bg);
    p.rect(g.x, L.columnsTop, g.w, colH);
    const h = (colH * s.load) / maxLoad;
    p.noStroke();
    p.fill(s.overloaded ? c.bad : c.ok);
    p.rect(g.x, L.columnsBottom - h, g.w, h);
    if (s.overloaded) hatch(p, g.x, L.columnsBottom - h, g.w, h, c.fg, 10);
    if (s.capacity) {
      const y = L.columnsBottom - (colH * s.capacity) / maxLoad;
      p.stroke(c.warn);
      p.strokeWeight(2);
      p.drawingContext.setLineDash([6, 4]);
      p.line(g.x - 3, y, g.x + g.w + 3, y);
      p.drawingContext.setLineDash([]);
    }
    const narrow = g.w < 96;
    label(p, narrow ? `S${s.id}` : `Shard ${s.id}`, g.cx, L.labels, {
      color: c.fg, bold: true, align: "center", maxWidth: g.w + 8,
    });
    label(p, `${Math.round(100 * s.share)}%`, g.cx, L.labels + 18, {
      color: c.fg, align: "center", maxWidth: g.w + 8,
    });
    label(p, s.overloaded ? (narrow ? "OVER" : "OVERLOADED") : "OK", g.cx, L.labels + 36, {
      color: s.overloaded ? c.bad : c.fg, bold: s.overloaded, align: "center", maxWidth: g.w + 8,
    });
  });

  // Request dots, from the model's sampled requests; hot-key dots filled, other keys hollow.
  const shardIndex = new Map(shards.map((s, i) => [s.id, i]));
  const drawDot = (d, x, y) => {
    const hot = String(d.key).startsWith(hk.hotKey || "popular_key");
    if (d.served_by === "replica") {
      p.stroke(c.accent);
      p.strokeWeight(2);
      p.fill(hot ? c.accent : c.bg);
      p.rect(x - 4, y - 4, 8, 8);
    } else {
      p.stroke(hot ? c.accent : c.muted);
      p.strokeWeight(2);
      if (hot) p.fill(c.accent);
      else p.fill(c.bg);
      p.circle(x, y, 9);
    }
  };
  for (const d of dots) {
    const idx = shardIndex.get(d.shard);
    const inLocal = d.served_by === "local-cache";
    if (idx === undefined && !inLocal) continue;
    const g = idx === undefined ? null : col(idx);
    const x = inLocal
      ? L.local.x + L.local.w / 2 + jitter(d.n) * (L.local.w / 2 - 10)
      : g.cx + jitter(d.n) * (g.w / 2 - 8);
    const endY = inLocal ? L.local.y + L.local.h / 2 : L.columnsTop + 8 + Math.abs(jitter(d.n + 7)) * 20;
    const startY = L.dropTop - 20;
    let t = reducedMotion ? 1 : (now - d.born) / FALL_MS;
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    drawDot(d, x, startY + (endY - startY) * t);
  }

  const legendY = L.dropTop - 24;
  if (!local) {
    label(p, `${hk.requestsPerTick ? `${hk.requestsPerTick} req/tick · ` : ""}● hot key  ○ other keys`,
      box.x + 8, legendY, { color: c.muted, maxWidth: box.w - 16 });
  }

  const rows = hk.results.map((row) => [
    row.label,
    `${Math.round(100 * row.maxShare)}%`,
    row.mitigation === "local-cache" ? `${Math.round(100 * row.localHitRate)}%` : "–",
    row.complete
      ? (row.overloaded ? `${row.overloadedShards.map((s) => `S${s}`).join(",")} OVER` : "OK")
      : `tick ${row.ticks}`,
  ]);
  table(p, c, {
    ...L.table,
    columns: [
      { title: `Results (${hk.window} ticks)`, width: 0.4 },
      { title: "Max share", width: 0.2, align: "right" },
      { title: "Local", width: 0.15, align: "right" },
      { title: "Shards", width: 0.25, align: "right" },
    ],
    rows,
    bad: (i) => hk.results[i].overloaded,
    current: hk.results.findIndex((row) => row.mitigation === hk.mitigation),
  });
}
