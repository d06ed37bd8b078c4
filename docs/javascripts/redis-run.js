// redis-run.js -- the Run buttons under the chapter's blocks of Redis commands.
//
// A block is `<div class="redis-run">` around a code block, one command per line. This script
// gives each block a **Run** button that types the lines into the page's Redis console (the
// iframe #sim-redis-console) with the console's message {type: "microsim-console-run", lines}
// (docs/contracts.md), brings the console into view, and says in a status line where the
// replies are. Until the console has said microsim-ready, lines wait here and are sent then.
// Without JavaScript, or on a page without the console, the blocks stay plain code.

(() => {
  const frame = document.getElementById("sim-redis-console");
  const blocks = document.querySelectorAll(".redis-run");
  if (!frame || !blocks.length) return;
  const target = new URL(frame.getAttribute("src"), location.href).origin;
  let ready = false;
  const waiting = [];

  function consoleIsReady() {
    if (ready) return true;
    try {
      // Same origin in the book: the ready state may be read directly (a missed message).
      ready = frame.contentDocument?.documentElement.dataset.simState === "ready";
    } catch {
      ready = false;
    }
    return ready;
  }

  function send(lines) {
    frame.contentWindow.postMessage({ type: "microsim-console-run", lines }, target);
  }

  window.addEventListener("message", (event) => {
    if (event.source !== frame.contentWindow) return;
    if (event.data?.type !== "microsim-ready") return;
    ready = true;
    while (waiting.length) send(waiting.shift());
  });

  blocks.forEach((block, index) => {
    const code = block.querySelector("code");
    if (!code) return;
    const lines = code.textContent.split("\n").filter((line) => line.trim() !== "");
    const row = document.createElement("p");
    row.className = "redis-run__row";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "md-button md-button--primary redis-run__button";
    button.textContent = "Run";
    button.setAttribute("aria-label", `Run these ${lines.length} commands in the Redis console`);
    button.id = `redis-run-${index + 1}`;
    const status = document.createElement("span");
    status.className = "redis-run__status";
    status.setAttribute("role", "status");
    row.append(button, status);
    block.append(row);
    button.addEventListener("click", () => {
      if (consoleIsReady()) {
        send(lines);
        status.textContent = "Typed into the Redis console: its replies are there.";
      } else {
        waiting.push(lines);
        status.textContent =
          "The Redis console is still loading; these commands run as soon as it is ready.";
      }
      const still = matchMedia("(prefers-reduced-motion: reduce)").matches;
      frame.scrollIntoView({ block: "nearest", behavior: still ? "auto" : "smooth" });
    });
  });
})();
