import { check, gql, type GqlError } from './api';
import { field, h, replace } from './dom';
import { t } from './i18n';
import { type Report, reportDetail } from './citizen';
import { state } from './state';
import { signOutButton, staffLogin } from './staff';
import { action, cityTime, errorBox, okBox, onLeave, verdictView } from './ui';

interface Opd {
  code: string;
  name: string;
  responder: boolean;
}

export async function responder(main: HTMLElement): Promise<void> {
  if (!state.staffToken) {
    staffLogin(main, t('responder'), () => void responder(main));
    return;
  }
  const token = state.staffToken;
  const list = h('div', { id: 'queue', 'aria-live': 'polite' });
  const status = h('div', { 'aria-live': 'polite', id: 'action-status' });
  let opds: Opd[] = [];

  const mutate = async (name: string, variables: Record<string, unknown>, files?: File[]) => {
    const result = await gql(name, variables, {
      token,
      files: files?.map((file, i) => ({ path: `photos.${i}`, file, name: file.name })),
    });
    check(Object.values(result)[0] as { errors: GqlError[] });
    status.replaceChildren(okBox(t('done')));
    await load();
  };

  const card = (report: Report): HTMLElement => {
    const code = report.trackingCode;
    const out = h('div', { 'aria-live': 'polite' });
    const note = h('textarea', { rows: 2, name: 'note' });
    const isPublic = h('input', { type: 'checkbox', checked: true, id: `public-${code}` });
    const question = h('textarea', { rows: 2, name: 'question' });
    const resolveNote = h('textarea', { rows: 2, name: 'resolve-note' });
    const proof = h('input', { type: 'file', accept: 'image/*', capture: 'environment', name: 'proof' });
    const target = h('select', { name: 'forward-to' }, opds.filter((o) => o.responder && o.code !== report.opd?.code).map((o) => h('option', { value: o.code }, o.name)));
    const reason = h('input', { name: 'forward-reason' });
    const canAck = ['assigned', 'reopened'].includes(report.status);
    return h(
      'li',
      { class: 'queue-item', 'data-code': code },
      reportDetail(report),
      report.reporterPhone && h('p', { class: 'hint' }, `${t('reporter')}: ${report.reporterPhone}`),
      report.responseDueAt && h('p', { class: `hint sla-${report.slaState}` }, `${t('due')}: ${cityTime(report.responseDueAt)} (${report.slaState})`),
      verdictView(report.verification),
      h(
        'div',
        { class: 'card actions' },
        canAck && action(t('acknowledge'), () => mutate('AcknowledgeReport', { trackingCode: code, note: '' }), out, { class: 'big', 'data-action': 'acknowledge' }),
        h('details', null, h('summary', null, t('progressNote')),
          field(t('progressNote'), note),
          h('div', { class: 'check-field' }, isPublic, h('label', { for: isPublic.id }, 'Publik / Public')),
          action(t('addNote'), () => mutate('AddProgressNote', { trackingCode: code, note: note.value, public: isPublic.checked }), out)),
        h('details', null, h('summary', null, t('askInfo')),
          field(t('question'), question),
          action(t('askInfo'), () => mutate('RequestInformation', { trackingCode: code, question: question.value }), out)),
        h('details', { open: !canAck }, h('summary', null, t('resolve')),
          field(t('resolveNote'), resolveNote),
          field(t('proofPhoto'), proof),
          action(t('resolve'), () => mutate('ResolveReport', { trackingCode: code, note: resolveNote.value, photos: [] }, Array.from(proof.files ?? [])), out, { 'data-action': 'resolve' })),
        h('details', null, h('summary', null, t('forward')),
          field(t('forwardTo'), target),
          field(t('reason'), reason),
          action(t('forward'), () => mutate('ForwardReport', { trackingCode: code, opdCode: target.value, reason: reason.value }), out)),
        out,
      ),
    );
  };

  const load = async () => {
    try {
      const data = await gql('ReportQueue', { kind: 'MY_OPD', first: 50 }, { token });
      const reports = (data.reportQueue.edges as { node: Report }[]).map((e) => e.node);
      replace(list, reports.length ? h('ul', { class: 'queue' }, reports.map(card)) : h('p', null, t('emptyQueue')));
    } catch (error) {
      replace(list, errorBox(error), signOutButton(() => void responder(main)));
    }
  };

  replace(
    main,
    h('div', { class: 'cc-head' }, h('h1', { class: 'page-title' }, t('queue')),
      h('div', { class: 'cc-tools' }, h('button', { type: 'button', class: 'secondary', onclick: () => void load() }, '↻'), signOutButton(() => void responder(main)))),
    status,
    list,
  );
  try {
    opds = (await gql<{ opds: Opd[] }>('Opds', {}, { token })).opds;
  } catch {
    opds = [];
  }
  await load();
  const timer = window.setInterval(() => {
    if (!main.querySelector('textarea:focus, input:focus, details[open] textarea:not(:placeholder-shown)')) void load();
  }, 120000);
  onLeave(() => clearInterval(timer));
}
