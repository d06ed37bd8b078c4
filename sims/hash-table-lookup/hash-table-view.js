// hash-table-view.js -- draws the hash-table-lookup picture from the controller state and a stage position.
//
// Pure rendering: drawScene(p, state, colors, pos) reads only `state` (the Python controller's
// snapshot) and `pos`, the animation position in stage units from stage-clock.js (2.5 = stages 0
// and 1 done, stage 2 half way). Each stage of state.stages maps to one visual change:
//   enter    the key chip flies from the key card into the hash-function box
//   step     one line of the hash computation appears (a byte's xor/multiply, or the summary)
//   mod      the formula hash("key") mod size = bucket appears
//   arrow    an arrow shoots from the box to the bucket (gold row)
//   bucket   the entry glows green and its value shows ("hit" or "new" written beside it)
//   rebucket every key moves from its old bucket row to its new one (resize or hash switch)
// Colour is never the only cue: hits and inserts are labelled in words, the last key's bucket
// has a marker and bold label besides its gold fill, the collision tooltip is text.
// Nothing is scaled: below MIN_WIDTH the phone layout (hash-table-layout.js narrowLayout) stacks the stats,
// the box, the rows and the tooltip in one column, and the arrow runs down a gutter on the left.
// drawScene returns what it drew (`scale`, the smallest text in CSS px, every text's box), which
// the sim keeps as `sim.viewInfo` for tests: view facts only, no simulation state.

import { isolate } from "../kit/bidi.js";
import { arrow, box, ease, firstThatFits, fitText, label } from "../kit/draw.js";
import { computeLayout, LINE, neededHeight, TOOLTIP_MAX_LINES } from "./hash-table-layout.js";

const TOOLTIP_LINES = TOOLTIP_MAX_LINES;

const stageIndex = (state, kind) => state.stages.findIndex((s) => s.kind === kind);

/** Progress of stage `i` at position `pos`: 0 before it, 1 after it, in between while it runs. */
const progressOf = (pos, i) => (i < 0 ? 1 : Math.min(1, Math.max(0, pos - i)));

/** Wrap `text` into at most `maxLines` lines of `width` px (ellipsis on the last one). */
export function wrapLines(p, text, width, maxLines) {
  let rest = String(text).slice(0, 400);
  const lines = [];
  while (rest.length && lines.length < maxLines) {
    if (lines.length === maxLines - 1 || p.textWidth(rest) <= width) {
      lines.push(fitText(p, rest, width));
      break;
    }
    let lo = 1; // longest prefix that fits, by bisection
    let hi = rest.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (p.textWidth(rest.slice(0, mid)) <= width) lo = mid;
      else hi = mid - 1;
    }
    let cut = lo;
    const space = rest.lastIndexOf(" ", cut);
    if (space > cut * 0.5) cut = space + 1;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut);
  }
  return lines;
}

/** The stats in two lines (phone layout), each shortened in words before it would be cut. */
function statsLines(p, s, width) {
  const options = [
    [
      `${s.size} buckets · ${s.used} keys · load factor ${s.loadFactor}`,
      `${s.size} buckets · ${s.used} keys · load ${s.loadFactor}`,
    ],
    [
      `longest chain ${s.longestChain} · empty buckets ${s.emptyBuckets}`,
      `longest ${s.longestChain} · empty ${s.emptyBuckets}`,
    ],
  ];
  return options.map((wordings) => firstThatFits(p, wordings, width));
}

function drawStats(p, state, c, L, pos = Infinity) {
  // a new key counts only once the animation has stored it (its "bucket" stage)
  const bucketStage = stageIndex(state, "bucket");
  const early = state.last.statsBefore && bucketStage >= 0 && pos < bucketStage;
  const s = early ? state.last.statsBefore : state.stats;
  if (L.narrow) {
    statsLines(p, s, L.stats.w).forEach((line, i) =>
      label(p, line, L.stats.x, 4 + LINE / 2 + i * LINE, { color: c.fg, maxWidth: L.stats.w }),
    );
  } else {
    drawStatsLine(p, s, c, L);
  }
  p.push();
  p.stroke(c.grid);
  p.line(L.stats.x, L.stats.h + 2, L.stats.x + L.stats.w, L.stats.h + 2);
  p.pop();
}

