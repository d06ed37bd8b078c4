// @ts-check
// draw.js -- shared p5 drawing helpers for the MicroSims (instance mode: pass the sketch `p`).
//
// Colour is never the only cue: `hatch` overlays diagonal lines on "bad" shapes (evicted,
// overloaded, missed), `dots` marks "warn" shapes, and `label` draws text that is at least 16 px
// and is truncated with an ellipsis rather than overflowing its box; fitText's result is
// bidi-isolated (bidi.js), so a user's key cannot reorder the label around it. Helpers save and
// restore the p5 drawing state, so they can be called anywhere in draw().
//
// Usage:
//   import { box, hatch, arrow, label, fitText, legend } from "../kit/draw.js";
//   box(p, x, y, w, h, { fill: sim.colors.bad, stroke: sim.colors.fg, pattern: "hatch" });
//   label(p, "evicted", x + 4, y + h / 2, { color: sim.colors.fg, maxWidth: w - 8 });
//   arrow(p, x1, y1, x2, y2, { color: sim.colors.accent });

import { isolate } from "./bidi.js";

/** @typedef {any} P5  a p5 instance (instance mode: the sketch's `p`) */
/** @typedef {string} Color  a CSS colour, e.g. sim.colors.bad */

/** The smallest canvas text, in px. */
export const MIN_TEXT = 16;

/**
 * Diagonal hatch lines inside a rectangle (the "bad state" pattern).
 * @param {P5} p
 * @param {number} x
 * @param {number} y
 * @param {number} w
 * @param {number} h
 * @param {{color?: Color, spacing?: number, weight?: number}} [style]
 */
export function hatch(p, x, y, w, h, { color = "#000000", spacing = 8, weight = 1.5 } = {}) {
  p.push();
  p.stroke(color);
  p.strokeWeight(weight);
  const ctx = p.drawingContext;
  ctx.save();
  ctx.beginPath();
  ctx.rect(x, y, w, h);
  ctx.clip();
  for (let offset = -h; offset < w; offset += spacing) {
    p.line(x + offset, y + h, x + offset + h, y);
  }
  ctx.restore();
  p.pop();
}

/**
 * A grid of small dots inside a rectangle (the "warning" pattern).
 * @param {P5} p
 * @param {number} x
 * @param {number} y
 * @param {number} w
 * @param {number} h
 * @param {{color?: Color, spacing?: number, size?: number}} [style]
 */
export function dots(p, x, y, w, h, { color = "#000000", spacing = 8, size = 2.5 } = {}) {
  p.push();
  p.noStroke();
  p.fill(color);
  for (let dy = spacing / 2; dy < h; dy += spacing) {
    for (let dx = spacing / 2; dx < w; dx += spacing) p.circle(x + dx, y + dy, size);
  }
  p.pop();
}

/**
 * A rectangle with optional pattern: "hatch" | "dots" | null.
 * @param {P5} p
 * @param {number} x
 * @param {number} y
 * @param {number} w
 * @param {number} h
 * @param {{fill?: Color | null, stroke?: Color | null, weight?: number, radius?: number,
 *   pattern?: "hatch" | "dots" | null, patternColor?: Color}} [style]
 */
export function box(
  p,
  x,
  y,
  w,
  h,
  {
    fill = null,
    stroke = null,
    weight = 1,
    radius = 4,
    pattern = null,
    patternColor = "#000000",
  } = {},
) {
  p.push();
  if (fill) p.fill(fill);
  else p.noFill();
  if (stroke) {
    p.stroke(stroke);
    p.strokeWeight(weight);
  } else {
    p.noStroke();
  }
  p.rect(x, y, w, h, radius);
  p.pop();
  if (pattern === "hatch") hatch(p, x, y, w, h, { color: patternColor });
  if (pattern === "dots") dots(p, x, y, w, h, { color: patternColor });
}

/**
 * A line with an arrow head at (x2, y2).
 * @param {P5} p
 * @param {number} x1
 * @param {number} y1
 * @param {number} x2
 * @param {number} y2
 * @param {{color?: Color, weight?: number, head?: number}} [style]
 */
export function arrow(p, x1, y1, x2, y2, { color = "#000000", weight = 2, head = 9 } = {}) {
  const angle = Math.atan2(y2 - y1, x2 - x1);
  p.push();
  p.stroke(color);
  p.strokeWeight(weight);
  p.line(x1, y1, x2 - Math.cos(angle) * head * 0.6, y2 - Math.sin(angle) * head * 0.6);
  p.noStroke();
  p.fill(color);
  p.translate(x2, y2);
  p.rotate(angle);
  p.triangle(0, 0, -head, head / 2, -head, -head / 2);
  p.pop();
}

