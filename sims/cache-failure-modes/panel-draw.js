// Drawing primitives shared by the two panels of cache-failure-modes.
//
// Everything here is pure drawing: it takes a p5 instance, a box and values that come from the
// controller's state, and paints them. No function keeps state. "Bad" things always get a text
// label and a hatch pattern on top of the colour, so colour is never the only cue (WCAG 1.4.1).
// Text is never smaller than MIN_TEXT px; labels that do not fit are cut with an ellipsis.

export const MIN_TEXT = 16;

/** Fill a rectangle with diagonal hatching (clipped to the rectangle). */
export function hatch(p, x, y, w, h, color, gap = 8) {
  if (w <= 0 || h <= 0) return;
  const ctx = p.drawingContext;
  ctx.save();
  ctx.beginPath();
  ctx.rect(x, y, w, h);
  ctx.clip();
  p.stroke(color);
  p.strokeWeight(2);
  for (let d = -h; d < w; d += gap) p.line(x + d, y + h, x + d + h, y);
  ctx.restore();
}

/** Cut `text` with an ellipsis so it fits in `maxWidth` at the current text size. */
export function fit(p, text, maxWidth) {
  const s = String(text);
  if (p.textWidth(s) <= maxWidth) return s;
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (p.textWidth(s.slice(0, mid) + "…") <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return s.slice(0, lo) + "…";
}

/** Write one line of text at (x, y) (top-left anchored), fitted to maxWidth. */
export function label(p, text, x, y, { size = MIN_TEXT, color, bold = false, align = "left", maxWidth = 1e6 } = {}) {
  p.noStroke();
  p.fill(color);
  p.textSize(Math.max(MIN_TEXT, size));
  p.textStyle(bold ? p.BOLD : p.NORMAL);
  p.textAlign(align === "center" ? p.CENTER : align === "right" ? p.RIGHT : p.LEFT, p.TOP);
  p.text(fit(p, text, maxWidth), x, y);
  p.textStyle(p.NORMAL);
}

/** A horizontal status bar: a frame, a filled part, an optional hatch when bad, and its label. */
export function statusBar(p, c, { x, y, w, h, fraction, bad, text }) {
  p.stroke(c.fg);
  p.strokeWeight(1);
  p.fill(c.bg);
  p.rect(x, y, w, h, 4);
  const fillW = Math.max(0, Math.min(1, fraction)) * (w - 2);
  p.noStroke();
  p.fill(bad ? c.bad : c.ok);
  p.rect(x + 1, y + 1, fillW, h - 2, 3);
  if (bad) hatch(p, x + 1, y + 1, w - 2, h - 2, c.fg, 10);
  // label on a plate so it reads on any fill
  p.textSize(MIN_TEXT);
  p.textStyle(p.BOLD);
  const t = fit(p, text, w - 16);
  const tw = p.textWidth(t);
  p.fill(c.bg);
  p.rect(x + 6, y + (h - 22) / 2, tw + 8, 22, 3);
  label(p, t, x + 10, y + (h - 22) / 2 + 2, { color: c.fg, bold: true });
}

/** An arrow from (x1, y1) to (x2, y2) with a filled head. */
export function arrow(p, x1, y1, x2, y2, color, weight = 2) {
  p.stroke(color);
  p.strokeWeight(weight);
  p.line(x1, y1, x2, y2);
  const a = Math.atan2(y2 - y1, x2 - x1);
  const s = 8;
  p.noStroke();
  p.fill(color);
  p.triangle(
    x2, y2,
    x2 - s * Math.cos(a - 0.45), y2 - s * Math.sin(a - 0.45),
    x2 - s * Math.cos(a + 0.45), y2 - s * Math.sin(a + 0.45),
  );
}

/**
 * A small table: header + rows, each row a list of cell strings; `bad(rowIndex)` marks a row whose
 * last cell is drawn bold with a hatch marker (the word in the cell carries the meaning).
 */
export function table(p, c, { x, y, w, columns, rows, rowHeight = 21, bad = () => false, current = -1 }) {
  const widths = columns.map((col) => col.width * w);
  let cx = x;
  p.stroke(c.grid);
  p.strokeWeight(1);
  p.line(x, y + rowHeight, x + w, y + rowHeight);
  columns.forEach((col, i) => {
    label(p, col.title, col.align === "right" ? cx + widths[i] - 4 : cx + 2, y + 1, {
      color: c.muted, bold: true, align: col.align, maxWidth: widths[i] - 4,
    });
    cx += widths[i];
  });
  rows.forEach((cells, r) => {
    const ry = y + rowHeight * (r + 1) + 2;
    if (r === current) {
      p.noStroke();
      p.fill(c.grid);
      p.rect(x, ry - 1, w, rowHeight, 3);
    }
    let rx = x;
    cells.forEach((cell, i) => {
      const last = i === cells.length - 1;
      const isBad = last && bad(r);
      if (isBad) hatch(p, rx + 1, ry, widths[i] - 2, rowHeight - 2, c.bad, 6);
      const col = columns[i];
      label(p, cell, col.align === "right" ? rx + widths[i] - 4 : rx + 2, ry + 1, {
        color: isBad ? c.fg : c.fg, bold: isBad || r === current, align: col.align,
        maxWidth: widths[i] - 4,
      });
      rx += widths[i];
    });
  });
}
