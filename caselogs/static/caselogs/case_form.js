// Final eTICI and passes are required for a thrombectomy only (caselogs/validation.py). The page
// arrives marked for the procedure it was given (caselogs/forms.py): no "(optional)" in their
// labels and aria-required on their controls when it is a thrombectomy. This keeps both in step
// when the trainee chooses another procedure.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.case-form");
  if (!form) return;
  const OPTIONAL = " (optional)";
  const sync = () => {
    const chosen = form.querySelector("input[name='procedure']:checked");
    form.querySelectorAll("[data-required-for]").forEach((control) => {
      const required = chosen !== null && chosen.value === control.dataset.requiredFor;
      control.required = required;
      if (required) control.setAttribute("aria-required", "true");
      else control.removeAttribute("aria-required");
      const label = form.querySelector(`label[for="${control.id}"]`);
      if (label) {
        const text = label.textContent.trim();
        const bare = text.endsWith(OPTIONAL.trim()) ? text.slice(0, -OPTIONAL.trim().length).trim() : text;
        label.textContent = required ? bare : bare + OPTIONAL;
      }
    });
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "procedure") sync();
  });
  sync();
});
