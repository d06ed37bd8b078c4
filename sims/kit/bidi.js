// @ts-check
// bidi.js -- user text inside an English sentence keeps its own direction (Unicode bidi isolates).
//
// A key the student typed may hold right-to-left letters or direction controls, e.g. an unbalanced
// U+202E RIGHT-TO-LEFT OVERRIDE, which would reverse the rest of the line it sits in. UAX #9's
// isolate -- U+2068 FIRST STRONG ISOLATE ... U+2069 POP DIRECTIONAL ISOLATE -- confines it: inside,
// the text takes its own direction, and the closing PDI ends every embedding and override opened
// inside (rule X6a). The same rule as microsims/bidi.py:
//   * isolate(text): text with RTL letters, Arabic digits or direction controls, wrapped in
//     FSI ... PDI (its own isolates balanced first); other text unchanged. For the canvas, where
//     each text() call is drawn as it is.
//   * showText(node, text): put text into a DOM element, each top-level FSI ... PDI span of it
//     (the controllers isolate user text in their narration) becoming a <bdi> element, so the
//     DOM text carries no invisible marks (screen readers, copy and paste).
//
// Usage:
//   label(p, `${isolate(key)} hashes to ${hash}`, x, y);
//   showText(narrationLine, state.narration);

export const FSI = "\u2068";
export const PDI = "\u2069";
const INITIATORS = "\u2066\u2067\u2068";
// Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, ... blocks; their presentation forms; the
// right-to-left historic scripts of the SMP; Arabic letter and right-to-left marks; every
// explicit embedding, override and isolate control.
const MOVING =
  /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\u061c\u200f\u202a-\u202e\u2066-\u2069]|[\ud802-\ud803\ud83a-\ud83b][\udc00-\udfff]/;

/**
 * `text` with each PDI matched to an isolate initiator before it and none left open.
 * @param {string} text
 */
function balanced(text) {
  let out = "";
  let depth = 0;
  for (const char of text) {
    if (INITIATORS.includes(char)) depth += 1;
    else if (char === PDI) {
      if (depth === 0) continue;
      depth -= 1;
    }
    out += char;
  }
  return out + PDI.repeat(depth);
}

/**
 * `text` ready to sit in a left-to-right sentence: bidi-isolated if it could move its neighbours.
 * @param {unknown} text
 * @returns {string}
 */
export function isolate(text) {
  const value = String(text);
  return MOVING.test(value) ? `${FSI}${balanced(value)}${PDI}` : value;
}

/**
 * Set `node`'s text to `text`, each top-level FSI ... PDI span as a <bdi> element.
 * @param {HTMLElement} node
 * @param {string} text
 */
export function showText(node, text) {
  if (!text.includes(FSI)) {
    node.textContent = text;
    return;
  }
  const parts = [];
  let plain = "";
  let inner = "";
  let depth = 0;
  for (const char of balanced(text)) {
    if (depth === 0 && char === FSI) {
      depth = 1;
      if (plain) parts.push(plain);
      plain = "";
      continue;
    }
    if (depth === 0) {
      plain += char;
      continue;
    }
    if (INITIATORS.includes(char)) depth += 1;
    if (char === PDI) depth -= 1;
    if (depth === 0) {
      const bdi = document.createElement("bdi");
      bdi.textContent = inner;
      parts.push(bdi);
      inner = "";
    } else inner += char;
  }
  if (plain) parts.push(plain);
  node.replaceChildren(...parts);
}
