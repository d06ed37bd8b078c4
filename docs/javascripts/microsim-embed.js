// microsim-embed.js -- the embedding page's half of the MicroSim iframe protocol
// (docs/contracts.md, "Messages"). One <script src=".../microsim-embed.js"></script> line on any
// page, on any site, after or before its sim iframes:
//   * height: each sim posts {type: "microsim-resize", id, height} on load, when ready and
//     whenever its content changes height (a phone's wrapped control rows, a narration that
//     grows). The iframe that sent it is set to that height + 2 px (its border), growing or
//     shrinking, so the sim is never cut and leaves no gap;
//   * colour scheme: on this book's pages (MkDocs Material, which marks <body> with
//     data-md-color-scheme = "default" | "slate"), each sim is told the page's scheme with
//     {type: "microsim-theme", scheme: "light" | "dark"} when it reports, and again whenever the
//     reader flips the palette toggle. A page without that attribute says nothing, and the sim
//     then follows the reader's system setting (prefers-color-scheme).
// Only messages from an iframe of this page are used; the scheme goes to that iframe's origin.
(() => {
  if (window.microsimEmbed) return; // the line pasted twice, or beside the book's own copy
  window.microsimEmbed = true;
  const MAX_HEIGHT = 4000;
  const sentScheme = new WeakMap(); // iframe -> the scheme it was last told

  const pageScheme = () => {
    const value = document.body?.getAttribute("data-md-color-scheme");
    if (!value) return null;
    return value === "slate" ? "dark" : "light";
  };

  const tellScheme = (frame, force = false) => {
    const scheme = pageScheme();
    if (!scheme || !frame.contentWindow) return;
    if (!force && sentScheme.get(frame) === scheme) return;
    let origin = "*";
    try {
      origin = new URL(frame.src, location.href).origin;
    } catch {
      /* an unusual src: fall back to "*"; the message carries nothing private */
    }
    if (origin === "null") origin = "*";
    sentScheme.set(frame, scheme);
    frame.contentWindow.postMessage({ type: "microsim-theme", scheme }, origin);
  };

  const frameOf = (source) => {
    for (const frame of document.querySelectorAll("iframe")) {
      if (frame.contentWindow === source) return frame;
    }
    return null;
  };

  window.addEventListener("message", (event) => {
    const data = event.data;
    if (typeof data?.type !== "string" || !data.type.startsWith("microsim-")) return;
    const frame = frameOf(event.source);
    if (!frame) return;
    // "ready" is also sent after a Retry or a reload inside the frame: tell the scheme again
    tellScheme(frame, data.type === "microsim-ready");
    if (data.type !== "microsim-resize" || !Number.isFinite(data.height)) return;
    const wanted = Math.min(Math.max(Math.ceil(data.height), 0) + 2, MAX_HEIGHT);
    frame.style.height = `${wanted}px`;
  });

  const watchPalette = () => {
    new MutationObserver(() => {
      for (const frame of document.querySelectorAll("iframe")) {
        if (sentScheme.has(frame)) tellScheme(frame);
      }
    }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  };
  // A "Jump to the simulation" link (href="#sim-<id>") puts keyboard focus on the sim's frame,
  // and loads it at once if it was waiting to be scrolled near (loading="lazy").
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[href^="#sim-"]') : null;
    const frame = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!(frame instanceof HTMLIFrameElement)) return;
    frame.loading = "eager";
    frame.focus({ preventScroll: true });
  });

  if (document.body) watchPalette();
  else document.addEventListener("DOMContentLoaded", watchPalette);
})();
