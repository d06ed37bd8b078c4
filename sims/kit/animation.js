// @ts-check
// animation.js -- the animation clock: a view-only timeline of named stages.
//
// sim.animate([{name: "hash", ms: 600}, {name: "mod", ms: 400}]) plays the stages one after the
// other; while it runs, `current` is {name, ms, index, progress, reduced} (progress 0..1, read
// at each frame with advance()), and the kit redraws every frame. Reduced motion keeps the stages
// and their timing but never moves: each stage is shown at its end state (progress 1).
// finish() ends it at once (window.microsim.step() and reset() do), resolving animate()'s Promise.
// Animation never changes the model: the state is already the truth after an action.
//
// Usage:
//   const clock = createAnimationClock({ motion, onStart: updateLoop, onEnd: () => {...}, redraw });
//   await clock.animate([300, {name: "fly", ms: 500}]);   // a number is a stage of that many ms

/**
 * @typedef {{name: string, ms: number, [key: string]: unknown}} Stage
 * @typedef {Stage & {index: number, progress: number, reduced: boolean}} StageNow
 */

/**
 * @param {object} options
 * @param {{reduced: boolean}} options.motion  the reader's reduced-motion preference (live)
 * @param {() => void} options.onStart  a timeline started (the kit then redraws every frame)
 * @param {() => void} options.onEnd  a timeline ended (the kit goes back to drawing on change)
 * @param {() => void} options.redraw  draw once
 */
export function createAnimationClock({ motion, onStart, onEnd, redraw }) {
  /** @type {{stages: Stage[], start: number, resolve: () => void, current: StageNow | null} | null} */
  let animation = null;

  /**
   * @param {Array<number | Partial<Stage>>} stages
   * @returns {Promise<void>}
   */
  function animate(stages) {
    finish();
    const list = (stages || []).map((stage, index) =>
      typeof stage === "number"
        ? { name: `stage${index}`, ms: stage }
        : /** @type {Stage} */ ({ ms: 400, ...stage }),
    );
    if (list.length === 0) {
      redraw();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      animation = { stages: list, start: performance.now(), resolve, current: null };
      advance();
      onStart();
    });
  }

  /** Move `current` to now (the kit calls this before each frame). */
  function advance() {
    if (!animation) return;
    let elapsed = performance.now() - animation.start;
    for (let index = 0; index < animation.stages.length; index++) {
      const stage = animation.stages[index];
      if (elapsed < stage.ms) {
        const progress = motion.reduced || stage.ms <= 0 ? 1 : elapsed / stage.ms;
        animation.current = { ...stage, index, progress, reduced: motion.reduced };
        return;
      }
      elapsed -= stage.ms;
    }
    finish();
  }

  /** End the running timeline now (its Promise resolves). */
  function finish() {
    if (!animation) return;
    const { resolve } = animation;
    animation = null;
    resolve();
    onEnd();
  }

  return {
    animate,
    advance,
    finish,
    /** Whether a timeline is running. */
    get running() {
      return animation !== null;
    },
    /** The running stage now, or undefined. */
    get current() {
      return animation?.current;
    },
  };
}
