// Drawing pieces shared by the two panels of cache-failure-modes, on top of the kit's draw.js.
//
// Pure drawing: each function takes the p5 instance, the theme colours, a box and values that
// come from the controller's state, and paints them; none keeps state. Anything "bad" gets a
// word and the kit's hatch pattern as well as a colour, so colour is never the only cue
// (WCAG 1.4.1). Text is at least 16 px (draw.js enforces it) and is cut with an ellipsis
// rather than overflowing.
//
// Usage:
//   import { statusBar, resultsTable, text } from "./panel-parts.js";
//   statusBar(p, c, { x: 8, y: 30, w: 360, h: 28, fraction: 0.4, bad: false, text: "TTL 40" });

import { box, firstThatFits, fitText, hatch, label } from "../kit/draw.js";

export const LINE = 20; // px per line of 16 px text
// px: below this panel width (the book's iframe on a 375 px phone is 341 px wide) a panel may add
// a line for what its wide layout cuts or drops; from 375 px up the layout is the wide one.
export const NARROW = 375;

/** One line of text, top-left anchored (draw.js's label with valign "top"). */
export function text(
  p,
  s,
  x,
  y,
  { color, bold = false, align = "left", maxWidth = 0, size = 16 } = {},
) {
  return label(p, s, x, y, { color, bold, align, maxWidth, size, valign: "top" });
}

/** A horizontal bar: frame, filled part (ok or bad + hatch), and its label on a plate. */
export function statusBar(p, c, { x, y, w, h, fraction, bad, text: wording }) {
  // `text` may be a list of wordings, longest first: the first that fits is drawn.
  const words = Array.isArray(wording)
    ? firstThatFits(p, wording, w - 20, { bold: true })
    : wording;
  box(p, x, y, w, h, { fill: c.bg, stroke: c.fg, radius: 4 });
  const f = Math.max(0, Math.min(1, fraction || 0));
  if (f > 0) {
    box(p, x + 1, y + 1, (w - 2) * f, h - 2, {
      fill: bad ? c.bad : c.ok,
      radius: 3,
      pattern: bad ? "hatch" : null,
      patternColor: c.fg,
    });
  }
  p.push();
  p.textSize(16);
  p.textStyle(p.BOLD);
  const shown = fitText(p, words, w - 20);
  const tw = p.textWidth(shown);
  p.pop();
  box(p, x + 5, y + h / 2 - 11, tw + 10, 22, { fill: c.bg, radius: 3 });
  label(p, shown, x + 10, y + h / 2, { color: c.fg, bold: true });
}

/**
 * The results table: a header and one row per mitigation tried. A row whose run overloaded
 * something gets a hatched marker and its status word in bold; the current run's row is shaded.
 * Column widths are fractions of `w`; cells are plain weight so the numbers line up.
 */
export function resultsTable(
  p,
  c,
  { x, y, w, columns: cols, rows, bad, current, short = false, legend = null, gap = 0 },
) {
  // short: the columns' `short` titles (a phone's narrow panel, see tableIsShort), explained by
  // the `legend` line under the rows.
  const columns = short ? cols.map((col) => ({ ...col, title: col.short || col.title })) : cols;
  // gap: px more for right-aligned titles (side-by-side panels at 700-779 px pass 2 so "Peak"
  // does not run into "Recomp"); short titles always get 4.
  const widths = fitColumns(p, columns, rows, bad, w, short ? 4 : gap);
  const cellX = (i) => x + widths.slice(0, i).reduce((a, b) => a + b, 0);
  columns.forEach((col, i) => {
    const right = col.align === "right";
    text(p, col.title, right ? cellX(i) + widths[i] - 2 : cellX(i) + (i ? 6 : 2), y, {
      color: c.muted,
      align: right ? "right" : "left",
      maxWidth: widths[i] - 4,
    });
  });
  p.push();
  p.stroke(c.grid);
  p.strokeWeight(1);
  p.line(x, y + LINE, x + w, y + LINE);
  p.pop();
  if (!rows.length) {
    text(p, "Play to measure this run.", x + 2, y + LINE + 2, { color: c.muted, maxWidth: w - 4 });
  }
  rows.forEach((cells, r) => {
    const ry = y + LINE * (r + 1) + 2;
    if (r === current) box(p, x, ry - 1, w, LINE, { fill: c.grid, radius: 3 });
    cells.forEach((cell, i) => {
      const right = columns[i].align === "right";
      const marked = i === cells.length - 1 && bad(r); // the status cell (left-aligned)
      if (marked) {
        hatch(p, cellX(i) + 6, ry + 3, 13, 13, { color: c.bad, spacing: 4, weight: 2 });
        box(p, cellX(i) + 6, ry + 3, 13, 13, { stroke: c.bad, radius: 2 });
      }
      const x0 = right ? cellX(i) + widths[i] - 2 : cellX(i) + (marked ? 23 : 6);
      text(p, cell, i === 0 ? cellX(i) + 2 : x0, ry, {
        color: c.fg,
        align: right ? "right" : "left",
        maxWidth: widths[i] - (marked ? 23 : 6),
      });
    });
  });
  if (short && legend) {
    text(p, firstThatFits(p, legend, w - 4), x + 2, y + LINE * (Math.max(rows.length, 1) + 1) + 4, {
      color: c.muted,
      maxWidth: w - 4,
    });
  }
  return LINE * (rows.length + 1) + 4;
}