/**
 * `text` shortened with "…" so that it fits in maxWidth at the current text size.
 * @param {P5} p
 * @param {string} text
 * @param {number} maxWidth
 * @returns {string}
 */
export function fitText(p, text, maxWidth) {
  const full = String(text);
  if (!(maxWidth > 0) || p.textWidth(full) <= maxWidth) return isolate(full);
  let low = 0;
  let high = full.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (p.textWidth(`${full.slice(0, mid)}…`) <= maxWidth) low = mid;
    else high = mid - 1;
  }
  return isolate(low > 0 ? `${full.slice(0, low)}…` : "…");
}

/**
 * The first of `wordings` (longest first) that fits in maxWidth at `size` (>= 16 px), else the
 * last: a label that shortens its words on a narrow screen instead of ending in "…".
 *   firstThatFits(p, ["Primary DB OK: 0 queries, capacity 4", "DB OK: 0 queries (cap 4)"], 284)
 * @param {P5} p
 * @param {string[]} wordings  longest first
 * @param {number} maxWidth
 * @param {{bold?: boolean, size?: number}} [style]
 * @returns {string}
 */
export function firstThatFits(p, wordings, maxWidth, { bold = false, size = MIN_TEXT } = {}) {
  p.push();
  p.textSize(Math.max(MIN_TEXT, size));
  p.textStyle(bold ? p.BOLD : p.NORMAL);
  const found = wordings.find((text) => p.textWidth(text) <= maxWidth);
  p.pop();
  return found ?? wordings[wordings.length - 1];
}

/**
 * Text at (x, y), at least 16 px, truncated to maxWidth; returns the text actually drawn.
 * @param {P5} p
 * @param {string} text
 * @param {number} x
 * @param {number} y
 * @param {{color?: Color, size?: number, align?: "left" | "center" | "right",
 *   valign?: "top" | "center" | "bottom" | "baseline", maxWidth?: number, bold?: boolean}} [style]
 * @returns {string}
 */
export function label(
  p,
  text,
  x,
  y,
  {
    color = "#000000",
    size = MIN_TEXT,
    align = "left",
    valign = "center",
    maxWidth = 0,
    bold = false,
  } = {},
) {
  p.push();
  p.noStroke();
  p.fill(color);
  p.textSize(Math.max(MIN_TEXT, size));
  p.textStyle(bold ? p.BOLD : p.NORMAL);
  const h = { left: p.LEFT, center: p.CENTER, right: p.RIGHT }[align] ?? p.LEFT;
  const v =
    { top: p.TOP, center: p.CENTER, bottom: p.BOTTOM, baseline: p.BASELINE }[valign] ?? p.CENTER;
  p.textAlign(h, v);
  const shown = fitText(p, text, maxWidth);
  p.text(shown, x, y);
  p.pop();
  return shown;
}

/**
 * A legend row: swatch (with its pattern) + text per item; returns the height used.
 * @param {P5} p
 * @param {{label: string, fill?: Color, pattern?: "hatch" | "dots" | null}[]} items
 * @param {number} x
 * @param {number} y
 * @param {{color?: Color, size?: number, gap?: number}} [style]
 * @returns {number}
 */
export function legend(p, items, x, y, { color = "#000000", size = MIN_TEXT, gap = 16 } = {}) {
  let cx = x;
  let cy = y;
  const swatch = size;
  p.push();
  p.textSize(Math.max(MIN_TEXT, size));
  for (const item of items) {
    const width = swatch + 6 + p.textWidth(item.label);
    if (cx > x && cx + width > p.width - 8) {
      cx = x;
      cy += size + 8;
    }
    box(p, cx, cy, swatch, swatch, {
      fill: item.fill,
      stroke: color,
      pattern: item.pattern,
      radius: 2,
    });
    label(p, item.label, cx + swatch + 6, cy + swatch / 2, { color, size });
    cx += width + gap;
  }
  p.pop();
  return cy - y + size + 8;
}

/**
 * Ease in-out for animation progress t in [0, 1].
 * @param {number} t
 * @returns {number}
 */
export function ease(t) {
  const c = Math.min(1, Math.max(0, t));
  return c < 0.5 ? 2 * c * c : 1 - (-2 * c + 2) ** 2 / 2;
}
