import { ApiError } from './api';
import { h } from './dom';
import { t, tv, when } from './i18n';
import { config } from './state';

let renderer: () => Promise<void> = async () => {};
let cleanup: (() => void) | null = null;

export function setRenderer(fn: () => Promise<void>): void {
  renderer = fn;
}

/** Run fn when the current view is left (timers, sockets). */
export function onLeave(fn: () => void): void {
  const previous = cleanup;
  cleanup = () => {
    previous?.();
    fn();
  };
}

export function leave(): void {
  cleanup?.();
  cleanup = null;
}

export function navigate(path: string, replaceState = false): void {
  if (replaceState) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  void renderer();
}

export function errorBox(error: unknown): HTMLElement {
  const messages =
    error instanceof ApiError ? error.messages : [error instanceof Error ? error.message : String(error)];
  const offline = error instanceof ApiError && error.offline;
  return h(
    'div',
    { class: offline ? 'alert offline' : 'alert error', role: 'alert' },
    messages.length > 1 ? h('ul', null, messages.map((m) => h('li', null, m))) : messages[0],
  );
}

export function okBox(message: string): HTMLElement {
  return h('div', { class: 'alert ok', role: 'status' }, message);
}

export function cityTime(iso: string | null | undefined): string {
  const c = config();
  return when(iso, c.timeZone, c.timeZoneAbbreviation);
}

/** A button that disables itself while its async action runs; errors go to `out`. */
export function action(
  label: string,
  run: () => Promise<void>,
  out: HTMLElement,
  attrs: Record<string, unknown> = {},
): HTMLButtonElement {
  const button: HTMLButtonElement = h('button', {
    type: 'button',
    ...attrs,
    onclick: async () => {
      button.disabled = true;
      out.replaceChildren();
      try {
        await run();
      } catch (error) {
        out.replaceChildren(errorBox(error));
      } finally {
        button.disabled = false;
      }
    },
  }, label);
  return button;
}

export function statusBadge(status: string, label: string): HTMLElement {
  return h('span', { class: `badge status-${status}` }, label);
}

export function verdictView(verification: { verdict: string; checks: { name: string; result: string; reason: string }[] } | null): HTMLElement | null {
  if (!verification) return null;
  return h(
    'section',
    { class: `verdict verdict-${verification.verdict}`, 'aria-labelledby': 'verdict-title' },
    h('h3', { id: 'verdict-title' }, `${t('verdict')}: `, h('span', { class: 'verdict-label' }, tv(`verdict_${verification.verdict}`))),
    h(
      'ul',
      { class: 'checks' },
      verification.checks.map((check) =>
        h(
          'li',
          { class: `check check-${check.result}` },
          h('span', { class: 'check-result' }, tv(check.result)),
          ' ',
          check.reason,
        ),
      ),
    ),
  );
}
