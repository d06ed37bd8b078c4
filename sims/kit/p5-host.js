// @ts-check
// p5-host.js -- p5.js on a sim page: loading it (self-hosted or from the CDN with its integrity
// hash, config.js) and the picture shown until the engine answers (a spinner, the loading phase
// in words and a progress bar while downloading, or the failure's title).
//
// Usage:
//   const P5 = await loadP5();
//   drawLoading(p, { colors, width, height, phase, failed, reduced });

import { ASSETS } from "./config.js";

// p5 listens to device motion/orientation on start-up; inside a cross-origin iframe that breaks
// the Permissions Policy (Chromium logs an error per listener). The sims use no motion sensors,
// so those two listeners are simply not registered on this page.
function ignoreMotionSensors() {
  const add = /** @type {any} */ (window.addEventListener);
  if (add.msFiltered) return;
  /** @this {any} */
  const filtered = function (/** @type {string} */ type, /** @type {any[]} */ ...rest) {
    if (type === "devicemotion" || type === "deviceorientation") return undefined;
    return add.call(this, type, ...rest);
  };
  filtered.msFiltered = true;
  window.addEventListener = /** @type {any} */ (filtered);
}

/**
 * p5's constructor, loading p5.js first if the page has not.
 * @returns {Promise<any>}
 */
// p5 adds a <style> element for its start-up spinner, which the sim pages' Content Security
// Policy (style-src 'self', no inline styles) refuses, with a violation report each time. p5
// skips that element when one with its id exists; the spinner's keyframes are in microsim.css.
function keepP5StylesInFiles() {
  if (document.getElementById("p5-loading-style")) return;
  const mark = document.createElement("template");
  mark.id = "p5-loading-style";
  document.head.append(mark);
}

export function loadP5() {
  ignoreMotionSensors();
  keepP5StylesInFiles();
  if (typeof window.p5 === "function") return Promise.resolve(window.p5);
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = new URL(ASSETS.p5.url, import.meta.url).href;
    if (ASSETS.p5.integrity) {
      script.integrity = ASSETS.p5.integrity;
      script.crossOrigin = "anonymous";
    }
    script.onload = () =>
      typeof window.p5 === "function"
        ? resolve(window.p5)
        : reject(new Error("p5.js did not start"));
    script.onerror = () => {
      script.remove();
      reject(
        new Error(
          "Could not download the drawing library (p5.js). Check the connection and try again.",
        ),
      );
    };
    document.head.append(script);
  });
}

/**
 * The canvas while the engine loads (or after it failed to start).
 * @param {any} p  the p5 instance
 * @param {object} view
 * @param {Record<string, string>} view.colors
 * @param {number} view.width
 * @param {number} view.height
 * @param {string} view.phase  what is loading, in words
 * @param {number | null} [view.progress]  the share of the download received (0..1), if known
 * @param {boolean} view.failed
 * @param {boolean} view.reduced  reduced motion: a still ring instead of a spinning arc
 */
export function drawLoading(p, { colors: c, width, height, phase, progress, failed, reduced }) {
  p.background(c.bg);
  p.noStroke();
  p.fill(c.fg);
  p.textAlign(p.CENTER, p.CENTER);
  p.textSize(Math.min(22, Math.max(16, width / 30)));
  const cx = width / 2;
  const cy = height / 2;
  if (failed) {
    p.text("The simulation could not start.", cx, cy - 60);
    return;
  }
  p.text("Loading the Python engine…", cx, cy + 28);
  p.fill(c.muted);
  p.textSize(16);
  p.text(phase || "", cx, cy + 56);
  if (typeof progress === "number") {
    const barWidth = Math.min(240, width * 0.6);
    p.noStroke();
    p.fill(c.grid);
    p.rect(cx - barWidth / 2, cy + 76, barWidth, 8, 4);
    p.fill(c.accent);
    p.rect(cx - barWidth / 2, cy + 76, barWidth * Math.min(1, progress), 8, 4);
  }
  const t = reduced ? 0 : performance.now() / 1000;
  p.noFill();
  p.strokeWeight(5);
  p.stroke(c.grid);
  p.circle(cx, cy - 16, 40);
  p.stroke(c.accent);
  if (reduced) p.circle(cx, cy - 16, 40);
  else p.arc(cx, cy - 16, 40, 40, t * 4, t * 4 + 1.6);
}
