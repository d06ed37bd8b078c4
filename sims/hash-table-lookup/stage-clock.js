// stage-clock.js -- where the hash-table-lookup picture is along its animation stages.
//
// The controller (Python) says *what* the stages are (state.stages: kind, duration in seconds)
// and how many of them are done (state.stage; all of them outside step-through mode). This clock
// only says how far the *drawing* has got, as a position in stage units: 2.5 means "stages 0 and
// 1 are complete, stage 2 is half way". The view draws everything from that number, so a new
// action restarts the picture cleanly (Hash pressed during an animation never leaves a broken
// frame) and `window.microsim.step()` (the controller's cmd_step sets animate: false) jumps to
// the end. With reduced motion the position moves in whole stages: each stage appears in its
// end state, for its usual duration, without movement in between.
//
// Usage:
//   const clock = new StageClock();
//   clock.sync(sim.state, performance.now());          // after every state change
//   const pos = clock.position(performance.now(), sim.reducedMotion);
//   clock.busy(performance.now())                      // still catching up?

export class StageClock {
  constructor() {
    this.action = null;
    this.stages = [];
    this.from = 0; // position the current run starts at
    this.target = 0; // position it ends at
    this.startMs = 0;
  }

  /** Adopt a new controller state: start, continue or cut the run. */
  sync(state, nowMs) {
    if (!state || !Array.isArray(state.stages)) return;
    const count = state.stages.length;
    const target = Math.max(0, Math.min(state.stage ?? count, count));
    const newAction = state.action !== this.action;
    const current = this.position(nowMs, false);
    this.stages = state.stages;
    this.action = state.action;
    if (newAction) {
      // a new lookup, collision or resize: play it from the start (step-through: stage 0)
      this.from = state.animate && !state.stepMode ? 0 : target;
      this.startMs = nowMs;
    } else if (!state.animate) {
      this.from = target; // first picture, Back, microsim.step(): show the target at once
    } else if (target < current) {
      this.from = Math.max(0, target - 1); // Step replays a finished action: play its stage
      this.startMs = nowMs;
    } else if (target > this.target) {
      // Step: play only the newest stage; earlier ones (quick repeated Steps) appear at once
      this.from = Math.max(Math.floor(current), target - 1);
      this.startMs = nowMs;
    }
    this.target = target;
  }

  /** Seconds the run from `from` to `to` takes. */
  _span(from, to) {
    let total = 0;
    for (let i = Math.floor(from); i < Math.ceil(to); i += 1)
      total += this.stages[i]?.duration ?? 0;
    return total;
  }

  /** Position in stage units at `nowMs`; whole stages only when `reduced`. */
  position(nowMs, reduced = false) {
    if (this.from >= this.target) return this.target;
    let left = Math.max(0, (nowMs - this.startMs) / 1000);
    let pos = this.from;
    while (pos < this.target) {
      const duration = this.stages[Math.floor(pos)]?.duration ?? 0;
      if (left < duration) {
        const fraction = duration > 0 ? left / duration : 1;
        // reduced motion: the stage shows its end state for its whole duration
        return reduced ? Math.floor(pos) + 1 : Math.floor(pos) + fraction;
      }
      left -= duration;
      pos = Math.floor(pos) + 1;
    }
    return this.target;
  }

  /** True while the drawing has not caught up with the model. */
  busy(nowMs) {
    return this.position(nowMs, false) < this.target;
  }

  /** Milliseconds left in the current run (0 when caught up). */
  remainingMs(nowMs) {
    if (!this.busy(nowMs)) return 0;
    const total = this._span(this.from, this.target) * 1000;
    return Math.max(0, total - (nowMs - this.startMs));
  }

  /** Jump to the end (what window.microsim.step does to the drawing). */
  finish() {
    this.from = this.target;
  }
}
