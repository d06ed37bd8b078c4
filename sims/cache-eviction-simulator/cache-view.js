// cache-view.js -- drawing for the cache-eviction-simulator (p5 instance mode, no state of its own).
//
// Everything drawn comes from the controller's state (sims/cache-eviction-simulator/controller.py):
// the slots in the order the controller gives (next victim last, so it sits at the bottom), the
// access log, the statistics and, after a full run, the four-policy comparison. The only extra
// input is `anim`, the view's animation progress for the last step (an evicted slot flashing red
// and fading, the new key sliding in from the top); with reduced motion it is null.
//
// Prediction mode (state.predicting): the controller lists the slots by key and marks no victim;
// the header then says only that a miss evicts a key, not which one.
//
// Colour is never the only cue: the next victim also has a hatched stripe and the words
// "next out"; hits and misses are spelled out; the predicted slot says "your guess".
//
// Phones (narrower than 600 px): one column, cache, then statistics, then the access log at
// full width with the last LOG_ENTRIES entries' reasons wrapped at 16 px. The canvas height that
// needs is sceneHeight(); the page passes it to the kit as minCanvasHeight, so the page grows.
//
// Usage:
//   import { layout, drawScene, sceneHeight, slotAt } from "./cache-view.js";
//   const box = layout(p.width, p.height, sim.state ? sim.state.capacity : sim.params.capacity);
//   const info = drawScene(p, sim.state, sim.colors, box, anim);  // what was drawn (view facts)
//   const key = slotAt(sim.state, box, p.mouseX, p.mouseY);  // slot under the pointer, or null
//   const least = sceneHeight(p, sim.state, width, sim.params.capacity);  // 0 when wide

import { box as drawBox, firstThatFits, hatch, fitText, label, MIN_TEXT } from "../kit/draw.js";

const PAD = 8;
const STATS_H = 76;
const HEADER_H = 48;
const MIN_PITCH = 24; // a slot row must fit one 16 px line
export const NARROW_BELOW = 600; // canvas widths below this get the stacked phone layout
const STACK_PITCH = 30; // phone slot rows: one 16 px line each (as the old phone canvas had)
const LOG_TOP = 30; // the log's title
const LOG_LINE_H = 20;
const LOG_ENTRIES = 4; // phones show at least the last four entries, reasons whole
const LOG_MIN_ROWS = 12; // ... and never less room than this (the page, and the buttons under the
// canvas, should not move on every step: the log's room only grows during a run, see below)

/** Panel rectangles for a canvas of w x h: cache on the left, statistics and the log on the
 *  right when wide. Narrower than NARROW_BELOW (phones) the panels stack: the cache (one line
 *  per slot, `capacity` slots), the statistics, then the log at full width taking the rest;
 *  `narrow` is then true and the cache header also carries the hit rate and the next access. */
export function layout(w, h, capacity = 6) {
  if (w >= NARROW_BELOW) {
    const leftW = Math.round(w * 0.54);
    return {
      narrow: false,
      cache: { x: PAD, y: PAD, w: leftW - PAD, h: h - 2 * PAD },
      stats: { x: leftW + PAD, y: PAD, w: w - leftW - 2 * PAD, h: STATS_H },
      log: {
        x: leftW + PAD,
        y: STATS_H + 2 * PAD,
        w: w - leftW - 2 * PAD,
        h: h - STATS_H - 3 * PAD,
      },
    };
  }
  const cache = { x: PAD, y: PAD, w: w - 2 * PAD, h: stackedCacheHeight(capacity) };
  const stats = { x: PAD, y: cache.y + cache.h + PAD, w: w - 2 * PAD, h: STATS_H };
  const logY = stats.y + stats.h + PAD;
  // until the kit has laid the page out at sceneHeight() the log may not fit: leave it out then
  const log =
    h - logY - PAD >= LOG_TOP + LOG_LINE_H + 6
      ? { x: PAD, y: logY, w: w - 2 * PAD, h: h - logY - PAD }
      : null;
  return { narrow: true, cache, stats, log };
}