function drawStatsLine(p, s, c, L) {
  const full =
    `${s.size} buckets · ${s.used} keys · load factor ${s.loadFactor} · ` +
    `longest chain ${s.longestChain} · empty buckets ${s.emptyBuckets}`;
  p.push();
  p.textSize(16);
  const fits = p.textWidth(full) <= L.stats.w;
  p.pop();
  const text = fits
    ? full
    : `${s.size} buckets · load ${s.loadFactor} · longest ${s.longestChain} · empty ${s.emptyBuckets}`;
  label(p, text, L.stats.x, L.stats.h / 2 + 2, { color: c.fg, maxWidth: L.stats.w });
}

function drawKeyCard(p, state, c, L, pos) {
  const { x, y, w } = L.left;
  const last = state.last;
  label(p, state.resize && stageIndex(state, "rebucket") >= 0 ? "Last key" : "Key", x, y + 10, {
    color: c.muted,
  });
  p.push();
  p.textSize(16);
  const lines = wrapLines(p, last.key, w - 16, 3);
  p.pop();
  const cardH = lines.length * LINE + 14;
  box(p, x, y + 22, w, cardH, { fill: c.panel, stroke: c.grid, radius: 6 });
  lines.forEach((line, i) =>
    label(p, line, x + 8, y + 22 + 7 + LINE / 2 + i * LINE, { color: c.fg, maxWidth: w - 16 }),
  );
  const info =
    last.keyChars === last.keyBytes
      ? [`${last.keyBytes.toLocaleString("en-US")} UTF-8 byte${last.keyBytes === 1 ? "" : "s"}`]
      : [
          `${last.keyChars.toLocaleString("en-US")} char${last.keyChars === 1 ? "" : "s"},`,
          `${last.keyBytes.toLocaleString("en-US")} UTF-8 bytes`,
        ];
  info.forEach((line, i) =>
    label(p, line, x, y + 22 + cardH + 14 + i * LINE, { color: c.muted, maxWidth: w }),
  );
  const infoH = info.length * LINE;
  drawResult(
    p,
    state,
    c,
    { x, y: y + 22 + cardH + 12 + infoH, w, h: L.left.h - cardH - 34 - infoH },
    pos,
  );
  return { x: x + 8, y: y + 22 + 7 + LINE / 2 };
}

function drawResult(p, state, c, area, pos) {
  const { x, w } = area;
  let y = area.y;
  const last = state.last;
  const rebucket = stageIndex(state, "rebucket");
  if (rebucket >= 0 && state.resize) {
    const done = progressOf(pos, rebucket) >= 1;
    const r = state.resize;
    label(p, done ? "Re-bucketed" : "Re-bucketing…", x, y + 10, {
      color: c.fg,
      bold: true,
      maxWidth: w,
    });
    if (done) {
      label(p, `${r.moved} of ${r.moves.length} moved`, x, y + 10 + LINE, {
        color: c.fg,
        maxWidth: w,
      });
      label(p, "longest chain", x, y + 10 + 2 * LINE, { color: c.muted, maxWidth: w });
      label(
        p,
        `${r.statsBefore.longestChain} → ${state.stats.longestChain}`,
        x,
        y + 10 + 3 * LINE,
        { color: c.fg, maxWidth: w },
      );
    }
    return;
  }
  const bucketStage = stageIndex(state, "bucket");
  if (pos < bucketStage + 1e-9 || bucketStage < 0) {
    label(p, "Looking up…", x, y + 10, { color: c.muted, maxWidth: w });
    return;
  }
  const badge = last.found ? "✓ found" : "+ inserted";
  p.push();
  p.textSize(16);
  p.textStyle(p.BOLD);
  const bw = p.textWidth(badge) + 16;
  p.pop();
  box(p, x, y, bw, 26, { fill: last.found ? c.hit : c.info, stroke: c.fg, radius: 4 });
  label(p, badge, x + 8, y + 13, { color: c.onFill, bold: true });
  y += 40;
  label(p, "value", x, y, { color: c.muted });
  p.push();
  p.textSize(16);
  const lines = wrapLines(p, String(last.value ?? ""), w, 2);
  p.pop();
  lines.forEach((line, i) =>
    label(p, line, x, y + LINE * (i + 1), { color: c.fg, bold: true, maxWidth: w }),
  );
  y += LINE * (lines.length + 1) + 6;
  const n = last.chainAfter.length;
  if (y + 2 * LINE <= area.y + area.h) {
    label(p, `in bucket ${last.bucket},`, x, y, { color: c.muted, maxWidth: w });
    label(p, `chain of ${n}`, x, y + LINE, { color: c.muted, maxWidth: w });
  }
}

/**
 * The box's two result lines: "hash mod size = bucket" and, bold, hash("key") mod size = bucket,
 * shortening only the key so that "mod size = bucket" stays. In a very narrow box (phones) the
 * lines become "hash mod size" and "= bucket N", so the answer is never cut off.
 */
