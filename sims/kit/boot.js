// @ts-check
// boot.js -- a classic-script watchdog for a sim page, loaded before the sim's module.
//
// microsim.js can only show an error once the sim's own module has loaded and called
// createMicroSim(). If that module (or one of its imports) fails to download or has a syntax
// error, nothing would ever run and the page would stay "loading" for ever. This tiny script
// (no imports, so it cannot fail the same way) watches for that case and then shows the same
// error state the kit shows: data-sim-state="error", the reason in words, a Retry button that
// reloads the page, and a microsim-error message to the parent window.
//
// It also starts the shared engine worker at once, so Python loads while the page's own modules
// are still downloading: engine-client.js later connects to this same worker (same URL and name),
// and gets its progress and replies. (Where SharedWorker is missing the client starts its own
// dedicated worker, as before.)
//
// Usage (main.html <head>, before the module script):
//   <script src="../kit/boot.js"></script>
(() => {
  var root = document.documentElement;

  function startEngineEarly() {
    if (typeof SharedWorker !== "function" || !document.currentScript) return;
    // The same URL and name as engine-client.js, or the browser would start a second worker.
    var noSnapshot = /[?&]snapshot=0(&|$)/.test(location.search);
    var url = new URL(
      `engine-worker.js${noSnapshot ? "?snapshot=0" : ""}`,
      /** @type {HTMLScriptElement} */ (document.currentScript).src,
    );
    var worker;
    try {
      worker = new SharedWorker(url, {
        type: "module",
        name: noSnapshot ? "kvengine-no-snapshot" : "kvengine",
      });
      worker.onerror = () => {}; // the client reports a worker that cannot start
      worker.port.start();
      window.__kvengineEarlyWorker = worker; // held until the client connects
    } catch {
      /* the client falls back to a dedicated worker */
    }
  }
  startEngineEarly();
  var START_TIMEOUT_MS = 30000;

  function started() {
    // (window.microsim is the <main id="microsim"> element until the kit replaces it)
    var sim = window.microsim;
    var kitRunning = Boolean(sim) && typeof sim.state === "function";
    return kitRunning || root.getAttribute("data-sim-state") !== "loading";
  }

  function fail(reason) {
    if (started()) return;
    root.setAttribute("data-sim-state", "error");
    var main = document.getElementById("microsim") || document.body;
    var box = document.createElement("div");
    box.className = "ms-overlay ms-boot-error";
    box.setAttribute("role", "alert");
    var title = document.createElement("p");
    title.className = "ms-error-title";
    title.textContent = "The simulation could not start.";
    var text = document.createElement("p");
    text.className = "ms-error-text";
    text.textContent = reason;
    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "ms-button ms-retry";
    retry.textContent = "Retry";
    retry.addEventListener("click", () => {
      location.reload();
    });
    box.appendChild(title);
    box.appendChild(text);
    box.appendChild(retry);
    main.appendChild(box);
    if (window.parent && window.parent !== window) {
      const id = location.pathname.split("/").slice(-2, -1)[0] || "";
      window.parent.postMessage({ type: "microsim-error", id: id, message: reason }, "*");
    }
  }

  addEventListener(
    "error",
    (event) => {
      if (started()) return;
      var target = /** @type {any} */ (event.target);
      if (target && target.tagName === "SCRIPT") {
        fail(`Could not download the simulation's code (${target.src || "a script"}).`);
      } else if (event.message) {
        fail(`The simulation's code has an error: ${event.message}`);
      }
    },
    true,
  );

  setTimeout(() => {
    fail("The simulation's code did not start. Try again, or reload the page.");
  }, START_TIMEOUT_MS);
})();