function stackedCacheHeight(capacity) {
  return HEADER_H + 6 + Math.max(1, capacity) * STACK_PITCH;
}

/** Rows of the log's text (title excluded) that any LOG_ENTRIES consecutive entries of the run
 *  so far need at `width` (so the height only grows during a run, and the last four entries
 *  always fit whole), or the sequence's rows when nothing has been accessed yet. */
function logRowsNeeded(p, state, width) {
  if (!state.log.length) {
    p.push();
    p.textSize(MIN_TEXT);
    p.textStyle(p.BOLD);
    const keys = wrap(p, state.sequence.map((a) => a.key).join(" "), width - 24);
    p.pop();
    return keys.length + 2;
  }
  const counts = state.log.map((entry) => logRows(p, state, entry, width).length);
  let most = 0;
  for (let i = 0; i < counts.length; i += 1) {
    most = Math.max(
      most,
      counts.slice(i, i + LOG_ENTRIES).reduce((a, b) => a + b, 0),
    );
  }
  return most;
}

/** The least canvas height the view needs at `width` (the kit's minCanvasHeight): 0 when wide
 *  (the panels share what the page gives), else the stacked cache, statistics and a log with
 *  room for any four consecutive entries of the run so far, whole. Without a state (or before
 *  p5 can measure text) it reserves the default room for `capacity` slots; the page asks
 *  again once it can measure. */
export function sceneHeight(p, state, width, capacity = 6) {
  if (width >= NARROW_BELOW) return 0;
  const slots = state ? state.capacity : capacity;
  const logW = width - 2 * PAD;
  let rows = LOG_MIN_ROWS;
  if (state && p) rows = Math.max(rows, logRowsNeeded(p, state, logW));
  const compareH = comparisonHeight(state);
  const logH = LOG_TOP + rows * LOG_LINE_H + 6 + compareH + 2;
  return PAD + stackedCacheHeight(slots) + PAD + STATS_H + PAD + logH + PAD;
}

/** Rectangle of slot number `i` (0 = top) for a cache of `capacity` slots. When one column
 *  would make the slots too short for a 16 px line (many slots in a short canvas, e.g. with the
 *  settings open), they fill two columns top to bottom, left column first, so the next victim
 *  (the last slot) is still at the bottom, of the right-hand column. */
export function slotRect(panel, capacity, i) {
  const top = panel.y + HEADER_H;
  const avail = panel.h - HEADER_H - 6;
  const cols = avail / capacity < MIN_PITCH && capacity > 3 ? 2 : 1;
  const rows = Math.ceil(capacity / cols);
  const pitch = avail / rows;
  const gap = Math.min(6, Math.max(3, pitch * 0.2));
  const colW = (panel.w - 16 - (cols - 1) * 8) / cols;
  const col = Math.floor(i / rows);
  const row = i % rows;
  return { x: panel.x + 8 + col * (colW + 8), y: top + row * pitch, w: colW, h: pitch - gap };
}

/** The key of the slot under (mx, my), or null. */
export function slotAt(state, geometry, mx, my) {
  if (!state) return null;
  for (let i = 0; i < state.slots.length; i += 1) {
    const r = slotRect(geometry.cache, state.capacity, i);
    if (mx >= r.x && mx <= r.x + r.w && my >= r.y && my <= r.y + r.h) return state.slots[i].key;
  }
  return null;
}

/** Whole frame. Returns what it drew (view facts for tests, not simulation state):
 *  `{narrow, panels: [names], rects: {name: rect}, logLines: [texts]}`. */
export function drawScene(p, state, colors, geometry, anim) {
  p.background(colors.bg);
  p.textFont("system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif");
  const info = {
    narrow: geometry.narrow,
    panels: ["cache"],
    rects: { cache: geometry.cache },
    logLines: [],
  };
  drawCache(p, state, colors, geometry.cache, anim, geometry.narrow);
  if (geometry.stats) {
    drawStats(p, state, colors, geometry.stats);
    info.panels.push("stats");
    info.rects.stats = geometry.stats;
  }
  if (geometry.log) {
    info.logLines = drawLog(p, state, colors, geometry.log, geometry.narrow);
    info.panels.push("log");
    info.rects.log = geometry.log;
  }
  return info;
}