export function formulaLines(p, trace, keyDisplay, width) {
  const t = trace;
  p.push();
  p.textSize(16);
  p.textStyle(p.BOLD);
  let lines = [t.modLine, t.formula];
  if (p.textWidth(t.formula) > width) {
    const tail = `") mod ${t.size} = ${t.bucket}`;
    const room = width - p.textWidth(`hash("${tail}`);
    if (room >= p.textWidth("x…")) lines[1] = `hash("${fitText(p, keyDisplay, room)}${tail}`;
    else lines = [`${t.hash} mod ${t.size}`, `= bucket ${t.bucket}`];
  }
  if (p.textWidth(lines[0]) > width) lines = [`${t.hash} mod ${t.size}`, `= bucket ${t.bucket}`];
  p.pop();
  return lines;
}

/** The hash-function box; returns the point the arrow to the bucket starts from. */
function drawHashBox(p, state, c, L, pos, tooltipH) {
  const { x, y, w } = L.box;
  const h = L.box.h - tooltipH;
  const t = state.trace;
  const entered = progressOf(pos, 0) >= 1;
  const mod = stageIndex(state, "mod");
  const rebucket = stageIndex(state, "rebucket") >= 0;
  const known = entered || rebucket;
  box(p, x, y, w, h, { fill: c.panel, stroke: c.accent, weight: 2, radius: 8 });
  const tx = x + 10;
  const tw = w - 20;
  const reached = rebucket ? t.steps.length : t.steps.filter((_, i) => pos > 1 + i).length;
  const detail = reached > 0 && !rebucket && pos < mod ? t.steps[reached - 1].lines : [];
  // line budget: the header and the 2-line formula always; then, by priority, the key, the
  // current step's arithmetic, the steps so far (latest first), the start value, the bytes
  let free = Math.floor((h - 8) / LINE - 3.5);
  const take = (n) => {
    const got = Math.max(0, Math.min(n, free));
    free -= got;
    return got;
  };
  const showKey = take(1);
  const showDetail = take(detail.length);
  const showSteps = take(reached);
  const showStart = known ? take(1) : 0;
  const showBytes = known ? take(1) : 0;
  let ty = y + 14;
  label(p, t.hashLabel, tx, ty, { color: c.fg, bold: true, maxWidth: tw });
  ty += LINE + 2;
  const keySlot = { x: tx, y: showKey ? ty : y + 14 };
  if (showKey) {
    if (known) label(p, `hash("${state.last.keyDisplay}")`, tx, ty, { color: c.fg, maxWidth: tw });
    else label(p, "waiting for the key…", tx, ty, { color: c.muted, maxWidth: tw });
    ty += LINE;
  }
  if (showBytes) {
    label(p, `UTF-8: ${t.bytesHex}`, tx, ty, { color: c.muted, maxWidth: tw });
    ty += LINE;
  }
  if (showStart) {
    label(p, t.startLabel, tx, ty, { color: c.fg, maxWidth: tw });
    ty += LINE;
  }
  for (let i = reached - showSteps; i < reached; i += 1) {
    const fade = rebucket ? 1 : progressOf(pos, 1 + i);
    p.push();
    p.drawingContext.globalAlpha = 0.35 + 0.65 * fade;
    label(p, `${i + 1}. ${t.steps[i].short}`, tx, ty, { color: c.fg, maxWidth: tw });
    p.pop();
    ty += LINE;
  }
  for (const line of detail.slice(0, showDetail)) {
    label(p, line, tx + 10, ty, { color: c.accent, maxWidth: tw - 10 });
    ty += LINE;
  }
  const formulaY = y + h - 10 - LINE * 1.5;
  if (rebucket || (mod >= 0 && pos > mod)) {
    p.push();
    p.drawingContext.globalAlpha = rebucket ? 1 : 0.35 + 0.65 * progressOf(pos, mod);
    p.stroke(c.grid);
    p.line(tx, formulaY - LINE * 0.7, tx + tw, formulaY - LINE * 0.7);
    const [modLine, formula] = formulaLines(p, t, state.last.keyDisplay, tw);
    label(p, modLine, tx, formulaY, { color: c.fg, maxWidth: tw });
    label(p, formula, tx, formulaY + LINE, { color: c.fg, bold: true, maxWidth: tw });
    p.pop();
  }
  return { keySlot, out: { x: x + w, y: formulaY + LINE } };
}

