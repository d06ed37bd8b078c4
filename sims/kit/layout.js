// @ts-check
// layout.js -- the page's skeleton and its sizes: where the canvas, the controls and the status
// lines go, how tall the canvas is, full screen, and the height the page tells its parent.
//
// The whole sim (canvas + controls + status lines) fits in the spec's `canvasHeight` px, so an
// iframe of height canvasHeight + 2 shows it all: the canvas gets the height the controls leave
// (never less than MIN_CANVAS_SHARE of it), recomputed when they wrap. A view that needs more at
// some width (a phone layout stacked in one column) says so with `minCanvasHeight(width, sim)`,
// and the page then grows past canvasHeight. In full screen the screen's height takes the place
// of canvasHeight. The content's height goes to the parent window as microsim-resize and
// lti.frameResize (docs/contracts.md) on load, when ready and whenever it changes.
//
// Usage:
//   const page = buildPage(title, canvasHeight);           // {main, stage, panel, ...} elements
//   const sizes = createLayout({ id, page, canvasHeight, sim, minCanvasHeight, onResize });
//   sizes.layout(); sizes.postHeight(true); sizes.relayoutIfNeeded();

const MIN_CANVAS_SHARE = 0.45; // the canvas never shrinks below this share of canvasHeight

/**
 * A new element with an optional class and text.
 * @param {string} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElement}
 */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Post a message to the embedding window (nothing when the page is not in a frame).
 * @param {object} message
 */
export function postToParent(message) {
  if (window.parent && window.parent !== window) {
    try {
      window.parent.postMessage(message, "*");
    } catch {
      /* a parent that cannot receive messages is fine */
    }
  }
}

// The full-screen toggle: the sim's root (canvas, controls, narration) fills the screen and is laid
// out again at the screen's size; Esc or the same button brings it back. Hidden where the page may
// not go full screen (an iframe without allowfullscreen, a browser without the Fullscreen API).
const ENTER_ICON =
  '<svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false"><path d="M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5" fill="none" stroke="currentColor" stroke-width="2.4"/></svg>';
const EXIT_ICON =
  '<svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false"><path d="M9 4v5H4M20 9h-5V4M15 20v-5h5M4 15h5v5" fill="none" stroke="currentColor" stroke-width="2.4"/></svg>';

/**
 * The "Full screen" / "Exit full screen" button for `target`.
 * @param {HTMLElement} target
 * @returns {HTMLButtonElement}
 */
export function fullscreenButton(target) {
  const button = /** @type {HTMLButtonElement} */ (el("button", "ms-button ms-fullscreen"));
  button.type = "button";
  const show = () => {
    const on = document.fullscreenElement === target;
    const name = on ? "Exit full screen" : "Full screen";
    button.setAttribute("aria-label", name);
    button.title = on ? `${name} (Esc)` : name;
    button.innerHTML = on ? EXIT_ICON : ENTER_ICON;
  };
  button.hidden = !document.fullscreenEnabled || typeof target.requestFullscreen !== "function";
  button.addEventListener("click", () => {
    const request =
      document.fullscreenElement === target
        ? document.exitFullscreen()
        : target.requestFullscreen({ navigationUI: "hide" });
    request?.catch?.((error) => console.warn("full screen refused:", error));
  });
  document.addEventListener("fullscreenchange", show);
  show();
  return button;
}

/**
 * @typedef {object} Page  the elements of a sim page, built by buildPage()
 * @property {HTMLElement} main  the sim's root, <main id="microsim">
 * @property {HTMLElement} stage  holds the canvas (and the loading placeholder, the error overlay)
 * @property {HTMLElement} placeholder  shown until the canvas exists
 * @property {HTMLElement} overlay  the error message and its Retry button
 * @property {HTMLElement} panel  controls + notice + narration, under the canvas
 * @property {HTMLElement} controlsBox  the sim's control rows
 * @property {HTMLElement} noticeLine  the notices (role=status)
 * @property {HTMLElement} narration  the aria-live narration line
 */

/**
 * Build the sim's page inside <main id="microsim"> (made if missing), `canvasHeight` px tall.
 * @param {string} title
 * @param {number} canvasHeight
 * @returns {Page}
 */
