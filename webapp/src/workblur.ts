// Blurring a region of a report photo: drag a box on the photo (pointer events
// on an overlay: mouse, pen, touch) or type it in the four number fields (per
// cent of the photo); both stay in step. The server blurs the public copy.
import { field, h } from './dom';
import { t } from './i18n';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const clamp = (v: number) => Math.min(1, Math.max(0, v));

export function blurEditor(
  src: string,
  alt: string,
  apply: (box: Box, reason: string) => Promise<void>,
  out: HTMLElement,
): HTMLElement {
  let box: Box | null = null;
  const img = h('img', { src, alt, class: 'blur-photo', draggable: 'false' });
  const mark = h('div', { class: 'blur-box', hidden: true, 'aria-hidden': 'true' });
  const stage = h('div', { class: 'blur-stage', 'data-role': 'blur-stage' }, img, mark);
  const num = (name: string, label: string) =>
    field(label, h('input', { type: 'number', min: 0, max: 100, step: 1, name, inputmode: 'numeric' }));
  const fields = [num('bx', t('wbBoxX')), num('by', t('wbBoxY')), num('bw', t('wbBoxW')), num('bh', t('wbBoxH'))];
  const inputs = fields.map((f) => f.querySelector('input') as HTMLInputElement);
  const reason = h('input', { name: 'blur-reason', value: t('wbBlurDefaultReason') });

  const draw = () => {
    mark.hidden = !box;
    if (!box) return;
    mark.style.left = `${box.x * 100}%`;
    mark.style.top = `${box.y * 100}%`;
    mark.style.width = `${box.width * 100}%`;
    mark.style.height = `${box.height * 100}%`;
  };
  const toInputs = () => {
    if (!box) return;
    [box.x, box.y, box.width, box.height].forEach((v, i) => (inputs[i].value = String(Math.round(v * 1000) / 10)));
  };
  const fromInputs = () => {
    const [x, y, w, hgt] = inputs.map((i) => clamp(Number(i.value) / 100));
    box = { x, y, width: Math.min(w, 1 - x), height: Math.min(hgt, 1 - y) };
    draw();
  };
  inputs.forEach((i) => i.addEventListener('input', fromInputs));

  let start: { x: number; y: number } | null = null;
  const at = (event: PointerEvent) => {
    const rect = img.getBoundingClientRect();
    return { x: clamp((event.clientX - rect.left) / rect.width), y: clamp((event.clientY - rect.top) / rect.height) };
  };
  stage.addEventListener('pointerdown', (event: PointerEvent) => {
    event.preventDefault();
    stage.setPointerCapture(event.pointerId);
    start = at(event);
    box = { ...start, width: 0, height: 0 };
    draw();
  });
  stage.addEventListener('pointermove', (event: PointerEvent) => {
    if (!start) return;
    const p = at(event);
    box = { x: Math.min(start.x, p.x), y: Math.min(start.y, p.y), width: Math.abs(p.x - start.x), height: Math.abs(p.y - start.y) };
    draw();
    toInputs();
  });
  const end = () => {
    start = null;
    toInputs();
  };
  stage.addEventListener('pointerup', end);
  stage.addEventListener('pointercancel', end);

  const button: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      'data-action': 'blur',
      onclick: async () => {
        out.replaceChildren();
        if (!box || box.width <= 0.005 || box.height <= 0.005) {
          out.replaceChildren(h('div', { class: 'alert error', role: 'alert' }, t('wbBlurNoBox')));
          return;
        }
        button.disabled = true;
        try {
          await apply(box, reason.value);
        } finally {
          button.disabled = false;
        }
      },
    },
    t('wbBlurApply'),
  );
  return h(
    'div',
    { class: 'blur-editor' },
    h('p', { class: 'hint' }, t('wbBlurHint')),
    stage,
    h('fieldset', { class: 'blur-numbers' }, h('legend', null, t('wbBlurNumbers')), fields),
    field(t('reason'), reason),
    button,
  );
}