function panelFrame(p, r, colors) {
  drawBox(p, r.x, r.y, r.w, r.h, { fill: colors.panel, stroke: colors.grid, radius: 6 });
}

function secs(value) {
  if (value === null || value === undefined) return "?";
  return `${Math.round(value * 10) / 10} s`;
}

// ------------------------------------------------------------------------------------ cache
function drawCache(p, state, colors, r, anim, narrow) {
  panelFrame(p, r, colors);
  const title = `${state.policy} · ${state.capacity} slots`;
  p.push();
  p.textSize(18);
  p.textStyle(p.BOLD);
  const titleW = p.textWidth(title);
  p.pop();
  const clock = firstThatFits(
    p,
    [
      `step ${state.step}/${state.total} · t=${state.clockMs / 1000} s`,
      `step ${state.step}/${state.total}`,
      `${state.step}/${state.total}`,
    ],
    r.w - titleW - 34,
  );
  p.push();
  p.textSize(MIN_TEXT);
  const clockW = p.textWidth(clock);
  p.pop();
  label(p, title, r.x + 10, r.y + 14, {
    color: colors.fg,
    bold: true,
    size: 18,
    maxWidth: r.w - clockW - 34,
  });
  label(p, clock, r.x + r.w - 10, r.y + 14, {
    color: colors.muted,
    align: "right",
    maxWidth: clockW + 2,
  });
  const up = state.upcoming;
  // prediction mode: which slot goes is the student's question, so the header does not say
  const evicts = state.predicting ? "miss, evicts a key: which?" : "miss, evicts the bottom slot";
  let line2 = up
    ? firstThatFits(
        p,
        [
          `Next: GET ${up.key} → ${up.hit ? "hit" : up.evicts ? evicts : "miss, fills a free slot"}`,
          `Next: GET ${up.key} → ${up.hit ? "hit" : up.evicts ? "miss, evicts one" : "miss, free slot"}`,
        ],
        r.w - 20,
      )
    : "Sequence finished";
  if (narrow) {
    // phones: no statistics panel, so the header carries hit rate, evictions and what comes next
    const next = up
      ? `next GET ${up.key} → ${up.hit ? "hit" : up.evicts ? "miss, evicts" : "miss"}`
      : "sequence finished";
    line2 = firstThatFits(
      p,
      [
        `Hit rate ${state.hitRate}% · evictions ${state.evictions} · ${line2}`,
        `Hit rate ${state.hitRate}% · evictions ${state.evictions} · ${next}`,
        `Hits ${state.hitRate}% · ${state.evictions} evicted · ${next}`,
        `Hits ${state.hitRate}% · ${next}`,
        // the statistics panel below has the hit rate: the narrowest header keeps what comes next
        next.replace(/^next/, "Next:"),
        up ? `Next: GET ${up.key}` : "Sequence finished",
      ],
      r.w - 20,
    );
  }
  label(p, line2, r.x + 10, r.y + 35, { color: colors.muted, maxWidth: r.w - 20 });

  // Stage "out": the cache as it was, the evicted slot flashing red. Stage "in": the cache as it
  // is, the new key sliding down from the top (clipped to the slot area).
  const outPhase = Boolean(anim?.before && anim.evicted && anim.progressOut < 1);
  const view = outPhase ? anim.before : state;
  const used = view.slots.length;
  const area = slotRect(r, state.capacity, 0);
  p.push();
  p.drawingContext.save();
  p.drawingContext.beginPath();
  p.drawingContext.rect(r.x, area.y - 4, r.w, r.y + r.h - area.y + 4);
  p.drawingContext.clip();
  for (let i = 0; i < state.capacity; i += 1) {
    const s = slotRect(r, state.capacity, i);
    if (i >= used) {
      p.push();
      p.noFill();
      p.stroke(colors.grid);
      p.strokeWeight(1.5);
      p.drawingContext.setLineDash([6, 5]);
      p.rect(s.x, s.y, s.w, s.h, 5);
      p.pop();
      label(p, "empty", s.x + s.w / 2, s.y + s.h / 2, { color: colors.muted, align: "center" });
      continue;
    }
    const slot = view.slots[i];
    let dy = 0;
    let alpha = 255;
    if (!outPhase && anim && anim.newKey === slot.key && anim.progressIn < 1) {
      dy = -(s.y + s.h - area.y + 6) * (1 - anim.progressIn);
      alpha = Math.round(255 * Math.max(0.2, anim.progressIn));
    }
    drawSlot(p, view, colors, slot, { ...s, y: s.y + dy }, alpha, outPhase ? null : anim, narrow);
    if (outPhase && slot.key === anim.evicted) drawEvictionFlash(p, colors, s, anim);
  }
  p.drawingContext.restore();
  p.pop();
}