function entryOrder(state) {
  // where each key sits: bucket index and position in its chain
  const at = new Map();
  state.buckets.forEach((chain, b) => chain.forEach((e, i) => at.set(e.key, { b, i })));
  return at;
}

/** Rectangles of the entries of one bucket row (visible ones), plus a "+N" slot when cut. */
function entrySlots(row, count) {
  const cx = row.x + 30;
  const cw = row.w - 32;
  const gap = 14;
  const minW = 58;
  const moreW = 40; // room for "+10" at 16 px
  const fit = Math.max(1, Math.floor((cw + gap) / (minW + gap)));
  const shown = count > fit ? Math.max(1, Math.floor((cw - moreW + gap) / (minW + gap))) : count;
  const n = Math.max(1, shown);
  const avail = count > shown ? cw - moreW - 4 : cw;
  const each = Math.min(150, (avail - gap * (n - 1)) / n);
  const slots = [];
  for (let i = 0; i < shown; i += 1) {
    slots.push({ x: cx + i * (each + gap), y: row.y + 3, w: each, h: row.h - 6 });
  }
  const more =
    count > shown
      ? {
          x: cx + shown * (each + gap) - gap + 4,
          y: row.y + 3,
          w: moreW,
          h: row.h - 6,
          n: count - shown,
        }
      : null;
  return { slots, more };
}

/**
 * `text` shortened in the middle to fit `width` px, so that keys which differ only at the end
 * stay distinguishable in a narrow chain: fitMiddle(p, "order:9009", 70) -> "orde…009".
 */
export function fitMiddle(p, text, width) {
  const full = String(text);
  if (p.textWidth(full) <= width) return isolate(full);
  let lo = 0;
  let hi = full.length - 1;
  const cut = (n) =>
    `${full.slice(0, Math.ceil(n / 2))}…${n > 1 ? full.slice(-Math.floor(n / 2)) : ""}`;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (p.textWidth(cut(mid)) <= width) lo = mid;
    else hi = mid - 1;
  }
  return isolate(lo > 0 ? cut(lo) : "…");
}

/** A key at 16 px, shortened in the middle to `width` (the prefix `mark` kept whole). */
function keyText(p, key, width, mark = "") {
  p.push();
  p.textSize(16);
  const prefix = mark ? `${mark} ` : "";
  const text = prefix + fitMiddle(p, key, width - p.textWidth(prefix));
  p.pop();
  return text;
}

function drawEntry(p, c, slot, entry, { expanded, onHighlight, mark }) {
  box(p, slot.x, slot.y, slot.w, slot.h, {
    fill: c.bg,
    stroke: onHighlight ? c.onFill : c.fg,
    weight: 1,
    radius: 4,
  });
  const text = keyText(p, entry.key, slot.w - 10, mark);
  if (expanded) {
    // two lines: the key keeps the whole width (chains of 2-3 share a narrow row); the found /
    // inserted mark goes after the value, which is usually short
    const half = slot.h / 2;
    const key = keyText(p, entry.key, slot.w - 10);
    label(p, key, slot.x + 5, slot.y + half / 2 + 1, { color: c.fg, maxWidth: slot.w - 10 });
    let value = `= ${entry.value}`;
    p.push();
    p.textSize(16);
    p.textStyle(p.BOLD);
    const suffix = mark === "+" ? " (new)" : mark ? ` ${mark}` : "";
    if (suffix && p.textWidth(value + suffix) <= slot.w - 10) value += suffix; // else: glow only
    p.pop();
    label(p, value, slot.x + 5, slot.y + half + half / 2, {
      color: c.fg,
      bold: true,
      maxWidth: slot.w - 10,
    });
  } else {
    label(p, text, slot.x + 5, slot.y + slot.h / 2 + 1, { color: c.fg, maxWidth: slot.w - 10 });
  }
}

/**
 * How many lines the last key's bucket takes: 2 (keys, then values, side by side) when its whole
 * chain fits that way in the layout for width `w` x height `h`, else one line per entry (drawn as
 * a vertical list, so no key or value is ever cut: "us…4 = e…" at 4 buckets or on a phone).
 */
export function expandedLinesFor(p, state, w, h, tooltipLines = 0) {
  return chainAsList(p, state, w, h, tooltipLines) ? state.buckets[state.last.bucket].length : 2;
}