/**
 * Whether the table needs its columns' short titles: true if its full titles and the panel's
 * widest cells (`sample`, one row, drawn as a bad row) need more than `w` px. Decided from a
 * fixed sample, not the rows so far, so the headings do not change in the middle of a run.
 * `gap`: px more each right-aligned title needs (so "Max share" does not run into "Local").
 */
export function tableIsShort(p, columns, sample, w, gap = 0) {
  p.push();
  p.textSize(16);
  p.textStyle(p.NORMAL);
  const need = columns.map((col, i) =>
    Math.max(
      p.textWidth(col.title) + 4 + (col.align === "right" ? gap : 0),
      p.textWidth(sample[i]) + (i === sample.length - 1 ? 23 : 6),
    ),
  );
  p.pop();
  return need.reduce((a, b) => a + b, 0) > w;
}

/**
 * The columns' widths: their fractions of `w`, except that a column whose title or cells would be
 * cut (a phone's narrower panel) takes the px it lacks from columns with room to spare, in
 * proportion to that room. If nothing would be cut the fractions stand, so wide layouts are
 * unchanged; if the spare room is not enough, they stand too (cells then end in "…"). `gap`: px
 * more for a right-aligned title, so short titles ("Max %", "Local") do not run into each other.
 */
export function fitColumns(p, columns, rows, bad, w, gap = 0) {
  const widths = columns.map((col) => col.width * w);
  p.push();
  p.textSize(16);
  p.textStyle(p.NORMAL);
  const need = columns.map((col, i) =>
    Math.max(
      p.textWidth(col.title) + 4 + (col.align === "right" ? gap : 0),
      ...rows.map(
        (cells, r) => p.textWidth(cells[i]) + (i === cells.length - 1 && bad(r) ? 23 : 6),
      ),
    ),
  );
  p.pop();
  const lack = widths.reduce((sum, width, i) => sum + Math.max(0, need[i] - width), 0);
  const spare = widths.map((width, i) => Math.max(0, width - need[i]));
  const room = spare.reduce((a, b) => a + b, 0);
  if (lack <= 0 || room < lack) return widths;
  return widths.map((width, i) => Math.max(width, need[i]) - (spare[i] * lack) / room);
}

/** How tall the results table is for `n` rows. */
export function tableHeight(n) {
  return LINE * (n + 1) + 4;
}

/**
 * The results rows that fit in `max` lines: all if they fit, else the current run's row and the
 * latest others, in table order (every row is also in the canvas's text description).
 *
 *   rowsThatFit([{mitigation: "none"}, {mitigation: "jitter"}, {mitigation: "lock"}], "none", 2)
 *   // -> [{mitigation: "none"}, {mitigation: "lock"}]
 */
export function rowsThatFit(results, mitigation, max) {
  if (results.length <= max) return results;
  const current = results.findIndex((row) => row.mitigation === mitigation);
  const others = results.map((_, i) => i).filter((i) => i !== current);
  const keep = others.slice(Math.max(0, others.length - (max - (current >= 0 ? 1 : 0))));
  if (current >= 0) keep.push(current);
  return keep.sort((a, b) => a - b).map((i) => results[i]);
}

/**
 * The stampede's comparison table: one row per mitigation, one group of columns per scenario
 * (`groups`: [{keys, label, current}], most keys first), each with the peak database load,
 * recomputes and stale reads of that mitigation's run on that scenario ("–" until it is run).
 * A peak above the capacity gets a hatched marker (and the row's figures stay plain text); the
 * current scenario's heading is bold, the current run's cell group shaded. Returns the px used.
 *
 *   scenarioTable(p, c, { x: 8, y: 300, w: 370, title: "300 ticks", groups, mitigations,
 *                         results, current: { keys: 10, mitigation: "none" } });
 */