function drawEvictionFlash(p, colors, s, anim) {
  const t = anim.progressOut;
  const on = Math.floor(t * 4) % 2 === 0;
  p.push();
  // an opaque base first, so the slot's own text does not show through the flash
  p.noStroke();
  p.fill(colors.bg);
  p.rect(s.x, s.y, s.w, s.h, 5);
  const c = p.color(colors.bad);
  c.setAlpha(on ? 245 : 150);
  p.fill(c);
  p.stroke(colors.bad);
  p.strokeWeight(3.5);
  p.rect(s.x, s.y, s.w, s.h, 5);
  p.pop();
  label(p, `${anim.evicted}: evicted`, s.x + s.w / 2, s.y + s.h / 2, {
    color: colors.onFill,
    bold: true,
    align: "center",
    maxWidth: s.w - 12,
  });
}

function metricTexts(state, slot) {
  // Redis keeps the 8-bit LFU counter only under the LFU policies; otherwise count accesses
  const count =
    state.lfuCounter === "log" &&
    state.policyId === "lfu" &&
    slot.freq !== null &&
    slot.freq !== undefined
      ? `counter ${slot.freq}`
      : `${slot.accessCount} ${slot.accessCount === 1 ? "use" : "uses"}`;
  const last = `last t=${secs(slot.lastAccessS)}`;
  const idle = `idle ${secs(slot.idleS)}`;
  const ttl = slot.ttl === null ? "no TTL" : `TTL ${secs(slot.ttl)}`;
  return { count, last, idle, ttl };
}

