// Final eTICI and passes are required for a thrombectomy only (caselogs/validation.py). The page
// arrives marked for the procedure it was given (caselogs/forms.py); this keeps the marks, the
// visible asterisk and aria-required, in step when the trainee chooses another procedure.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.case-form");
  if (!form) return;
  const sync = () => {
    const chosen = form.querySelector("input[name='procedure']:checked");
    form.querySelectorAll("[data-required-for]").forEach((control) => {
      const required = chosen !== null && chosen.value === control.dataset.requiredFor;
      control.required = required;
      if (required) control.setAttribute("aria-required", "true");
      else control.removeAttribute("aria-required");
      const mark = form.querySelector(`label[for="${control.id}"] .required-mark`);
      if (mark) mark.hidden = !required;
    });
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "procedure") sync();
  });
  sync();
});
