// @ts-check
// theme.js -- colours and motion preferences for the MicroSim kit.
//
// Colours come from the Okabe-Ito palette, which stays distinguishable for the common forms of
// colour blindness; the kit still pairs every colour with a text or pattern cue (see draw.js),
// because colour must never be the only cue. Two palettes, light and dark, with the same hues and
// the same contrast rules. Which one is shown, first match wins:
//   1. the `theme` URL parameter, when it says light or dark;
//   2. the embedding page's colour scheme, when it tells the sim (`{type: "microsim-theme",
//      scheme: "dark" | "light"}` posted by the parent window -- the book's pages do this from
//      Material's palette toggle, docs/javascripts/microsim-embed.js; a message from any other
//      window is ignored);
//   3. `prefers-color-scheme` (a sim on its own page, or in a page that says nothing).
// Text colours (fg, muted) reach at least 4.5:1 against bg; `onFill` is the text colour to use on
// a filled ok/bad/warn/info/hit/miss shape (black: at least 5:1 on those fills).
//
// Usage:
//   const theme = watchTheme("auto", (colors, name) => redraw());  // name: "light" | "dark"
//   theme.colors.bad   // "#D55E00"
//   const motion = watchReducedMotion((reduced) => ...); motion.reduced

export const OKABE_ITO = Object.freeze([
  "#E69F00", // orange
  "#56B4E9", // sky blue
  "#009E73", // bluish green
  "#F0E442", // yellow
  "#0072B2", // blue
  "#D55E00", // vermillion
  "#CC79A7", // reddish purple
  "#000000", // black
]);

const PALETTES = {
  light: {
    bg: "#ffffff",
    fg: "#1b1b1f",
    muted: "#565660",
    grid: "#c9c9d1",
    panel: "#f3f3f6",
    accent: "#0072B2",
    ok: "#009E73",
    bad: "#D55E00",
    warn: "#E69F00",
    info: "#56B4E9",
    hit: "#009E73",
    miss: "#D55E00",
    highlight: "#F0E442",
    purple: "#CC79A7",
    onFill: "#000000",
  },
  dark: {
    bg: "#1d1e24",
    fg: "#f1f1f4",
    muted: "#b4b4bf",
    grid: "#4a4b55",
    panel: "#2a2b33",
    accent: "#56B4E9",
    ok: "#009E73",
    bad: "#D55E00",
    warn: "#E69F00",
    info: "#56B4E9",
    hit: "#009E73",
    miss: "#D55E00",
    highlight: "#F0E442",
    purple: "#CC79A7",
    onFill: "#000000",
  },
};

/** The message type a parent window sends to set an embedded sim's colour scheme. */
export const THEME_MESSAGE = "microsim-theme";

/**
 * The theme's name and colours (updated in place), kept up to date with `choice`, the parent
 * page's scheme (THEME_MESSAGE) or prefers-color-scheme, in that order.
 * @param {string} choice  "auto" | "light" | "dark"
 * @param {(colors: Record<string, string>, name: string) => void} [onChange]
 * @returns {{name: "light" | "dark", colors: Record<string, string>}}
 */
export function watchTheme(choice, onChange = () => {}) {
  const query = matchMedia("(prefers-color-scheme: dark)");
  /** @type {{name: "light" | "dark", colors: Record<string, string>}} */
  const theme = { name: "light", colors: { ...PALETTES.light } };
  /** @type {"light" | "dark" | null} */
  let fromParent = null;
  const apply = () => {
    let name = query.matches ? "dark" : "light";
    if (fromParent) name = fromParent;
    if (choice === "light" || choice === "dark") name = choice;
    const changed = name !== theme.name || !document.documentElement.dataset.theme;
    theme.name = /** @type {"light" | "dark"} */ (name);
    Object.assign(theme.colors, PALETTES[theme.name]);
    document.documentElement.dataset.theme = theme.name;
    if (changed) onChange(theme.colors, theme.name);
  };
  query.addEventListener?.("change", apply);
  if (window.parent && window.parent !== window) {
    addEventListener("message", (event) => {
      const data = event.data;
      if (event.source !== window.parent || data?.type !== THEME_MESSAGE) return;
      if (data.scheme !== "light" && data.scheme !== "dark") return;
      fromParent = data.scheme;
      apply();
    });
  }
  apply();
  return theme;
}

/** `{reduced}` kept up to date with `prefers-reduced-motion: reduce`. */
export function watchReducedMotion(onChange = (/** @type {boolean} */ _reduced) => {}) {
  const query = matchMedia("(prefers-reduced-motion: reduce)");
  const motion = { reduced: query.matches };
  query.addEventListener?.("change", () => {
    motion.reduced = query.matches;
    onChange(motion.reduced);
  });
  return motion;
}
