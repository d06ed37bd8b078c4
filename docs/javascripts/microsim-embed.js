// Lets embedded MicroSims grow when they need more room than their fixed height (for example on a
// 375 px phone, where the control rows wrap). Each sim posts
// {type: "microsim-resize", id, height} to its parent (docs/contracts.md); we only ever grow an
// iframe past its declared height, never shrink it below, so desktop layout stays as authored.
// Instructors can paste the same listener into their own course pages.
window.addEventListener("message", (event) => {
  const data = event.data;
  if (data?.type !== "microsim-resize" || !Number.isFinite(data.height)) return;
  for (const frame of document.querySelectorAll("iframe")) {
    if (frame.contentWindow !== event.source) continue;
    const declared = Number(frame.getAttribute("height")) || 0;
    const wanted = Math.min(Math.ceil(data.height) + 2, 4000);
    frame.style.height = `${Math.max(declared, wanted)}px`;
  }
});
