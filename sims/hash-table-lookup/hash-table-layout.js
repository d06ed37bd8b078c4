// hash-table-layout.js -- where each part of the hash-table-lookup picture goes, for a given canvas size.
//
// Three columns, as in the chapter's spec: the key (left), the hash-function box (centre) and the
// buckets (right, a vertical stack labelled 0..size-1). The canvas height is what the kit leaves
// after the controls, so the bucket stack adapts: one column of rows when every row can be at
// least MIN_ROW px tall (16 px text needs ~20 px), otherwise two columns. The bucket of the last
// key is "expanded" to two lines (keys, then values), which is how its chain shows as a linked
// list of entries; when that chain does not fit whole side by side (a long chain at 4 buckets, a
// phone), the view asks for `expandedLines` = one line per entry and draws it as a vertical list. Below COMPACT_WIDTH (the book's 660 px column, phones) the key column is left
// out (the box shows the key, the buckets its value and a ✓/+ mark), so that a chain of two or
// three entries stays readable in the bucket rows. Below MIN_WIDTH (phones) nothing is scaled:
// the picture is stacked in one column at full width (narrowLayout) -- the stats on two lines,
// the hash box, the bucket rows (one column; two columns plus the expanded bucket's strip for
// more than NARROW_ONE_COLUMN_MAX buckets), then the collision tooltip -- with a gutter on the
// left where the arrow runs from the box down to the bucket. That layout is taller than the
// kit's default canvas, so it reports the height it needs (`needed`), which the sim passes to the
// kit as minCanvasHeight(width) and the page grows.
//
// Usage:
//   const L = computeLayout(760, 300, { size: 8, expanded: 2 });
//   L.buckets.rows[2]  // {x, y, w, h, lines}: the rectangle of bucket 2
//   computeLayout(375, 200, { size: 8, expanded: 2, tooltipLines: 2 }).needed  // -> 636

export const MIN_WIDTH = 440;
export const COMPACT_WIDTH = 700;
export const MIN_ROW = 21;
export const MAX_ROW = 34;
export const STATS_H = 28;
export const PAD = 8;
export const LINE = 20; // one 16 px text line
// the narrow (phone) layout
export const NARROW_STATS_H = 2 * LINE + 8;
export const NARROW_BOX_LINES = 7; // key, two arithmetic lines and four steps: the whole trace
// (the box shows 3.5 lines besides its budget; the extra half line keeps the last step clear of
// the rule above the formula)
export const NARROW_BOX_H = Math.ceil((NARROW_BOX_LINES + 4) * LINE + 8);
export const NARROW_ROW = 30;
export const NARROW_GUTTER = 22; // left of the bucket rows: the arrow from the box runs down here
export const NARROW_ONE_COLUMN_MAX = 10;
export const NARROW_COLUMN_GAP = 6; // two columns at 375 px: rows of 165 px hold "session:abc123"
export const TOOLTIP_MAX_LINES = 4;
const GAP = 10;

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/**
 * Rectangles of the bucket rows. One column when every row (and the expanded bucket's second
 * line) gets at least MIN_ROW px; else two columns of one-line rows plus a full-width "strip"
 * under them where the expanded bucket's chain is drawn as a linked list. `gap`: between the two
 * columns.
 */
export function bucketRows(x, y, w, h, size, expanded, gap = 10, expandedLines = 2) {
  const hasExpanded = expanded >= 0 && expanded < size;
  const extra = hasExpanded ? expandedLines - 1 : 0; // lines the expanded bucket adds
  const rows = [];
  let lineH = h / (size + extra);
  if (lineH >= MIN_ROW) {
    lineH = Math.min(lineH, MAX_ROW);
    let cy = y;
    for (let i = 0; i < size; i += 1) {
      const lines = i === expanded ? expandedLines : 1;
      rows.push({ x, y: cy, w, h: lineH * lines, lines, lineH });
      cy += lineH * lines;
    }
    return { rows, cols: 1, lineH, strip: null };
  }
  const perCol = Math.ceil(size / 2);
  lineH = Math.min(MAX_ROW, h / (perCol + (hasExpanded ? expandedLines + 0.3 : 0)));
  const colW = (w - gap) / 2;
  for (let i = 0; i < size; i += 1) {
    const c = i < perCol ? 0 : 1;
    const r = i - c * perCol;
    rows.push({ x: x + c * (colW + gap), y: y + r * lineH, w: colW, h: lineH, lines: 1, lineH });
  }
  const strip = hasExpanded
    ? {
        x,
        y: y + perCol * lineH + 0.3 * lineH,
        w,
        h: expandedLines * lineH,
        lines: expandedLines,
        lineH,
      }
    : null;
  return { rows, cols: 2, lineH, strip };
}

