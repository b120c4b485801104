// A little help on top of pages that work without it: copy buttons, and facets folded on phones.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.querySelector(button.dataset.copy);
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      const original = button.textContent;
      try {
        await navigator.clipboard.writeText(source.value ?? source.textContent);
        button.textContent = button.dataset.copied || "✓";
      } catch {
        source.select?.();
      }
      setTimeout(() => { button.textContent = original; }, 2000);
    });
  }
  if (window.matchMedia("(max-width: 48rem)").matches) {
    for (const details of document.querySelectorAll("details.facets-toggle[open]")) details.open = false;
  }
});
