// @ts-check
// console-view.js -- the console's DOM: an output log, a prompt, history and Tab completion.
//
// Everything the student types or the engine prints is put on the page with textContent, never
// as markup, so `<img src=x onerror=alert(1)>` in a value is shown as those characters. The log
// is a live region (role="log", polite) and keeps only the newest MAX_ENTRIES entries, so hours
// of use do not slow the page. History: ArrowUp / ArrowDown walk the lines typed before (the
// line being typed is kept). Tab completes the command name from the engine's command table;
// with nothing to complete it moves the focus on as usual, so the prompt is never a keyboard
// trap.
//
// The view fills the kit's page skeleton (layout.js buildPage): the log goes on the stage, where
// a p5 sim has its canvas (the kit's error overlay stays over it), and the prompt with its hints
// in the control box of the panel below, above the kit's notice line and the status line with
// the Full screen button. The kit sizes the stage (layout.js createLayout) and shows the states.

import { el } from "../kit/layout.js";

export const MAX_ENTRIES = 1000;
const MAX_HISTORY = 1000;
const MAX_SHOWN_MATCHES = 12;

/**
 * @typedef {{prompt: string, input: string, output: string, kind: string}} Reply
 * @typedef {{node: HTMLElement, line: string}} Pending
 */

/** The longest common prefix of `words` (case as in the first word). */
function commonPrefix(words) {
  if (!words.length) return "";
  let prefix = words[0];
  for (const word of words) {
    while (!word.toUpperCase().startsWith(prefix.toUpperCase())) prefix = prefix.slice(0, -1);
  }
  return prefix;
}

/**
 * Build the console in the kit's page (its stage and its control box).
 * @param {import("../kit/layout.js").Page} page
 * @param {{onSubmit: (line: string) => void}} options
 */
