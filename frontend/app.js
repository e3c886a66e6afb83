// NHS.UK frontend's components (error summary, header menu, character count, radios...), started
// on every page and again inside whatever htmx swaps in, so swapped-in content behaves like a
// loaded page. Loaded with `defer` from base.html: no inline script, as the CSP requires.
import { initAll } from "nhsuk-frontend";

// NHS.UK frontend starts only where the body says the browser is supported (normally set by an
// inline script, which our CSP refuses).
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll({ scope: document.body });

// htmx:load fires for each element htmx adds (an outerHTML swap included, where the old target
// is gone); the body's own load is the page load, started above.
document.body.addEventListener("htmx:load", (event) => {
  const added = event.detail && event.detail.elt;
  if (!(added instanceof HTMLElement) || added === document.body) return;
  initAll({ scope: added });
  // A swapped-in error summary takes focus, as it would on a page load (WCAG 3.3.1).
  const summary = added.matches(".nhsuk-error-summary")
    ? added
    : added.querySelector(".nhsuk-error-summary");
  if (summary instanceof HTMLElement) summary.focus();
});
