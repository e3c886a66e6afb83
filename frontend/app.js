// NHS.UK frontend's components (error summary, header menu, character count, radios...), started
// on every page and again inside whatever htmx swaps in, so a swapped-in form behaves like a
// loaded one. Loaded with `defer` from base.html: no inline script, as the CSP requires.
import { initAll } from "nhsuk-frontend";

function start(scope) {
  initAll({ scope, errorSummary: { disableAutoFocus: false } });
}

// NHS.UK frontend starts only where the body says the browser is supported (normally set by an
// inline script, which our CSP refuses).
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
start(document);

document.body.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail && event.detail.target;
  if (target instanceof HTMLElement) {
    start(target);
    // A swapped-in error summary takes focus, as it would on a page load (WCAG 3.3.1).
    const summary = target.querySelector(".nhsuk-error-summary");
    if (summary instanceof HTMLElement) summary.focus();
  }
});
