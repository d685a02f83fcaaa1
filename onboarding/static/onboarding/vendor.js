// The "Terapkan" button of the onboarding wizard: the apply runs inside the
// request (a few seconds), so the button says so and cannot be pressed twice.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = form.querySelector("[data-busy-label]");
  if (!button || form.dataset.sent) return;
  form.dataset.sent = "1";
  const hidden = document.createElement("input");
  hidden.type = "hidden";
  hidden.name = button.name;
  hidden.value = button.value || "1";
  form.appendChild(hidden); // a disabled button is not submitted
  button.disabled = true;
  button.textContent = button.dataset.busyLabel;
  form.setAttribute("aria-busy", "true");
});