function drawSlot(p, state, colors, slot, s, alpha, anim, narrow = false) {
  const victim = slot.nextEvict;
  const guessed = state.prediction === slot.key;
  const fresh = anim && anim.touchedKey === slot.key;
  p.push();
  const fill = p.color(colors.bg);
  fill.setAlpha(alpha);
  p.fill(fill);
  p.stroke(victim ? colors.bad : colors.grid);
  p.strokeWeight(victim ? 3.5 : 1.5);
  p.rect(s.x, s.y, s.w, s.h, 5);
  p.pop();
  if (victim) {
    hatch(p, s.x + 2, s.y + 2, 14, s.h - 4, { color: colors.bad, spacing: 6 });
  }
  if (guessed) {
    p.push();
    p.noFill();
    p.stroke(colors.accent);
    p.strokeWeight(2.5);
    p.drawingContext.setLineDash([7, 4]);
    p.rect(s.x - 4, s.y - 3, s.w + 8, s.h + 6, 7);
    p.pop();
  }
  const m = metricTexts(state, slot);
  const left = s.x + (victim ? 22 : 10);
  const twoLines = s.h >= 36;
  const line1 = twoLines ? s.y + Math.max(10, s.h * 0.27) : s.y + s.h / 2;
  const line2 = twoLines ? s.y + s.h - Math.max(9, s.h * 0.26) : line1;
  label(p, slot.key, left, line1, { color: colors.fg, bold: true, size: 18, maxWidth: 90 });
  p.push();
  p.textSize(18);
  p.textStyle(p.BOLD);
  const keyW = Math.min(90, p.textWidth(slot.key));
  p.pop();
  // tags on the right of line 1: "next out", "your guess", "hit" / "new"
  const tags = [];
  // tag text stays at text contrast (fg / accent); the red border and hatch carry the colour
  if (victim) tags.push({ text: s.w >= 260 ? "▼ next out" : "▼ out", color: colors.fg });
  if (guessed) tags.push({ text: "your guess", color: colors.accent });
  if (fresh && anim.hit) tags.push({ text: "✓ hit", color: colors.fg });
  if (fresh && !anim.hit) tags.push({ text: "new", color: colors.accent });
  let right = s.x + s.w - 10;
  for (const tag of tags) {
    const shown = label(p, tag.text, right, line1, {
      color: tag.color,
      bold: true,
      align: "right",
    });
    p.push();
    p.textSize(MIN_TEXT);
    p.textStyle(p.BOLD);
    right -= p.textWidth(shown) + 16;
    p.pop();
  }
  const emph = { lru: "last", lfu: "count", ttl: "ttl", random: null }[state.policyId];
  const parts = [
    ["count", m.count],
    ["last", `${m.last} (${m.idle})`],
  ];
  if (state.policyId === "ttl") parts.push(["ttl", m.ttl]);
  if (twoLines) {
    label(p, slot.value ?? "", left + keyW + 12, line1, {
      color: colors.muted,
      maxWidth: Math.max(0, right - (left + keyW + 12) - 4),
    });
    // when every number does not fit whole, "last t=8 s (idle 6 s)" becomes "idle 6 s"
    const widthOf = (list) => {
      p.push();
      p.textSize(MIN_TEXT);
      let total = 0;
      for (const [name, text] of list) {
        p.textStyle(name === emph ? p.BOLD : p.NORMAL);
        total += p.textWidth(text) + 18;
      }
      p.pop();
      return total - 18;
    };
    if (widthOf(parts) > s.x + s.w - 10 - left) {
      parts[1] = ["last", m.idle];
    }
    let x = left;
    for (const [name, text] of parts) {
      const shown = label(p, text, x, line2, {
        color: name === emph ? colors.fg : colors.muted,
        bold: name === emph,
        maxWidth: s.x + s.w - 10 - x,
      });
      p.push();
      p.textSize(MIN_TEXT);
      p.textStyle(name === emph ? p.BOLD : p.NORMAL);
      x += p.textWidth(shown) + 18;
      p.pop();
    }
  } else {
    const main = parts.find(([name]) => name === emph) ?? parts[0];
    const x = left + keyW + 12;
    // LRU on one line: "idle 6 s" alone when "last t=8 s (idle 6 s)" does not fit
    const room = Math.max(0, right - x - 4);
    const ttl = state.policyId === "ttl" ? ` · ${m.ttl}` : "";
    // prediction mode: every number the student may reason from, not only the policy's own
    const mainText = state.predicting
      ? firstThatFits(
          p,
          [`${m.count} · ${m.last} (${m.idle})${ttl}`, `${m.count} · ${m.idle}${ttl}`],
          room,
          { bold: emph !== null },
        )
      : main[0] === "last"
        ? firstThatFits(p, [main[1], m.idle], room, { bold: emph !== null })
        : main[1];
    const shown = label(p, mainText, x, line1, {
      color: colors.fg,
      bold: emph !== null,
      maxWidth: Math.max(0, right - x - 4),
    });
    // short slots (the book's column): the value preview follows on the same line when it fits
    p.push();
    p.textSize(MIN_TEXT);
    p.textStyle(emph !== null ? p.BOLD : p.NORMAL);
    const valueX = x + p.textWidth(shown) + 14;
    p.pop();
    // (phones: only a whole value; a cut "d-row…" says nothing the key does not)
    p.push();
    p.textSize(MIN_TEXT);
    p.textStyle(p.NORMAL);
    const whole = p.textWidth(String(slot.value ?? "")) <= right - valueX - 4;
    p.pop();
    if (slot.value && right - valueX - 4 >= 60 && (whole || !narrow)) {
      label(p, slot.value, valueX, line1, { color: colors.muted, maxWidth: right - valueX - 4 });
    }
  }
}

