// @ts-check
// console-page.js -- the Redis console's page: the queue of typed lines on the kit's page.
//
// Everything but the console itself comes from the kit, as for the p5 sims: the page's skeleton,
// sizes, Full screen button and the heights posted to the parent (layout.js); the narration and
// notices (text.js); URL parameters with notices (params.js); light/dark from the URL, the parent
// page or the system (theme.js); and start-up, ready, error with the reason and Retry, the
// sandbox check and the messages to the parent (lifecycle.js, over engine-bridge.js: one
// controller, sims/redis-console/controller.py, in the page's shared engine worker). The console
// is ready as soon as its controller answered (it draws no first frame).
//
// The console's own part: the typed lines. They are shown at once, marked as waiting while the
// engine loads, and run in order as soon as it is ready; nothing typed is lost. While a call is
// on its way, new lines wait and go together in the next call (at most the controller's limit of
// lines per call), so the console never falls behind a fast typist; the calls go through the
// bridge's queue, so a reset() never runs in the middle of them.
//
// The contract (docs/contracts.md): <html data-sim-state>, window.microsim {id, ready, state(),
// reset(), run(lines)}, microsim-ready / microsim-error / microsim-resize (and lti.frameResize).
// One more message, from the parent only: {type: "microsim-console-run", lines: [...]} types
// the lines into the console (the chapter's Run buttons use it).

import { buildPage, createLayout } from "../kit/layout.js";
import { createLifecycle } from "../kit/lifecycle.js";
import { parseParams } from "../kit/params.js";
import { createText } from "../kit/text.js";
import { watchTheme } from "../kit/theme.js";
import { createConsoleView } from "./console-view.js";

const MAX_LINES_PER_CALL = 200; // the controller's limit for one call
const MAX_LINES_PER_MESSAGE = 200;
const LOADING =
  "Loading the Python engine… You can type already: your commands run when it is ready.";
const READY =
  "Ready: a Redis 7.0 server (kvengine) in your browser, on the real clock, so TTLs count down as you watch. Type HELP for help.";
const DEFAULT_PROMPT = "kvengine> ";

function clone(value) {
  return value == null ? value : JSON.parse(JSON.stringify(value));
}

/**
 * Start the console page for `spec` (the console's sim.json).
 * @param {{spec: import("../kit/microsim.js").SimSpec}} options
 */