/** Height of the collision tooltip box of `lines` lines (0: no tooltip). */
export const tooltipHeight = (lines) => (lines > 0 ? lines * LINE + 12 : 0);

/**
 * The phone layout (w < MIN_WIDTH): one column, top to bottom, at full width and scale 1. The
 * rows have a fixed height, so the layout does not depend on `h`; `needed` is the canvas height
 * it takes (`tooltipLines`: the collision tooltip's line count, 0 when there is none).
 */
export function narrowLayout(w, h, { size, expanded, tooltipLines = 0, expandedLines = 2 }) {
  const inner = w - 2 * PAD;
  const boxY = NARROW_STATS_H + 6;
  const rowsX = PAD + NARROW_GUTTER;
  const rowsY = boxY + NARROW_BOX_H + GAP + 4;
  const rowsW = w - rowsX - PAD;
  const hasExpanded = expanded >= 0 && expanded < size;
  // bucketRows picks one column when h / (size + expanded line) >= MIN_ROW: ask for exactly that
  // (rows of NARROW_ROW px), or for two columns of NARROW_ROW px rows and the strip below them
  const oneColumn = size <= NARROW_ONE_COLUMN_MAX;
  const rowsH = oneColumn
    ? NARROW_ROW * (size + (hasExpanded ? expandedLines - 1 : 0))
    : NARROW_ROW * (Math.ceil(size / 2) + (hasExpanded ? expandedLines + 0.3 : 0));
  const rows = bucketRows(
    rowsX,
    rowsY,
    rowsW,
    rowsH,
    size,
    expanded,
    NARROW_COLUMN_GAP,
    expandedLines,
  );
  const tipH = tooltipHeight(tooltipLines);
  const tooltip = { x: PAD, y: rowsY + rowsH + GAP, w: inner, h: tipH };
  const needed = Math.ceil((tipH ? tooltip.y + tipH : rowsY + rowsH) + PAD);
  return {
    w,
    h,
    compact: true,
    narrow: true,
    needed,
    stats: { x: PAD, y: 0, w: inner, h: NARROW_STATS_H },
    left: { x: PAD, y: boxY, w: 0, h: 0 },
    box: { x: PAD, y: boxY, w: inner, h: NARROW_BOX_H },
    gutter: { x: PAD, y: boxY + NARROW_BOX_H, w: NARROW_GUTTER, x0: PAD + 12 },
    buckets: { x: rowsX, y: rowsY, w: rowsW, h: rowsH, ...rows },
    tooltip,
  };
}

/**
 * The least canvas height the picture needs at width `w`: 0 from MIN_WIDTH up (the layouts there
 * fit any height the kit gives), else the narrow layout's height for `size` buckets and a
 * tooltip of `tooltipLines` lines.
 */
export function neededHeight(w, { size, expanded, tooltipLines = 0, expandedLines = 2 }) {
  if (w >= MIN_WIDTH) return 0;
  return narrowLayout(w, 0, { size, expanded, tooltipLines, expandedLines }).needed;
}

/** The whole picture's layout for a canvas of w x h (the narrow one below MIN_WIDTH). */
export function computeLayout(w, h, { size, expanded, tooltipLines = 0, expandedLines = 2 }) {
  if (w < MIN_WIDTH) return narrowLayout(w, h, { size, expanded, tooltipLines, expandedLines });
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
    buckets: {
      x: bucketsX,
      y: top,
      w: bucketsW,
      h: body,
      ...bucketRows(bucketsX, top, bucketsW, body, size, expanded, 10, expandedLines),
    },
  };
}
