// The 落实情况 form: one press sends it once (the button is disabled while it is sent).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector('[data-testid="report-form"]');
  if (!form) return;
  form.addEventListener("submit", () => {
    const button = form.querySelector('[data-testid="report-submit"]');
    if (button) {
      button.disabled = true;
      button.textContent = button.dataset.sending || button.textContent;
    }
  });
});
