// layout.js -- where each part of the hash-table-lookup picture goes, for a given canvas size.
//
// Three columns, as in the chapter's spec: the key (left), the hash-function box (centre) and the
// buckets (right, a vertical stack labelled 0..size-1). The canvas height is what the kit leaves
// after the controls, so the bucket stack adapts: one column of rows when every row can be at
// least MIN_ROW px tall (16 px text needs ~20 px), otherwise two columns. The bucket of the last
// key is "expanded" to two lines (keys, then values), which is how its chain shows as a linked
// list of entries. Below MIN_WIDTH the picture is laid out at MIN_WIDTH and scaled down.
//
// Usage:
//   const L = computeLayout(760, 300, { size: 8, expanded: 2 });
//   L.rows[2]  // {x, y, w, h, lines}: the rectangle of bucket 2

export const MIN_WIDTH = 600;
export const MIN_ROW = 21;
export const MAX_ROW = 34;
export const STATS_H = 28;
export const PAD = 8;

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** Rectangles of the bucket rows: one or two columns; `expanded` bucket gets 2 lines. */
export function bucketRows(x, y, w, h, size, expanded) {
  const lines = (i) => (i === expanded ? 2 : 1);
  const fits = (cols) => {
    const perCol = Math.ceil(size / cols);
    let worst = 0;
    for (let c = 0; c < cols; c += 1) {
      let total = 0;
      for (let i = c * perCol; i < Math.min(size, (c + 1) * perCol); i += 1) total += lines(i);
      worst = Math.max(worst, total);
    }
    return { perCol, lineH: h / worst };
  };
  let cols = 1;
  let { perCol, lineH } = fits(1);
  if (lineH < MIN_ROW) {
    cols = 2;
    ({ perCol, lineH } = fits(2));
  }
  lineH = clamp(lineH, 1, MAX_ROW);
  const gap = 10;
  const colW = (w - gap * (cols - 1)) / cols;
  const rows = [];
  for (let c = 0; c < cols; c += 1) {
    let cy = y;
    for (let i = c * perCol; i < Math.min(size, (c + 1) * perCol); i += 1) {
      const rowH = lineH * lines(i);
      rows[i] = { x: x + c * (colW + gap), y: cy, w: colW, h: rowH, lines: lines(i), lineH };
      cy += rowH;
    }
  }
  return { rows, cols, lineH };
}

/** The whole picture's layout for a canvas of w x h (already at least MIN_WIDTH wide). */
export function computeLayout(w, h, { size, expanded }) {
  const top = STATS_H + 6;
  const leftW = clamp(w * 0.17, 120, 170);
  const boxX = PAD + leftW + 10;
  const boxW = clamp(w * 0.38, 250, 330);
  const bucketsX = boxX + boxW + 20;
  const bucketsW = w - bucketsX - PAD;
  const body = h - top - PAD;
  return {
    w,
    h,
    stats: { x: PAD, y: 0, w: w - 2 * PAD, h: STATS_H },
    left: { x: PAD, y: top, w: leftW, h: body },
    box: { x: boxX, y: top, w: boxW, h: body },
    buckets: { x: bucketsX, y: top, w: bucketsW, h: body, ...bucketRows(bucketsX, top, bucketsW, body, size, expanded) },
  };
}
