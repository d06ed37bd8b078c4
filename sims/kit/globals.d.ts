// Globals of a sim page, for the kit's type check (`make lint` runs tsc --noEmit over sims/kit).
interface Window {
  /** The sim's public API (docs/contracts.md), or the <main id="microsim"> element before. */
  microsim: any;
  /** p5.js, loaded by the kit as a classic script. */
  p5: any;
  /** The engine's SharedWorker, started by boot.js before the page's modules load. */
  __kvengineEarlyWorker?: SharedWorker;
}