export function buildPage(title, canvasHeight) {
  const main = document.getElementById("microsim") || document.body.appendChild(el("main"));
  main.classList.add("microsim");
  main.replaceChildren();
  main.style.height = `${canvasHeight}px`;
  const heading = el("h1", "ms-visually-hidden", title);
  const stage = el("div", "ms-stage");
  const placeholder = el("div", "ms-placeholder", "Loading the simulation…");
  placeholder.setAttribute("role", "img");
  placeholder.setAttribute("aria-label", `${title}: loading`);
  stage.append(placeholder);
  const overlay = el("div", "ms-overlay");
  overlay.hidden = true;
  stage.append(overlay);
  const panel = el("div", "ms-panel");
  const controlsBox = el("div", "ms-controls");
  controlsBox.setAttribute("role", "group");
  controlsBox.setAttribute("aria-label", `${title} controls`);
  const noticeLine = el("p", "ms-notice");
  noticeLine.setAttribute("role", "status");
  noticeLine.hidden = true;
  const narration = el("p", "ms-narration");
  narration.setAttribute("aria-live", "polite");
  narration.setAttribute("aria-atomic", "true");
  narration.textContent = "Loading the Python engine…";
  const statusRow = el("div", "ms-status");
  statusRow.append(narration, fullscreenButton(main));
  panel.append(controlsBox, noticeLine, statusRow);
  main.append(heading, stage, panel);
  return { main, stage, placeholder, overlay, panel, controlsBox, noticeLine, narration };
}

/**
 * The canvas's size for the page's width and the controls' height, and the height messages.
 * @param {object} options
 * @param {string} options.id  the sim-id (in microsim-resize)
 * @param {Page} options.page
 * @param {number} options.canvasHeight
 * @param {{width: number, height: number}} options.sim  receives the canvas size
 * @param {((width: number, sim: any) => number) | undefined} options.minCanvasHeight  the view's
 * @param {() => void} options.onResize  called after sim.width/height changed
 */
export function createLayout({ id, page, canvasHeight, sim, minCanvasHeight, onResize }) {
  const { main, stage, panel } = page;
  let laidOutWith = 0; // the minCanvasHeight of the last layout
  let relayoutQueued = false;
  let lastPostedHeight = 0;

  /** @param {number} width */
  function neededHeight(width) {
    if (typeof minCanvasHeight !== "function") return 0;
    const needed = Number(minCanvasHeight(width, sim));
    return Number.isFinite(needed) && needed > 0 ? Math.ceil(needed) : 0;
  }

  function layout() {
    const width = Math.max(1, Math.floor(main.clientWidth));
    // Full screen: the whole screen is the sim's height; otherwise the spec's canvasHeight.
    const total = document.fullscreenElement === main ? window.innerHeight : canvasHeight;
    const free = total - panel.offsetHeight;
    laidOutWith = neededHeight(width);
    const height = Math.max(Math.round(total * MIN_CANVAS_SHARE), Math.floor(free), laidOutWith);
    main.style.height = height + panel.offsetHeight > total ? "auto" : `${total}px`;
    stage.style.height = `${height}px`;
    if (width === sim.width && height === sim.height) return;
    sim.width = width;
    sim.height = height;
    onResize();
  }

  // After each frame: if the view now needs another height (a new state, an animation step),
  // lay the page out again once the frame is done.
  function relayoutIfNeeded() {
    if (relayoutQueued || typeof minCanvasHeight !== "function") return;
    if (neededHeight(sim.width) === laidOutWith) return;
    relayoutQueued = true;
    setTimeout(() => {
      relayoutQueued = false;
      layout();
    }, 0);
  }

  // The height of the sim's content (not the iframe's viewport, so an iframe taller than the sim
  // can shrink back), posted twice: microsim-resize for the book's listener (microsim-embed.js)
  // and lti.frameResize, which LTI hosts such as Canvas act on by themselves. `force` sends an
  // unchanged height again (a parent whose listener arrived late, an iframe scrolled out of view
  // that saw no resize).
  function postHeight(force = false) {
    if (document.fullscreenElement) return; // the screen's height says nothing about the frame
    const height = Math.ceil(main.getBoundingClientRect().height);
    if (height <= 0 || (height === lastPostedHeight && !force)) return;
    lastPostedHeight = height;
    postToParent({ type: "microsim-resize", id, height });
    postToParent({ subject: "lti.frameResize", height });
  }

  /** Lay out now and whenever the page, the panel or full screen changes. */
  function watch() {
    layout();
    postHeight(true);
    addEventListener("load", () => postHeight(true));
    document.addEventListener("fullscreenchange", () => {
      layout();
      postHeight(true);
    });
    new ResizeObserver(() => {
      layout();
      postHeight();
    }).observe(main);
    new ResizeObserver(() => layout()).observe(panel);
  }

  return { layout, relayoutIfNeeded, postHeight, watch };
}
