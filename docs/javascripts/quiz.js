// @ts-check
/**
 * The question component of the chapter: "Check your understanding" blocks and the "Predict" /
 * "Try this" prompts under each sim. hooks/quiz.py writes each question into the page as plain
 * HTML (a fieldset of radio buttons or a labelled input, a hidden Check button, an empty live
 * region and a collapsed "Check your answer"), with the engine's answer in `data-answer`.
 * Without JavaScript the question and its answer still read as text; this module only shows the
 * Check button and writes the feedback: right or wrong, why, and where the sim shows it. It keeps
 * nothing between visits and talks to no server.
 */

const RIGHT_ICON = "✓";
const WRONG_ICON = "✗";
const INFO_ICON = "ℹ";

/**
 * @typedef {{ status: "right" | "wrong" | "empty", html: string }} Feedback
 */

/**
 * Judge the reader's current answer in a `[data-quiz]` block.
 * @param {HTMLElement} block the question's element (carries data-kind and data-answer)
 * @returns {Feedback}
 */
export function judge(block) {
  const expected = block.dataset.answer ?? "";
  const explain = block.querySelector(".quiz__explain");
  const where = block.querySelector(".quiz__where");
  const reason = `${explain ? explain.innerHTML : ""} ${where ? where.innerHTML : ""}`.trim();
  if (block.dataset.kind === "choice") {
    const chosen = /** @type {HTMLInputElement | null} */ (
      block.querySelector("input[type=radio]:checked")
    );
    if (!chosen) {
      return { status: "empty", html: "Choose one of the options first." };
    }
    if (chosen.value === expected) {
      return { status: "right", html: `<strong>Right.</strong> ${reason}` };
    }
    const why = chosen.dataset.why ?? "";
    return {
      status: "wrong",
      html: `<strong>Not quite.</strong> ${why} Try another option, or open “Check your answer”.`,
    };
  }
  const input = /** @type {HTMLInputElement | null} */ (block.querySelector("input"));
  const typed = (input?.value ?? "").trim().replace(/^\+/, "");
  if (typed === "") {
    return { status: "empty", html: "Type a whole number first." };
  }
  if (!/^-?\d+$/.test(typed)) {
    return {
      status: "empty",
      html: `“${escapeText(typed)}” is not a whole number: type digits only, for example 3.`,
    };
  }
  if (Number(typed) === Number(expected)) {
    return { status: "right", html: `<strong>Right: ${escapeText(typed)}.</strong> ${reason}` };
  }
  const hint = block.querySelector("[data-hint]")?.getAttribute("data-hint") ?? "";
  return {
    status: "wrong",
    html: `<strong>Not ${escapeText(typed)}.</strong> ${hint} Try again, or open “Check your answer”.`,
  };
}

/**
 * Text as HTML (what the reader typed is never markup).
 * @param {string} text
 * @returns {string}
 */
function escapeText(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

/**
 * Show a block's Check button and wire it (and Enter in its input) to the feedback line.
 * @param {HTMLElement} block
 */
export function enhance(block) {
  const button = /** @type {HTMLButtonElement | null} */ (block.querySelector(".quiz__check"));
  const feedback = /** @type {HTMLElement | null} */ (block.querySelector(".quiz__feedback"));
  if (!button || !feedback || block.dataset.quizReady === "true") {
    return;
  }
  block.dataset.quizReady = "true";
  button.hidden = false;
  const check = () => {
    const result = judge(block);
    const icon =
      result.status === "right" ? RIGHT_ICON : result.status === "wrong" ? WRONG_ICON : INFO_ICON;
    feedback.dataset.status = result.status;
    feedback.innerHTML = `<span class="quiz__icon" aria-hidden="true">${icon}</span> ${result.html}`;
    block.dataset.result = result.status;
  };
  button.addEventListener("click", check);
  for (const input of block.querySelectorAll("input:not([type=radio])")) {
    input.addEventListener("keydown", (event) => {
      if (/** @type {KeyboardEvent} */ (event).key === "Enter") {
        event.preventDefault();
        check();
      }
    });
  }
}

/** Enhance every question on the page. */
export function enhanceAll() {
  for (const block of document.querySelectorAll("[data-quiz]")) {
    enhance(/** @type {HTMLElement} */ (block));
  }
}

enhanceAll();
