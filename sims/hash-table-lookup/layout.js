// layout.js -- where each part of the hash-table-lookup picture goes, for a given canvas size.
//
// Three columns, as in the chapter's spec: the key (left), the hash-function box (centre) and the
// buckets (right, a vertical stack labelled 0..size-1). The canvas height is what the kit leaves
// after the controls, so the bucket stack adapts: one column of rows when every row can be at
// least MIN_ROW px tall (16 px text needs ~20 px), otherwise two columns. The bucket of the last
// key is "expanded" to two lines (keys, then values), which is how its chain shows as a linked
// list of entries. Below COMPACT_WIDTH (the book's 660 px column, phones) the key column is left
// out (the box shows the key, the buckets its value and a ✓/+ mark), so that a chain of two or
// three entries stays readable in the bucket rows; below MIN_WIDTH the picture is laid out at
// MIN_WIDTH and scaled.
//
// Usage:
//   const L = computeLayout(760, 300, { size: 8, expanded: 2 });
//   L.rows[2]  // {x, y, w, h, lines}: the rectangle of bucket 2

export const MIN_WIDTH = 440;
export const COMPACT_WIDTH = 700;
export const MIN_ROW = 21;
export const MAX_ROW = 34;
export const STATS_H = 28;
export const PAD = 8;

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/**
 * Rectangles of the bucket rows. One column when every row (and the expanded bucket's second
 * line) gets at least MIN_ROW px; else two columns of one-line rows plus a full-width "strip"
 * under them where the expanded bucket's chain is drawn as a linked list.
 */
export function bucketRows(x, y, w, h, size, expanded) {
  const hasExpanded = expanded >= 0 && expanded < size;
  const rows = [];
  let lineH = h / (size + (hasExpanded ? 1 : 0));
  if (lineH >= MIN_ROW) {
    lineH = Math.min(lineH, MAX_ROW);
    let cy = y;
    for (let i = 0; i < size; i += 1) {
      const lines = i === expanded ? 2 : 1;
      rows.push({ x, y: cy, w, h: lineH * lines, lines, lineH });
      cy += lineH * lines;
    }
    return { rows, cols: 1, lineH, strip: null };
  }
  const perCol = Math.ceil(size / 2);
  lineH = Math.min(MAX_ROW, h / (perCol + (hasExpanded ? 2.3 : 0)));
  const gap = 10;
  const colW = (w - gap) / 2;
  for (let i = 0; i < size; i += 1) {
    const c = i < perCol ? 0 : 1;
    const r = i - c * perCol;
    rows.push({ x: x + c * (colW + gap), y: y + r * lineH, w: colW, h: lineH, lines: 1, lineH });
  }
  const strip = hasExpanded
    ? { x, y: y + perCol * lineH + 0.3 * lineH, w, h: 2 * lineH, lines: 2, lineH }
    : null;
  return { rows, cols: 2, lineH, strip };
}

/** The whole picture's layout for a canvas of w x h (already at least MIN_WIDTH wide). */
export function computeLayout(w, h, { size, expanded }) {
  const top = STATS_H + 6;
  const compact = w < COMPACT_WIDTH;
  const leftW = compact ? 0 : clamp(w * 0.18, 130, 170);
  const boxX = compact ? PAD : PAD + leftW + 10;
  const boxW = compact ? Math.round(clamp(w * 0.455, 200, 300)) : clamp(w * 0.4, 266, 330);
  const bucketsX = boxX + boxW + (compact ? 14 : 20);
  const bucketsW = w - bucketsX - PAD;
  const body = h - top - PAD;
  return {
    w,
    h,
    compact,
    stats: { x: PAD, y: 0, w: w - 2 * PAD, h: STATS_H },
    left: { x: PAD, y: top, w: leftW, h: body },
    box: { x: boxX, y: top, w: boxW, h: body },
    buckets: { x: bucketsX, y: top, w: bucketsW, h: body, ...bucketRows(bucketsX, top, bucketsW, body, size, expanded) },
  };
}
