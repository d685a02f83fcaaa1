// The branding screen: colour pickers beside the hex fields and a live preview
// of the citizen app's header (webapp/src/main.ts `header`, style.css `header.top`).
(function () {
  'use strict';
  const preview = document.getElementById('preview-header');
  if (!preview) return;
  const HEX = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
  const VARS = {
    id_color_primary: '--preview-primary',
    id_color_secondary: '--preview-secondary',
    id_color_accent: '--preview-accent',
    id_color_text_on_primary: '--preview-on-primary',
  };

  function normalised(value) {
    const match = HEX.exec((value || '').trim());
    if (!match) return null;
    let digits = match[1];
    if (digits.length === 3) digits = digits.split('').map((c) => c + c).join('');
    return '#' + digits.toUpperCase();
  }

  function apply(id) {
    const input = document.getElementById(id);
    const colour = input && normalised(input.value);
    if (colour) preview.style.setProperty(VARS[id], colour);
  }

  document.querySelectorAll('input.profile-picker').forEach((picker) => {
    const text = document.getElementById(picker.dataset.hex);
    if (!text) return;
    picker.hidden = false;
    const initial = normalised(text.value);
    if (initial) picker.value = initial.toLowerCase();
    picker.addEventListener('input', () => {
      text.value = picker.value.toUpperCase();
      apply(text.id);
    });
    text.addEventListener('input', () => {
      const colour = normalised(text.value);
      if (colour) picker.value = colour.toLowerCase();
      apply(text.id);
    });
    apply(text.id);
  });

  const appName = document.getElementById('id_app_name');
  const shownName = document.getElementById('preview-app-name');
  if (appName && shownName) {
    appName.addEventListener('input', () => {
      shownName.textContent = appName.value;
    });
  }

  const logo = document.getElementById('id_logo');
  const shownLogo = document.getElementById('preview-logo');
  if (logo && shownLogo) {
    logo.addEventListener('change', () => {
      const file = logo.files && logo.files[0];
      if (file && /^image\/(png|jpeg|webp)$/.test(file.type)) shownLogo.src = URL.createObjectURL(file);
    });
  }
})();
