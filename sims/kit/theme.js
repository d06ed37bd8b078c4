// @ts-check
// theme.js -- colours and motion preferences for the MicroSim kit.
//
// Colours come from the Okabe-Ito palette, which stays distinguishable for the common forms of
// colour blindness; the kit still pairs every colour with a text or pattern cue (see draw.js),
// because colour must never be the only cue. Two palettes, light and dark: the theme follows the
// embedding page's `prefers-color-scheme` unless the `theme` URL parameter says light or dark.
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

/** Theme object whose `colors` is updated in place when the preference changes. */
/**
 * The theme's name and colours, kept up to date with `choice` or prefers-color-scheme.
 * @param {string} choice  "auto" | "light" | "dark"
 * @param {(colors: Record<string, string>, name: string) => void} [onChange]
 */
export function watchTheme(choice, onChange = () => {}) {
  const query = matchMedia("(prefers-color-scheme: dark)");
  const theme = { name: "light", colors: { ...PALETTES.light } };
  const apply = () => {
    theme.name =
      choice === "light" || choice === "dark" ? choice : query.matches ? "dark" : "light";
    Object.assign(theme.colors, PALETTES[theme.name]);
    document.documentElement.dataset.theme = theme.name;
    onChange(theme.colors, theme.name);
  };
  query.addEventListener?.("change", apply);
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