/** True when the last key's chain is drawn as a vertical list (see expandedLinesFor). */
function chainAsList(p, state, w, h, tooltipLines = 0) {
  const chain = state.buckets[state.last.bucket] ?? [];
  if (chain.length < 2) return false;
  const L = computeLayout(w, h, {
    size: state.tableSize,
    expanded: state.last.bucket,
    tooltipLines,
  });
  const area = L.buckets.strip || L.buckets.rows[state.last.bucket];
  if (!area || !p) return true;
  const { slots, more } = entrySlots(area, chain.length);
  if (more) return true;
  p.push();
  p.textSize(16);
  let whole = true;
  slots.forEach((slot, i) => {
    if (p.textWidth(chain[i].key) > slot.w - 10) whole = false;
  });
  p.textStyle(p.BOLD);
  slots.forEach((slot, i) => {
    if (p.textWidth(`= ${chain[i].value}`) > slot.w - 10) whole = false;
  });
  p.pop();
  return !whole;
}

/** The glowing ring around the looked-up entry's box (`glow` 0..1 as the animation reaches it). */
function glowRing(p, c, slot, glow) {
  p.push();
  p.drawingContext.shadowColor = c.ok;
  p.drawingContext.shadowBlur = 14 * glow;
  box(p, slot.x - 2, slot.y - 2, slot.w + 4, slot.h + 4, { stroke: c.ok, weight: 3, radius: 5 });
  p.pop();
}

/** The last key's chain as a vertical list, one entry a line: "user:44 = eve (new)". */
function drawChainList(p, state, c, area, chain, glow) {
  const last = state.last;
  const rebucket = stageIndex(state, "rebucket") >= 0;
  const lineH = area.h / area.lines;
  chain.forEach((entry, i) => {
    const slot = { x: area.x + 30, y: area.y + i * lineH + 2, w: area.w - 34, h: lineH - 4 };
    const isLast = entry.key === last.key;
    let suffix = "";
    if (isLast && glow >= 1 && !rebucket) suffix = last.found ? " ✓" : " (new)";
    if (isLast && glow > 0) glowRing(p, c, slot, glow);
    box(p, slot.x, slot.y, slot.w, slot.h, { fill: c.bg, stroke: c.onFill, weight: 1, radius: 4 });
    p.push();
    p.textSize(16);
    p.textStyle(p.BOLD);
    const tail = `= ${entry.value}${suffix}`;
    const tailW = p.textWidth(tail);
    p.pop();
    const key = keyText(p, entry.key, Math.max(30, slot.w - 10 - tailW - 8));
    p.push();
    p.textSize(16);
    const keyW = p.textWidth(key);
    p.pop();
    label(p, key, slot.x + 5, slot.y + slot.h / 2 + 1, { color: c.fg, maxWidth: slot.w - 10 });
    label(p, tail, slot.x + 5 + keyW + 8, slot.y + slot.h / 2 + 1, {
      color: c.fg,
      bold: true,
      maxWidth: Math.max(0, slot.w - 10 - keyW - 8),
    });
  });
}

/** One bucket's chain as linked entry boxes inside `area` (a row or the expanded strip). */
function drawChain(p, state, c, area, chain, { highlight, glow, list = false }) {
  const last = state.last;
  const rebucket = stageIndex(state, "rebucket") >= 0;
  if (!chain.length) {
    label(p, "empty", area.x + 36, area.y + area.h / 2 + 1, {
      color: highlight ? c.onFill : c.muted,
    });
    return;
  }
  if (list) {
    drawChainList(p, state, c, area, chain, glow);
    return;
  }
  const { slots, more } = entrySlots(area, chain.length);
  slots.forEach((slot, i) => {
    const entry = chain[i];
    const isLast = entry.key === last.key && highlight;
    let mark = "";
    if (isLast && glow >= 1 && !rebucket) mark = last.found ? "✓" : "+";
    if (isLast && glow > 0) glowRing(p, c, slot, glow);
    drawEntry(p, c, slot, entry, { expanded: area.lines > 1, onHighlight: highlight, mark });
    if (i > 0) {
      const prev = slots[i - 1];
      arrow(p, prev.x + prev.w + 1, slot.y + slot.h / 2, slot.x - 1, slot.y + slot.h / 2, {
        color: highlight ? c.onFill : c.fg,
        weight: 1.5,
        head: 7,
      });
    }
  });
  if (more) {
    label(p, `+${more.n}`, more.x + 2, more.y + more.h / 2 + 1, {
      color: highlight ? c.onFill : c.fg,
      maxWidth: more.w,
    });
  }
}

