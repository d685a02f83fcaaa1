// Pieces of a report as staff read it (responder queue, field survey): the one
// deadline line in words, labelled photos, the whole history with its notes.
import { h } from './dom';
import { t } from './i18n';
import type { Report } from './citizen';
import { cityTime } from './ui';

/** The next deadline that counts (as reports.models.overdue): until the OPD
 * acknowledges, the earlier of the response and resolution deadlines; then the
 * resolution deadline. */
export function dueOf(report: Report): string | null {
  const running = ['assigned', 'reopened'].includes(report.status)
    ? [report.responseDueAt, report.resolutionDueAt]
    : [report.resolutionDueAt];
  const times = running.filter((x): x is string => Boolean(x)).sort((a, b) => new Date(a).getTime() - new Date(b).getTime());
  return times[0] ?? null;
}

export type DueState = 'late' | 'risk' | 'ok';

export function dueState(report: Report, now = Date.now()): DueState | null {
  const due = dueOf(report);
  if (!due) return null;
  if (new Date(due).getTime() < now || report.slaState === 'breached') return 'late';
  return report.slaState === 'at_risk' ? 'risk' : 'ok';
}

/** "Tenggat: 3 Des 2026 15.00 WITA · tepat waktu", once per report. */
export function dueLine(report: Report): HTMLElement | null {
  const due = dueOf(report);
  const state = dueState(report);
  if (!due || !state) return null;
  const words = state === 'late' ? t('rsLate') : state === 'risk' ? t('rsAtRisk') : t('rsOnTrack');
  return h('p', { class: `due due-${state}`, 'data-due': state }, t('rsDueLine', { when: cityTime(due), state: words }));
}

const PHOTO_LABEL: Record<string, 'photoLabel' | 'proofLabel' | 'rsSurveyPhoto'> = {
  report: 'photoLabel',
  proof: 'proofLabel',
  survey: 'rsSurveyPhoto',
};

/** Every photo with what it is ("Foto laporan 1", "Foto survei lapangan 1", "Foto bukti penyelesaian 1"). */
export function labelledPhotos(report: Report): HTMLElement | null {
  if (!report.photos.length) return null;
  const order = ['report', 'survey', 'proof'];
  const photos = [...report.photos].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.position - b.position);
  return h(
    'div',
    { class: 'photos staff-photos' },
    photos.map((p) => {
      const label = t(PHOTO_LABEL[p.kind] ?? 'photoLabel', { n: p.position + 1 });
      return h(
        'figure',
        { 'data-kind': p.kind },
        h('a', { href: p.url, target: '_blank', rel: 'noopener' }, h('img', { src: p.url, alt: label, loading: 'lazy', width: p.width, height: p.height })),
        h('figcaption', null, label),
      );
    }),
  );
}

/** The full history: plain-words label, who, when, and the note (reopen reason,
 * survey finding, the citizen's answer…). */
export function historyView(report: Report, open = false): HTMLElement {
  return h(
    'details',
    { class: 'history', open },
    h('summary', null, `${t('rsHistory')} (${report.timeline.length})`),
    h(
      'ol',
      { class: 'timeline' },
      report.timeline.map((e) =>
        h(
          'li',
          { 'data-action': e.action },
          h('time', null, cityTime(e.createdAt)),
          ' · ',
          h('strong', null, e.label),
          e.actor && h('span', { class: 'hint' }, ` · ${e.actor}`),
          e.note && h('p', { class: 'note' }, e.note),
        ),
      ),
    ),
  );
}

/** A long, random key for a retry guard. */
export function uuid(): string {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