export function createConsolePage({ spec }) {
  const { id, title = id, canvasHeight } = spec;
  const { values: params, notices } = parseParams(location.search, spec.params);
  const theme = watchTheme(String(params.theme));
  const page = buildPage(title, canvasHeight);
  const text = createText({ id, page });
  const view = createConsoleView(page, { onSubmit: (line) => enqueue([line]) });
  text.narrate(LOADING);

  /** The controller's latest state: prompt, inMulti, the replies of the last call (`last`), ... */
  let state = null;
  let busy = false;
  /** @type {{node: HTMLElement, line: string, done: (reply: any) => void}[]} */
  const waiting = [];

  // What the kit's layout sizes (the stage: the log) and, for tests and debugging, the page's
  // view of itself, as a p5 sim's `sim` object.
  const sim = {
    id,
    title,
    spec,
    params,
    colors: theme.colors,
    get theme() {
      return theme.name;
    },
    get state() {
      return state;
    },
    width: Math.max(1, page.main.clientWidth || 300),
    height: 0,
  };
  const sizes = createLayout({
    id,
    page,
    canvasHeight,
    sim,
    minCanvasHeight: undefined,
    onResize: () => view.keepEnd(),
  });

  const life = createLifecycle({
    id,
    spec,
    params,
    overlay: page.overlay,
    narrate: text.narrate,
    notice: text.notice,
    failTitle: "The console could not start.",
    onConnected(first) {
      state = first;
      view.setCommands(state.commands);
      view.setPrompt(state.prompt);
      for (const node of view.log.querySelectorAll(".rc-badge")) node.textContent = " (running)";
      text.narrate(READY);
      life.markReady();
    },
    onLoading(status) {
      if (!life.failed) text.narrate(`${LOADING} (${status.message})`);
    },
    onReady() {
      sizes.postHeight(true);
      pump();
    },
  });
  const { bridge } = life;

  const api = {
    id,
    /** @type {Promise<unknown>} resolves when ready; a new one after Retry (lifecycle.js) */
    ready: Promise.resolve(),
    /** The controller's latest state (a copy). */
    state: () => clone(state),
    /** An empty server and an empty screen; resolves with the state. */
    async reset() {
      await api.ready;
      await settled();
      const reply = await call("reset");
      if (reply?.ok) state = reply.state;
      view.log.replaceChildren();
      view.setPrompt(state.prompt);
      return api.state();
    },
    /**
     * Type `lines` into the console; resolves with their replies once they have run.
     * @param {string[] | string} lines
     */
    run(lines) {
      return Promise.all(enqueue(Array.isArray(lines) ? lines : [lines]));
    },
  };
  Object.defineProperty(api, "_sim", { value: sim }); // for tests and debugging only
  life.publish(api);

  /** Run the controller's cmd_<method>(**args) after the calls before it; the worker's reply. */
  function call(method, args = {}) {
    return bridge.enqueue(() => bridge.client.call(bridge.handle, method, args));
  }

  // ---- typed lines ---------------------------------------------------------------------
  /**
   * Show `lines` at once and queue them; returns one Promise per line (its reply).
   * @param {string[]} lines
   */
  function enqueue(lines) {
    const prompt = state?.prompt ?? DEFAULT_PROMPT;
    const promises = [];
    for (const typed of lines) {
      for (const line of String(typed).split(/\r\n|\r|\n/)) {
        promises.push(
          new Promise((done) => {
            const shown = view.echo(line, prompt, !life.ready);
            waiting.push({ ...shown, done });
          }),
        );
      }
    }
    pump();
    return promises;
  }

  let idle = Promise.resolve();
  let idleResolve = () => {};
  function settled() {
    return busy || waiting.length ? idle : Promise.resolve();
  }

  async function pump() {
    if (busy || !life.ready || waiting.length === 0) return;
    busy = true;
    idle = new Promise((resolve) => {
      idleResolve = resolve;
    });
    while (waiting.length && life.ready) {
      const batch = waiting.splice(0, MAX_LINES_PER_CALL);
      const reply = await call("run", { lines: batch.map((pending) => pending.line) });
      if (reply.ok) {
        state = reply.state;
        batch.forEach((pending, index) => {
          const answer = state.last[index];
          view.answer(pending, answer);
          pending.done(answer);
        });
        view.setPrompt(state.prompt);
      } else {
        const error = reply.error || {};
        if (error.kind !== "input")
          console.error(`[${id}] engine error:`, error.detail || error.message);
        for (const pending of batch) {
          const answer = {
            prompt: state?.prompt ?? DEFAULT_PROMPT,
            input: pending.line,
            output: error.message || "The engine did not answer.",
            kind: "local",
          };
          view.answer(pending, answer);
          pending.done(answer);
        }
      }
    }
    busy = false;
    idleResolve();
  }

  // ---- the embedding page's Run buttons ---------------------------------------------------
  addEventListener("message", (event) => {
    if (window.parent === window || event.source !== window.parent) return;
    const data = event.data;
    if (data?.type !== "microsim-console-run") return;
    const { lines } = data;
    const valid =
      Array.isArray(lines) &&
      lines.length <= MAX_LINES_PER_MESSAGE &&
      lines.every((line) => typeof line === "string");
    if (!valid) {
      text.notice(
        `The page sent something the console cannot run (it takes up to ${MAX_LINES_PER_MESSAGE} lines of text).`,
      );
      return;
    }
    enqueue(lines);
  });

  // ---- boot -------------------------------------------------------------------------------
  if (notices.length) text.notice(notices.join(" "));
  sizes.watch();
  life.start();
}