function drawBuckets(p, state, c, L, pos) {
  const B = L.buckets;
  const last = state.last;
  const arrowStage = stageIndex(state, "arrow");
  const bucketStage = stageIndex(state, "bucket");
  const rebucket = stageIndex(state, "rebucket");
  const lit = rebucket >= 0 || (arrowStage >= 0 && pos >= arrowStage + 1);
  const glow = bucketStage >= 0 ? progressOf(pos, bucketStage) : 0;
  const moving = rebucket >= 0 && pos < rebucket + 1 && state.resize;
  const chainOf = (b) => {
    const chain = state.buckets[b];
    if (b === last.bucket && last.inserted && bucketStage >= 0 && pos < bucketStage) {
      return chain.filter((e) => e.key !== last.key); // not stored yet, as far as the picture goes
    }
    return chain;
  };
  for (let b = 0; b < state.tableSize; b += 1) {
    const row = B.rows[b];
    const highlight = lit && b === last.bucket;
    if (highlight)
      box(p, row.x, row.y + 1, row.w, row.h - 2, {
        fill: c.highlight,
        stroke: c.fg,
        weight: 2,
        radius: 4,
      });
    else box(p, row.x, row.y + 1, row.w, row.h - 2, { stroke: c.grid, radius: 4 });
    label(p, `${highlight ? "▶" : ""}${b}`, row.x + 26, row.y + row.h / 2 + 1, {
      color: highlight ? c.onFill : c.fg,
      align: "right",
      bold: highlight,
    });
    if (moving) continue;
    if (highlight && B.strip) {
      const n = chainOf(b).length;
      label(p, n ? `${n} key${n === 1 ? "" : "s"} ↓` : "empty", row.x + 36, row.y + row.h / 2 + 1, {
        color: c.onFill,
        maxWidth: row.w - 40,
      });
      continue;
    }
    const list = Boolean(L.chainList) && b === last.bucket;
    drawChain(p, state, c, row, chainOf(b), { highlight, glow, list });
  }
  const strip = B.strip;
  if (strip && !moving && lit) {
    // two-column layout: the last key's bucket expands into the strip below the columns
    const row = B.rows[last.bucket];
    p.push();
    p.stroke(c.fg);
    p.strokeWeight(2);
    p.line(row.x + 14, row.y + row.h - 1, row.x + 14, strip.y);
    p.pop();
    box(p, strip.x, strip.y, strip.w, strip.h, {
      fill: c.highlight,
      stroke: c.fg,
      weight: 2,
      radius: 4,
    });
    label(p, `${last.bucket}`, strip.x + 26, strip.y + strip.h / 2, {
      color: c.onFill,
      align: "right",
      bold: true,
    });
    drawChain(p, state, c, strip, chainOf(last.bucket), {
      highlight: true,
      glow,
      list: Boolean(L.chainList),
    });
  }
  if (moving) drawMovingEntries(p, state, c, L, progressOf(pos, rebucket));
}

/** Resize / hash switch: each entry slides from its old bucket row to its new one. */
function drawMovingEntries(p, state, c, L, t) {
  const r = state.resize;
  const oldSize = r.statsBefore.size;
  const lastMove = r.moves.find((m) => m.key === state.last.key);
  const before = computeLayout(L.w, L.h, {
    size: oldSize,
    expanded: lastMove ? lastMove.from : -1,
  });
  const oldIndex = new Map();
  const count = new Map();
  for (const m of r.moves) {
    const i = count.get(m.from) ?? 0;
    oldIndex.set(m.key, i);
    count.set(m.from, i + 1);
  }
  const now = entryOrder(state);
  const k = ease(t);
  for (const m of r.moves) {
    const fromRow = before.buckets.rows[m.from];
    const toRow = L.buckets.rows[m.to];
    if (!fromRow || !toRow) continue;
    const fromSlots = entrySlots(fromRow, count.get(m.from)).slots;
    const toSlots = entrySlots(toRow, state.buckets[m.to].length).slots;
    const a = fromSlots[Math.min(oldIndex.get(m.key), fromSlots.length - 1)];
    const b = toSlots[Math.min(now.get(m.key)?.i ?? 0, toSlots.length - 1)];
    if (!a || !b) continue;
    const slot = {
      x: a.x + (b.x - a.x) * k,
      y: a.y + (b.y - a.y) * k,
      w: a.w + (b.w - a.w) * k,
      h: Math.min(a.h, b.h, 28),
    };
    const entry = state.buckets[m.to][now.get(m.key)?.i ?? 0];
    drawEntry(p, c, slot, entry, {
      expanded: false,
      onHighlight: false,
      mark: m.from !== m.to ? "↷" : "",
    });
  }
}

/** The collision tooltip wrapped for a box `boxW` wide: as many lines as the spec's sentence
 * needs there (2 at 760 px, 4 on a phone), so it is never cut off. */
