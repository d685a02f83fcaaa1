// What the citizen is told happened to a report: on the result screen right
// after sending and on the tracking page. The server decides (Report.outcome:
// sent / review / rejected / done, with reasons in the reader's language, and
// an operator's later decision replaces the checks' verdict); this file only
// shows it, with the way back when a new photo would help.
import type { Report } from './citizen';
import { h, replace } from './dom';
import { t } from './i18n';
import { state } from './state';
import { navigate, statusBadge, verdictView } from './ui';

export function outcomeView(report: Report): HTMLElement | null {
  const o = report.outcome;
  if (!o) return null;
  return h(
    'section',
    { class: `outcome outcome-${o.state}`, id: 'outcome', 'aria-labelledby': 'outcome-title' },
    h('h2', { id: 'outcome-title' }, o.headline),
    o.reasons.length
      ? h('div', null, h('p', null, t('why')), h('ul', { class: 'reasons' }, o.reasons.map((r) => h('li', null, r))))
      : null,
    report.mergedIntoCode &&
      h(
        'p',
        null,
        h('a', { href: `/lapor/lacak/${encodeURIComponent(report.mergedIntoCode)}`, 'data-link': '', class: 'button', id: 'merged-into' }, `${t('track')}: ${report.mergedIntoCode}`),
      ),
    o.canRetryPhoto &&
      h(
        'button',
        {
          type: 'button',
          id: 'retry-photo',
          onclick: () => navigate(`/lapor/baru?ulang=${encodeURIComponent(report.trackingCode)}`),
        },
        t('retryPhoto'),
      ),
  );
}

/** The line that says where news of the report will come (never a promise the city cannot keep). */
export function howInformed(): HTMLElement {
  return h('p', { class: 'hint', id: 'how-informed' }, t('howInformed', { mine: state.citizenToken ? t('howInformedMine') : '' }));
}

export function showSubmitted(main: HTMLElement, report: Report): void {
  const state_ = report.outcome?.state ?? 'sent';
  replace(
    main,
    h('h1', { class: 'page-title', tabindex: '-1' }, t(`outcome_${state_}` as 'outcome_sent')),
    h(
      'section',
      { class: 'card result' },
      h('p', null, t('trackingCode')),
      h('p', { class: 'tracking-code', id: 'tracking-code' }, report.trackingCode),
      h('p', { class: 'hint' }, t('keepCode')),
      h('p', null, `${t('status')}: `, statusBadge(report.status, report.statusLabel)),
      report.opd && h('p', null, `${t('opd')}: ${report.opd.name}`),
      outcomeView(report),
      verdictView(report.verification),
      howInformed(),
      h('a', { href: `/lapor/lacak/${report.trackingCode}`, 'data-link': '', class: 'button' }, t('track')),
    ),
  );
  main.querySelector<HTMLElement>('h1')?.focus();
}