// ------------------------------------------------------------------------------------ stats
function drawStats(p, state, colors, r) {
  panelFrame(p, r, colors);
  const accesses = state.hits + state.misses;
  const bytes =
    state.memoryBytes === null || state.memoryBytes === undefined ? "" : `, ${state.memoryBytes} B`;
  const x = r.x + 10;
  const w = r.w - 20;
  // hit-rate bar beside the number (the number is the cue; the bar is a picture of it)
  const barW = Math.min(90, w * 0.25);
  // longest wording that fits: at the book's 660 px column this panel is under 300 px wide
  const hit = firstThatFits(
    p,
    [`Hit rate ${state.hitRate}% (${state.hits} of ${accesses})`, `Hit rate ${state.hitRate}%`],
    w - barW - 10,
    { bold: true },
  );
  const counts = firstThatFits(
    p,
    [
      `Evictions ${state.evictions} · Memory ${state.memoryUsed}/${state.capacity} keys${bytes}`,
      `Evictions ${state.evictions} · ${state.memoryUsed}/${state.capacity} keys${bytes}`,
      `Evictions ${state.evictions} · ${state.memoryUsed}/${state.capacity} keys`,
    ],
    w,
  );
  const guess = state.score.total
    ? firstThatFits(
        p,
        [
          `Predictions: ${state.score.correct} of ${state.score.total} right`,
          `Guesses: ${state.score.correct}/${state.score.total} right`,
        ],
        w,
      )
    : state.prediction
      ? `Your guess: ${state.prediction} goes next`
      : firstThatFits(
          p,
          [
            "Predict: click the slot that goes next",
            "Predict: click a slot",
            "Predict: pick a slot",
          ],
          w,
        );
  const shown = label(p, hit, x, r.y + 14, {
    color: colors.fg,
    bold: true,
    maxWidth: w - barW - 10,
  });
  p.push();
  p.textSize(MIN_TEXT);
  p.textStyle(p.BOLD);
  const barX = Math.min(x + p.textWidth(shown) + 10, x + w - barW);
  p.pop();
  drawBox(p, barX, r.y + 8, barW, 12, { fill: colors.bg, stroke: colors.grid, radius: 3 });
  if (state.hitRate > 0)
    drawBox(p, barX, r.y + 8, (barW * state.hitRate) / 100, 12, { fill: colors.hit, radius: 3 });
  label(p, counts, x, r.y + 36, { color: colors.fg, maxWidth: w });
  label(p, guess, x, r.y + 58, {
    color: state.score.total ? colors.fg : colors.muted,
    maxWidth: w,
  });
}