export function tooltipLines(p, tooltip, boxW) {
  p.push();
  p.textSize(16);
  const lines = wrapLines(p, tooltip, boxW - 20, TOOLTIP_LINES);
  p.pop();
  return lines;
}

function drawTooltip(p, state, c, L, pos, tooltipH) {
  if (!tooltipH) return;
  const bucketStage = stageIndex(state, "bucket");
  if (pos < bucketStage) return;
  // wide layouts: at the foot of the hash box; phone layout: its own place under the rows
  const x = L.narrow ? L.tooltip.x : L.box.x;
  const y = L.narrow ? L.tooltip.y : L.box.y + L.box.h - tooltipH + 8;
  const w = L.box.w;
  const lines = tooltipLines(p, state.collision.tooltip, w);
  const h = lines.length * LINE + 12;
  box(p, x, y, w, h, { fill: c.bg, stroke: c.warn, weight: 3, radius: 6 });
  lines.forEach((line, i) =>
    label(p, line, x + 10, y + 6 + LINE / 2 + i * LINE, { color: c.fg, maxWidth: w - 20 }),
  );
  if (L.narrow) {
    // dashed up the gutter (below where the lookup arrow ends) into the collision bucket
    const target =
      state.collision.bucket === state.last.bucket && L.buckets.strip
        ? L.buckets.strip
        : L.buckets.rows[state.collision.bucket];
    if (!target) return;
    const gx = L.gutter.x0;
    const ty = target.y + target.h / 2;
    p.push();
    p.stroke(c.warn);
    p.strokeWeight(2);
    p.drawingContext.setLineDash([5, 4]);
    p.line(gx, y, gx, ty);
    p.line(gx, ty, target.x - 2, ty);
    p.pop();
    return;
  }
  const row = L.buckets.rows[state.collision.bucket];
  if (row) {
    p.push();
    p.stroke(c.warn);
    p.strokeWeight(2);
    p.drawingContext.setLineDash([5, 4]);
    p.line(x + w, y + h / 2, row.x - 2, row.y + row.h / 2);
    p.pop();
  }
}

/** Lines of the collision tooltip in the layout of width `w` (0 when there is no collision). */
function tooltipLineCount(p, state, w) {
  if (!state.collision) return 0;
  const boxW = computeLayout(w, 0, { size: state.tableSize, expanded: state.last.bucket }).box.w;
  return tooltipLines(p, state.collision.tooltip, boxW).length;
}

/**
 * The least canvas height the picture needs at width `w` (0 from MIN_WIDTH up), for `state`, or
 * before the state exists for a table of `size` buckets. `p` measures the tooltip; without it
 * (or if measuring fails) the tooltip's longest case is assumed. `holdSize`: while a re-bucketing
 * animation runs, the old table size, so that the rows the keys leave stay on the canvas.
 */
export function sceneHeight(p, state, w, size = 16, holdSize = 0) {
  if (!state) return neededHeight(w, { size, expanded: 0 });
  const held = holdSize ? neededHeight(w, { size: holdSize, expanded: 0 }) : 0;
  let lines = state.collision ? TOOLTIP_LINES : 0;
  try {
    if (p && state.collision) lines = tooltipLineCount(p, state, w);
  } catch {
    /* p5 not set up yet: keep the longest case */
  }
  const chain = state.buckets[state.last.bucket] ?? [];
  let expandedLines = Math.max(chain.length, 2); // the longest case until p can measure
  try {
    if (p) expandedLines = expandedLinesFor(p, state, w, 0, lines);
  } catch {
    /* p5 not set up yet: keep the longest case */
  }
  return Math.max(
    held,
    neededHeight(w, {
      size: state.tableSize,
      expanded: state.last.bucket,
      tooltipLines: lines,
      expandedLines,
    }),
  );
}

/**
 * Run `draw` and record every text it puts on the canvas: {text, x, y, w, size} in CSS px of the
 * canvas (after any transform), so tests can check sizes, truncation and overflow as drawn.
 */
function recordTexts(p, draw) {
  const texts = [];
  const own = Object.hasOwn(p, "text");
  const original = p.text;
  p.text = function recordText(str, x, y, ...rest) {
    const m = p.drawingContext.getTransform();
    const d = p.pixelDensity();
    const size = p.textSize();
    const width = p.textWidth(String(str));
    const align = p.textAlign()?.horizontal;
    const dx = align === p.CENTER ? -width / 2 : align === p.RIGHT ? -width : 0;
    const scale = Math.hypot(m.a, m.b) / d;
    texts.push({
      text: String(str),
      x: (m.a * (x + dx) + m.c * y + m.e) / d,
      y: (m.b * x + m.d * y + m.f) / d,
      w: width * scale,
      size: size * scale,
      scale,
    });
    return original.call(this, str, x, y, ...rest);
  };
  try {
    draw();
  } finally {
    if (own) p.text = original;
    else delete p.text;
  }
  return texts;
}

