// @ts-check
// text.js -- the sim's words: the aria-live narration line, the notices, the canvas's text
// alternative.
//
// * narration: one line, from state.narration (or sim.narrate(text)); rewriting the same text is
//   skipped, because some screen readers would announce it again;
// * notices say what just went wrong (a bad URL parameter, a refused input). They stay until the
//   reader next operates a control, so a stale message never sits beside a new one; the same text
//   is never shown twice, and at most the two newest are kept, so the line cannot grow and squeeze
//   the canvas (the layout's ResizeObserver re-lays out the canvas when the line changes);
// * the canvas's aria-label: the sim's describe(state, sim), "loading (phase)" or "could not
//   start";
// * user text in the narration and the notices comes bidi-isolated (FSI ... PDI, from the
//   controller's microsims.bidi.isolate or params.js) and is shown in <bdi> elements (bidi.js).
//
// Usage:
//   const text = createText({ id, title, page });
//   text.narrate("Bucket 2 holds alice."); text.notice("size must be 4-16; using 8.");
//   canvas.setAttribute("aria-label", canvasDescription({ ... }));

import { showText } from "./bidi.js";

/**
 * @param {object} options
 * @param {string} options.id  the sim-id (for console messages)
 * @param {{narration: HTMLElement, noticeLine: HTMLElement, controlsBox: HTMLElement}} options.page
 */
export function createText({ id, page }) {
  const { narration, noticeLine, controlsBox } = page;
  /** @type {string[]} */
  const noticeList = [];

  let narrated = narration.textContent;
  /** @param {unknown} text */
  function narrate(text) {
    if (!text || narrated === String(text)) return;
    narrated = String(text);
    showText(narration, narrated);
  }

  /** @param {unknown} text */
  function notice(text) {
    if (!text) return;
    const line = String(text);
    if (noticeList.includes(line)) return;
    noticeList.push(line);
    while (noticeList.length > 2) noticeList.shift();
    showText(noticeLine, noticeList.join(" "));
    noticeLine.hidden = false;
  }

  /** Take one notice away (the others stay). @param {string} text */
  function dropNotice(text) {
    const index = noticeList.indexOf(text);
    if (index < 0) return;
    noticeList.splice(index, 1);
    showText(noticeLine, noticeList.join(" "));
    noticeLine.hidden = noticeList.length === 0;
  }

  function clearNotices() {
    noticeList.length = 0;
    noticeLine.textContent = "";
    noticeLine.hidden = true;
  }

  /** A failed callback or call, shown as a notice (details to the console). */
  function report(/** @type {any} */ error) {
    console.error(`[${id}]`, error);
    notice(`Something went wrong: ${error?.message ? error.message : error}`);
  }

  // Capture phase: cleared before the control's own handler runs and perhaps posts a new notice.
  let controlEventAt = -Infinity; // when the reader last operated a control
  for (const type of ["click", "change", "input", "keydown"]) {
    controlsBox.addEventListener(
      type,
      () => {
        controlEventAt = performance.now();
        if (type !== "keydown") clearNotices();
      },
      { capture: true },
    );
  }

  /** Whether the reader operated a control within the last `ms` milliseconds. */
  function controlUsedWithin(/** @type {number} */ ms) {
    return performance.now() - controlEventAt < ms;
  }

  return { narrate, notice, dropNotice, clearNotices, report, controlUsedWithin };
}

/**
 * The canvas's text alternative for the sim as it is now.
 * @param {object} options
 * @param {string} options.id
 * @param {string} options.title
 * @param {string | null} options.failed  the reason the sim could not start, if it could not
 * @param {object | null} options.state  the controller's state
 * @param {string} [options.phase]  what is loading, in words
 * @param {((state: any, sim: any) => unknown) | undefined} options.describe  the sim's describe()
 * @param {object} options.sim
 * @returns {string}
 */
export function canvasDescription({ id, title, failed, state, phase, describe, sim }) {
  if (failed) return `${title}: could not start`;
  if (!state) return `${title}: loading${phase ? ` (${phase})` : ""}`;
  try {
    return describe ? String(describe(state, sim)) : title;
  } catch (error) {
    console.error(`[${id}] describe() failed`, error);
    return title;
  }
}
