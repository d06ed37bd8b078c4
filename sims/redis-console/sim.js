// CANVAS_HEIGHT: 480
// @ts-check
// sim.js -- the Redis console: a prompt on the page's in-browser engine.
//
// The model is sims/redis-console/controller.py (one kvengine server and one connection, on the
// real clock); it formats every reply as redis-cli prints it. This page is a plain DOM console
// (console-view.js), not a p5 sketch; CANVAS_HEIGHT is the height of the whole console, so an
// iframe of height 482 shows it all. It keeps the series' embed contract with the kit's pieces
// (console-page.js: layout, lifecycle, text, params, theme): data-sim-state, window.microsim,
// microsim-ready/error/resize, URL parameters with notices, Full screen, and the extra message
// microsim-console-run from the embedding page.

import { loadSpec } from "../kit/microsim.js";
import { createConsolePage } from "./console-page.js";

const SPEC = await loadSpec(import.meta.url); // sims/redis-console/sim.json

createConsolePage({ spec: SPEC });