export function createConsoleView(page, { onSubmit }) {
  const { stage, placeholder, overlay, controlsBox } = page;
  const log = el("div", "rc-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", "Console output");
  log.tabIndex = 0; // scrollable by keyboard

  const form = el("form", "rc-form");
  const label = /** @type {HTMLLabelElement} */ (el("label", "rc-label"));
  label.htmlFor = "rc-input";
  const promptText = el("span", "rc-prompt", "kvengine> ");
  promptText.setAttribute("aria-hidden", "true");
  label.append(el("span", "ms-visually-hidden", "Redis command"), promptText);
  const input = /** @type {HTMLInputElement} */ (el("input", "rc-input"));
  input.id = "rc-input";
  input.type = "text";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.setAttribute("autocapitalize", "off");
  input.setAttribute("autocorrect", "off");
  input.setAttribute("enterkeyhint", "send");
  input.setAttribute("aria-describedby", "rc-keys");
  input.maxLength = 1000000;
  const send = /** @type {HTMLButtonElement} */ (el("button", "ms-button rc-send", "Run"));
  send.type = "submit";
  send.setAttribute("aria-label", "Run command");
  form.append(label, input, send);
  const matches = el("p", "rc-matches");
  matches.setAttribute("role", "status");
  const keys = el(
    "p",
    "rc-keys",
    "Enter runs the command · ↑ ↓ earlier commands · Tab completes a command name · HELP · CLEAR",
  );
  keys.id = "rc-keys";
  placeholder.remove(); // the log is there at once: lines typed while loading wait in it
  stage.classList.add("rc-stage");
  stage.insertBefore(log, overlay);
  controlsBox.append(form, matches, keys);

  /** @type {string[]} */
  const history = [];
  let historyIndex = 0;
  let draft = "";
  /** @type {string[]} */
  let commands = [];
  let lastMatchWord = null;

  let atEnd = true; // the reader has not scrolled back: new output and resizes keep the end shown
  log.addEventListener("scroll", () => {
    atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 2;
  });

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
    atEnd = true;
  }

  function trim() {
    while (log.childElementCount > MAX_ENTRIES) log.firstElementChild?.remove();
  }

  /**
   * Show a typed line at once, as pending until its reply arrives.
   * @param {string} line
   * @param {string} prompt
   * @param {boolean} waiting  the engine is still loading
   * @returns {Pending}
   */
  function echo(line, prompt, waiting) {
    const node = el("div", "rc-entry rc-pending");
    const echoLine = el("div", "rc-echo");
    const promptPart = el("span", "rc-prompt", prompt);
    echoLine.append(promptPart, el("span", "rc-typed", line));
    const badge = el("span", "rc-badge", waiting ? " (waiting for the engine)" : " (running)");
    echoLine.append(badge);
    node.append(echoLine);
    log.append(node);
    trim();
    scrollToEnd();
    remember(line);
    return { node, line };
  }

  /**
   * Put a reply under its echoed line (or clear the log for CLEAR).
   * @param {Pending} pending
   * @param {Reply} reply
   */
  function answer(pending, reply) {
    const { node } = pending;
    node.classList.remove("rc-pending");
    node.querySelector(".rc-badge")?.remove();
    const prompt = node.querySelector(".rc-prompt");
    if (prompt) prompt.textContent = reply.prompt;
    if (reply.kind === "clear") {
      while (log.firstChild && log.firstChild !== node) log.firstChild.remove();
      node.remove();
      return;
    }
    if (reply.output !== "") {
      const out = el("pre", `rc-output rc-${reply.kind}`, reply.output);
      node.append(out);
    }
    scrollToEnd();
  }

  /** A message of the page itself in the log (not a reply of Redis). */
  function say(text) {
    const node = el("div", "rc-entry");
    node.append(el("pre", "rc-output rc-local", text));
    log.append(node);
    trim();
    scrollToEnd();
  }

  function remember(line) {
    if (line.trim() && history[history.length - 1] !== line) history.push(line);
    while (history.length > MAX_HISTORY) history.shift();
    historyIndex = history.length;
    draft = "";
  }

  function showHistory(index) {
    if (historyIndex === history.length) draft = input.value;
    historyIndex = Math.max(0, Math.min(history.length, index));
    input.value = historyIndex === history.length ? draft : history[historyIndex];
    const end = input.value.length;
    input.setSelectionRange(end, end);
  }

  /** Tab: complete the command name; true if the key was used (focus stays). */
  function complete() {
    const value = input.value;
    const caret = input.selectionStart ?? value.length;
    const lead = value.match(/^\s*/)?.[0].length ?? 0;
    const word = value.slice(lead).split(/\s/, 1)[0];
    if (!word || caret > lead + word.length || caret < lead) return false;
    const found = commands.filter((name) => name.startsWith(word.toUpperCase()));
    if (!found.length) {
      matches.textContent = `No command starts with ${word}.`;
      return false;
    }
    const rest = value.slice(lead + word.length);
    if (found.length === 1) {
      const name = found[0];
      if (word.toUpperCase() === name && rest.startsWith(" ")) return false;
      const after = rest.startsWith(" ") ? rest : ` ${rest}`;
      input.value = value.slice(0, lead) + name + after;
      const at = lead + name.length + 1;
      input.setSelectionRange(at, at);
      matches.textContent = "";
      lastMatchWord = null;
      return true;
    }
    const prefix = commonPrefix(found);
    const listed = found.slice(0, MAX_SHOWN_MATCHES).join(" ");
    const more =
      found.length > MAX_SHOWN_MATCHES ? ` and ${found.length - MAX_SHOWN_MATCHES} more` : "";
    matches.textContent = `${found.length} commands: ${listed}${more}`;
    if (prefix.length > word.length) {
      input.value = value.slice(0, lead) + prefix + rest;
      input.setSelectionRange(lead + prefix.length, lead + prefix.length);
      lastMatchWord = prefix;
      return true;
    }
    // Nothing to add: the first Tab shows the list; the next one moves the focus on.
    if (lastMatchWord === word) return false;
    lastMatchWord = word;
    return true;
  }

  input.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowUp" && history.length) {
      event.preventDefault();
      showHistory(historyIndex - 1);
    } else if (event.key === "ArrowDown" && historyIndex < history.length) {
      event.preventDefault();
      showHistory(historyIndex + 1);
    } else if (event.key === "Tab" && !event.shiftKey) {
      if (complete()) event.preventDefault();
    } else if (event.key !== "Shift") {
      lastMatchWord = null;
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const line = input.value;
    input.value = "";
    matches.textContent = "";
    onSubmit(line);
  });

  return {
    input,
    log,
    echo,
    answer,
    say,
    scrollToEnd,
    /** After the stage changed size: the end stays in view if it was. */
    keepEnd() {
      if (atEnd) log.scrollTop = log.scrollHeight;
    },
    /** @param {string} text */
    setPrompt(text) {
      promptText.textContent = text;
    },
    /** @param {string[]} names */
    setCommands(names) {
      commands = names.slice();
    },
  };
}