/** The phone layout's arrow: down the gutter from the box, then right into the bucket row. */
function drawGutterArrow(p, c, L, row, t) {
  const gx = L.gutter.x0;
  const y0 = L.box.y + L.box.h;
  const y1 = row.y + row.h / 2;
  const x2 = row.x - 3;
  const down = Math.max(0, y1 - y0);
  const across = Math.max(0, x2 - gx);
  const reach = ease(t) * (down + across);
  const opts = { color: c.accent, weight: 3, head: 10 };
  if (reach <= down) {
    if (reach > 2) arrow(p, gx, y0, gx, y0 + reach, opts);
    return;
  }
  p.push();
  p.stroke(c.accent);
  p.strokeWeight(3);
  p.line(gx, y0, gx, y1);
  p.pop();
  arrow(p, gx, y1, gx + (reach - down), y1, opts);
}

/**
 * Draw the whole picture at scale 1. `pos` is the stage position from StageClock. Returns what
 * was drawn: {layout, scale, minTextPx, texts} (see recordTexts).
 */
export function drawScene(p, state, c, pos) {
  let L = null;
  const texts = recordTexts(p, () => {
    L = drawPicture(p, state, c, pos);
  });
  const minTextPx = texts.length ? Math.min(...texts.map((t) => t.size)) : null;
  const scale = texts.length ? Math.min(...texts.map((t) => t.scale)) : 1;
  return { layout: L, scale, minTextPx, texts };
}

function drawPicture(p, state, c, pos) {
  const w = p.width;
  const h = p.height;
  p.background(c.bg);
  p.push();
  const rebucket = stageIndex(state, "rebucket") >= 0;
  const tipLines = tooltipLineCount(p, state, w);
  const list = !rebucket && chainAsList(p, state, w, h, tipLines);
  const L = computeLayout(w, h, {
    size: state.tableSize,
    expanded: state.last.bucket,
    tooltipLines: tipLines,
    expandedLines: list ? state.buckets[state.last.bucket].length : 2,
  });
  L.chainList = list;
  drawStats(p, state, c, L, pos);
  const keyAnchor = L.compact
    ? { x: L.box.x + 8, y: L.box.y - 4 }
    : drawKeyCard(p, state, c, L, pos);
  const tooltipH = tipLines ? tipLines * LINE + 20 : 0;
  // the phone layout draws the tooltip under the rows, so the box keeps its whole height
  const anchors = drawHashBox(p, state, c, L, pos, L.narrow ? 0 : tooltipH);
  drawBuckets(p, state, c, L, pos);
  drawTooltip(p, state, c, L, pos, tooltipH);
  if (!rebucket) {
    // stage "enter": the key chip flies into the box
    const enter = progressOf(pos, 0);
    if (enter > 0 && enter < 1) {
      const k = ease(enter);
      const cx = keyAnchor.x + (anchors.keySlot.x - keyAnchor.x) * k;
      const cy = keyAnchor.y + (anchors.keySlot.y - keyAnchor.y) * k;
      p.push();
      p.textSize(16);
      const text = fitText(p, state.last.keyDisplay, L.box.w - 30);
      const tw = p.textWidth(text) + 14;
      p.pop();
      box(p, cx - 7, cy - 13, tw, 26, { fill: c.bg, stroke: c.accent, weight: 2, radius: 13 });
      label(p, text, cx, cy + 1, { color: c.fg });
    }
    // stage "arrow": from the box to the bucket row
    const ai = stageIndex(state, "arrow");
    const t = progressOf(pos, ai);
    const row = L.buckets.strip || L.buckets.rows[state.last.bucket];
    if (ai >= 0 && t > 0 && row && L.narrow) {
      drawGutterArrow(p, c, L, row, t);
    } else if (ai >= 0 && t > 0 && row) {
      const x1 = anchors.out.x + 2;
      const y1 = anchors.out.y - LINE / 2;
      const x2 = row.x - 4;
      const y2 = row.y + row.h / 2;
      const k = ease(t);
      arrow(p, x1, y1, x1 + (x2 - x1) * k, y1 + (y2 - y1) * k, {
        color: c.accent,
        weight: 3,
        head: 11,
      });
    }
  }
  p.pop();
  return L;
}