export function scenarioTable(
  p,
  c,
  { x, y, w, title, groups, mitigations, results, current, legend = true },
) {
  p.push();
  p.textSize(16);
  const nameW = Math.max(...mitigations.map(([, , short]) => p.textWidth(short))) + 8;
  p.pop();
  const groupW = (w - nameW) / Math.max(groups.length, 1);
  const cellsOf = (group, value) => {
    const row = results.find((it) => it.keys === group.keys && it.mitigation === value);
    return row
      ? [String(row.dbPeak), String(row.recomputes), String(row.staleReads)]
      : ["–", "–", "–"];
  };
  // Each column is as wide as its title and widest cell need (the peak also its over-capacity
  // marker), plus a share of the room left, so neighbouring numbers never run together.
  const marker = results.some((row) => row.overloaded) ? 17 : 0;
  const needs = (titles) => {
    p.push();
    p.textSize(16);
    const need = titles.map(
      (t, i) =>
        Math.max(
          p.textWidth(t),
          ...groups.flatMap((g) => mitigations.map(([v]) => p.textWidth(cellsOf(g, v)[i]))),
        ) +
        8 +
        (i === 0 ? marker : 0),
    );
    p.pop();
    return need;
  };
  const sum = (list) => list.reduce((a, b) => a + b, 0);
  const full = ["Peak", "Recomp", "Stale"];
  const fits = sum(needs(full)) <= groupW;
  const titles = fits ? full : ["Pk", "Rc", "St"];
  const need = needs(titles);
  const widths = need.map((n) => (n * groupW) / sum(need));
  const colX = (g, i) => x + nameW + g * groupW + sum(widths.slice(0, i + 1)) - 2;
  text(p, title, x + 2, y, { color: c.muted, maxWidth: nameW - 4 });
  groups.forEach((group, g) => {
    const gx = x + nameW + g * groupW;
    if (group.current) box(p, gx + 2, y, groupW - 4, LINE, { fill: c.grid, radius: 3 });
    // "Batch of 10" becomes "10 keys" where a phone's narrow group has no room for it.
    const label = firstThatFits(p, [group.label, `${group.keys} keys`], groupW - 8, {
      bold: group.current,
    });
    text(p, label, gx + groupW / 2, y, {
      color: c.fg,
      bold: group.current,
      align: "center",
      maxWidth: groupW - 8,
    });
    titles.forEach((t, i) => {
      text(p, t, colX(g, i), y + LINE, { color: c.muted, align: "right" });
    });
  });
  p.push();
  p.stroke(c.grid);
  p.strokeWeight(1);
  p.line(x, y + 2 * LINE, x + w, y + 2 * LINE);
  p.pop();
  mitigations.forEach(([value, , short], r) => {
    const ry = y + LINE * (r + 2) + 2;
    text(p, short, x + 2, ry, { color: c.fg, maxWidth: nameW - 4 });
    groups.forEach((group, g) => {
      const row = results.find((it) => it.keys === group.keys && it.mitigation === value);
      const gx = x + nameW + g * groupW;
      if (value === current.mitigation && group.keys === current.keys) {
        box(p, gx + 2, ry - 1, groupW - 4, LINE, { fill: c.grid, radius: 3 });
      }
      const cells = cellsOf(group, value);
      cells.forEach((cell, i) => {
        text(p, cell, colX(g, i), ry, { color: c.fg, align: "right" });
      });
      if (row?.overloaded) {
        p.push();
        p.textSize(16);
        const tw = p.textWidth(cells[0]);
        p.pop();
        const mx = colX(g, 0) - tw - 17;
        hatch(p, mx, ry + 3, 13, 13, { color: c.bad, spacing: 4, weight: 2 });
        box(p, mx, ry + 3, 13, 13, { stroke: c.bad, radius: 2 });
      }
    });
  });
  let used = LINE * (mitigations.length + 2) + 4;
  if (legend) {
    const words = fits
      ? ["▨ peak above the DB's capacity", "▨ over capacity"]
      : ["Pk peak · Rc recomputes · St stale · ▨ over capacity", "Pk peak · Rc recomp · St stale"];
    text(p, firstThatFits(p, words, w - 4), x + 2, y + used, { color: c.muted, maxWidth: w - 4 });
    used += LINE;
  }
  return used;
}