// ------------------------------------------------------------------------------------ log
/** Word-wrap `text` into lines no wider than maxWidth at the current text settings. */
function wrap(p, text, maxWidth) {
  const words = String(text).split(/\s+/);
  const lines = [];
  let line = "";
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (line && p.textWidth(next) > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines.map((l) => fitText(p, l, maxWidth));
}

function logRows(p, state, entry, width) {
  const outcome = entry.hit ? "✓ hit" : "✗ miss";
  let head = `${entry.step}. GET ${entry.key}  ${outcome}`;
  if (!entry.hit && entry.evicted) head += `, evicted ${entry.evicted}`;
  const rows = [{ text: head, kind: entry.hit ? "hit" : "miss" }];
  p.push();
  p.textSize(MIN_TEXT);
  p.textStyle(p.NORMAL);
  if (entry.evicted && entry.reason) {
    for (const line of wrap(p, entry.reason, width - 34)) rows.push({ text: line, kind: "why" });
    if (state.mode === "redis" && entry.candidates.length > 1) {
      const keys = entry.candidates.map((c) => c.key).join(" ");
      for (const line of wrap(p, `candidates: ${keys}`, width - 34))
        rows.push({ text: line, kind: "why" });
    }
  }
  if (entry.expired?.length)
    rows.push({ text: `expired: ${entry.expired.join(" ")}`, kind: "why" });
  if (entry.prediction) {
    const verdict = entry.prediction.correct ? "right" : "wrong";
    rows.push({
      text: `your guess ${entry.prediction.key}: ${verdict}`,
      kind: entry.prediction.correct ? "hit" : "miss",
      sub: true,
    });
  }
  p.pop();
  return rows;
}

/** The access log panel; returns the texts of the lines it drew (title excluded). `whole`
 *  (phones): only whole entries, never the first lines of an older one cut off at the top. */
function drawLog(p, state, colors, r, whole = false) {
  panelFrame(p, r, colors);
  label(p, "Cache Access Log", r.x + 10, r.y + 14, {
    color: colors.fg,
    bold: true,
    size: 18,
    maxWidth: r.w - 20,
  });
  const drawn = [];
  const compare = state.comparison;
  const compareH = comparisonHeight(state);
  const top = r.y + LOG_TOP;
  const bottom = r.y + r.h - compareH - 6;
  const lineH = LOG_LINE_H;
  // newest entries last; show as many of the latest as fit
  const blocks = state.log.map((entry) => logRows(p, state, entry, r.w));
  let lines = Math.floor((bottom - top) / lineH);
  const shown = [];
  for (let i = blocks.length - 1; i >= 0 && lines > 0; i -= 1) {
    if (whole && blocks[i].length > lines && shown.length) break;
    const block = blocks[i].slice(0, lines);
    shown.unshift(block);
    lines -= block.length;
  }
  if (!state.log.length) {
    drawn.push(
      label(p, "No accesses yet. The sequence:", r.x + 12, top + lineH / 2, {
        color: colors.muted,
        maxWidth: r.w - 24,
      }),
    );
    p.push();
    p.textSize(MIN_TEXT);
    p.textStyle(p.BOLD);
    const keys = state.sequence.map((a) => a.key).join(" ");
    const lines = wrap(p, keys, r.w - 24).slice(
      0,
      Math.max(1, Math.floor((bottom - top) / lineH) - 1),
    );
    p.pop();
    lines.forEach((line, i) =>
      drawn.push(
        label(p, line, r.x + 12, top + lineH * (i + 1.5), {
          color: colors.fg,
          bold: true,
          maxWidth: r.w - 24,
        }),
      ),
    );
  }
  let y = top + lineH / 2;
  for (const block of shown) {
    for (const row of block) {
      const indent = row.kind === "why" || row.sub ? 22 : 10; // sub-rows belong to the step above
      let color = colors.fg;
      if (row.kind === "why") color = colors.muted;
      const bold = row.kind === "hit" || row.kind === "miss";
      if (row.kind === "hit" || row.kind === "miss") {
        // small coloured marker before the text; the ✓/✗ word carries the meaning too
        drawBox(p, r.x + indent - 6, y - 7, 3, 14, {
          fill: row.kind === "hit" ? colors.hit : colors.miss,
          radius: 1,
        });
      }
      drawn.push(label(p, row.text, r.x + indent, y, { color, bold, maxWidth: r.w - indent - 10 }));
      y += lineH;
    }
  }
  if (compare)
    drawComparison(p, state, colors, { x: r.x, y: r.y + r.h - compareH, w: r.w, h: compareH });
  return drawn;
}

/** Height of the end-of-run comparison under the log (0 before the run is finished): a title,
 *  a row per policy and, when a row's result depends on the seed, a line with its spread. */
function comparisonHeight(state) {
  const rows = state?.comparison;
  if (!rows) return 0;
  return 30 + rows.length * 22 + (rows.some((row) => row.spread) ? 22 : 0);
}

/** "Random varies by seed: 30–60% over seeds 1–200 (median 50%)" for a row with a spread. */
export function spreadText(row) {
  const s = row.spread;
  return `${row.policy} varies by seed: ${s.low}–${s.high}% over seeds ${s.firstSeed}–${s.lastSeed} (median ${s.median}%)`;
}

function drawComparison(p, state, colors, r) {
  p.push();
  p.stroke(colors.grid);
  p.line(r.x + 8, r.y, r.x + r.w - 8, r.y);
  p.pop();
  label(p, "Hit rate by policy, same sequence", r.x + 10, r.y + 14, {
    color: colors.fg,
    bold: true,
    maxWidth: r.w - 20,
  });
  const labelW = 106;
  const barX = r.x + 10 + labelW;
  const barW = r.w - labelW - 80;
  let y = r.y + 38;
  for (const row of state.comparison) {
    const mine = row.id === state.policyId;
    label(p, row.policy, r.x + 10, y, { color: colors.fg, bold: mine, maxWidth: labelW - 6 });
    drawBox(p, barX, y - 6, barW, 12, { fill: colors.bg, stroke: colors.grid, radius: 3 });
    if (row.hitRate > 0)
      drawBox(p, barX, y - 6, (barW * row.hitRate) / 100, 12, {
        fill: mine ? colors.accent : colors.info,
        radius: 3,
      });
    if (row.spread) {
      // the spread over seeds as a whisker across the bar: this seed is one draw of many
      const x0 = barX + (barW * row.spread.low) / 100;
      const x1 = barX + (barW * row.spread.high) / 100;
      p.push();
      p.stroke(colors.fg);
      p.strokeWeight(2);
      p.line(x0, y, x1, y);
      p.line(x0, y - 7, x0, y + 7);
      p.line(x1, y - 7, x1, y + 7);
      p.pop();
    }
    label(p, `${row.hitRate}%${mine ? " ◀" : ""}`, barX + barW + 6, y, {
      color: colors.fg,
      bold: mine,
      maxWidth: 70,
    });
    y += 22;
  }
  const varied = state.comparison.find((row) => row.spread);
  if (varied) {
    label(
      p,
      firstThatFits(
        p,
        [
          spreadText(varied),
          `${varied.policy}: ${varied.spread.low}–${varied.spread.high}% over seeds ${varied.spread.firstSeed}–${varied.spread.lastSeed}`,
          `${varied.policy}: ${varied.spread.low}–${varied.spread.high}% by seed`,
        ],
        r.w - 20,
      ),
      r.x + 10,
      y,
      { color: colors.fg, maxWidth: r.w - 20 },
    );
  }
}

/** Text alternative of the canvas (for describe()). */
export function describeState(state) {
  if (!state) return "Cache eviction simulator, loading the engine.";
  const slots = state.slots.map((s, i) => {
    const m = metricTexts(state, s);
    const extra =
      state.policyId === "ttl"
        ? m.ttl
        : state.policyId === "lfu"
          ? m.count
          : `${m.last}, ${m.idle}`;
    return `${i + 1}. ${s.key} (${extra})${s.nextEvict ? ", next out" : ""}`;
  });
  const last = state.log.length ? state.log[state.log.length - 1] : null;
  const lastText = last
    ? ` Last access: GET ${last.key}, ${last.hit ? "hit" : "miss"}${last.evicted ? `, evicted ${last.evicted} (${last.reason})` : ""}.`
    : "";
  const order = state.predicting
    ? "Prediction mode, the next victim hidden. Slots by key"
    : "Slots top to bottom";
  const varied = state.comparison?.find((row) => row.spread);
  return (
    `Cache eviction simulator, ${state.policy} policy, ${state.slots.length} of ${state.capacity} slots used, ` +
    `step ${state.step} of ${state.total}. ${order}: ${slots.join("; ") || "none"}.${lastText} ` +
    `Hit rate ${state.hitRate}%, ${state.evictions} evictions.${varied ? ` ${spreadText(varied)}.` : ""}`
  );
}
