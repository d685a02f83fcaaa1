// The operator workbench (/kerja/): the triage queue and one report at a time
// with what the checks found, its photos, its place on the map, possible
// duplicates side by side, and only the actions the signed-in role may take
// (Report.allowedActions, computed by the core's permission rules).
import { check, gql, type GqlError } from './api';
import { AreaPicker, type Area } from './areapicker';
import { type Report } from './citizen';
import { append, field, h, replace } from './dom';
import { t, tv } from './i18n';
import { CityMap, mapArea } from './map';
import { config, state } from './state';
import { signOutButton, staffLogin } from './staff';
import { action, cityTime, errorBox, navigate, okBox, statusBadge, verdictView } from './ui';
import { blurEditor } from './workblur';

export interface WorkReport extends Report {
  allowedActions: string[];
  priority: string;
  hidden: boolean;
  originalDescription: string | null;
  channel: string;
}

interface Opd {
  code: string;
  name: string;
  responder: boolean;
  parentCode: string | null;
}

const QUEUES = [
  ['TRIAGE', 'wbQueueTriage'],
  ['NEEDS_INFO', 'wbQueueNeedsInfo'],
  ['FIELD_SURVEY', 'wbQueueSurvey'],
  ['OVERDUE', 'wbQueueOverdue'],
] as const;

let queue: string = 'TRIAGE';
let opdCache: Opd[] | null = null;
let areaCache: Area[] | null = null;
// Bumped after a blur: the photo's URL is the same, its bytes are not.
let photoVersion = 0;
// The last action's confirmation, shown by the render that follows it.
let flash: string | null = null;
const fresh = (url: string) => (photoVersion ? `${url}${url.includes('?') ? '&' : '?'}v=${photoVersion}` : url);

/** OPDs in tree order with their depth (the select shows the hierarchy). */
function opdTree(opds: Opd[]): [Opd, number][] {
  const byParent = new Map<string | null, Opd[]>();
  const codes = new Set(opds.map((o) => o.code));
  for (const o of opds) {
    const key = o.parentCode && codes.has(o.parentCode) ? o.parentCode : null;
    byParent.set(key, [...(byParent.get(key) ?? []), o]);
  }
  const out: [Opd, number][] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const o of byParent.get(parent) ?? []) {
      out.push([o, depth]);
      walk(o.code, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

function opdSelect(name: string, opds: Opd[], except?: string): HTMLSelectElement {
  return h(
    'select',
    { name },
    opdTree(opds).map(([o, depth]) =>
      h('option', { value: o.code, disabled: !o.responder || o.code === except }, `${'\u2003'.repeat(depth)}${o.name}`),
    ),
  );
}

export async function workbench(main: HTMLElement, match: RegExpMatchArray): Promise<void> {
  if (!state.staffToken) {
    staffLogin(main, t('wbTitle'), () => void workbench(main, match));
    return;
  }
  const token = state.staffToken;
  const selected = match[1]?.replace(/^\//, '').toUpperCase() || null;
  const list = h('div', { id: 'work-queue', 'aria-live': 'polite' }, h('p', { class: 'hint' }, t('loading')));
  const detail = h('section', { id: 'work-detail', 'aria-live': 'polite', 'aria-label': t('wbDetail') }, h('p', { class: 'hint' }, t('loading')));
  const status = h('div', { id: 'action-status', 'aria-live': 'polite' }, flash ? okBox(flash) : null);
  flash = null;
  const tabs = h(
    'div',
    { class: 'work-tabs', role: 'group', 'aria-label': t('wbQueues') },
    QUEUES.map(([kind, key]) =>
      h('button', {
        type: 'button',
        class: kind === queue ? 'tab active' : 'tab',
        'aria-pressed': String(kind === queue),
        'data-queue': kind,
        onclick: () => {
          queue = kind;
          void workbench(main, match);
        },
      }, t(key)),
    ),
  );
  replace(
    main,
    h('div', { class: 'cc-head' }, h('h1', { class: 'page-title' }, t('wbTitle')),
      h('div', { class: 'cc-tools' }, h('a', { href: '/kerja/pesan/', 'data-link': '', class: 'button secondary', id: 'to-inbox' }, t('ibTitle')), h('button', { type: 'button', class: 'secondary', 'aria-label': t('wbRefresh'), onclick: () => void workbench(main, match) }, '↻'), signOutButton(() => void workbench(main, match)))),
    status,
    h('div', { class: 'work-layout' }, h('div', { class: 'work-side' }, tabs, list), detail),
  );
  try {
    const data = await gql('WorkQueue', { kind: queue, first: 50 }, { token });
    const reports = (data.reportQueue.edges as { node: WorkReport }[]).map((e) => e.node);
    replace(
      list,
      reports.length
        ? h('ul', { class: 'work-list' }, reports.map((r) =>
            h('li', { 'data-code': r.trackingCode, class: r.trackingCode === selected ? 'current' : '' },
              h('a', { href: `/kerja/${r.trackingCode}`, 'data-link': '' },
                h('strong', null, r.trackingCode), ' ', statusBadge(r.status, r.statusLabel),
                h('span', { class: 'work-meta' }, `${r.category.name} · ${cityTime(r.createdAt)}`),
                r.possibleDuplicates?.length ? h('span', { class: 'badge dup' }, t('wbDupCount', { n: r.possibleDuplicates.length })) : null))))
        : h('p', null, t('emptyQueue')),
    );
    if (!selected && reports[0]) navigate(`/kerja/${reports[0].trackingCode}`, true);
  } catch (error) {
    replace(list, errorBox(error));
  }
  if (selected) await showReport(detail, selected, token, () => void workbench(main, match));
  else replace(detail, h('p', { class: 'hint' }, t('wbPick')));
}

async function fetchReport(code: string, token: string): Promise<WorkReport | null> {
  const data = await gql<{ report: WorkReport | null }>('WorkReport', { trackingCode: code }, { token });
  return data.report;
}

async function showReport(
  detail: HTMLElement,
  code: string,
  token: string,
  reload: () => void,
): Promise<void> {
  replace(detail, h('p', null, t('loading')));
  let report: WorkReport | null;
  try {
    report = await fetchReport(code, token);
  } catch (error) {
    replace(detail, errorBox(error));
    return;
  }
  if (!report) {
    replace(detail, errorBox(new Error(t('notFound'))));
    return;
  }
  const r = report;
  const can = (name: string) => r.allowedActions.includes(name);
  const out = h('div', { 'aria-live': 'polite', class: 'work-out' });
  const mutate = async (name: string, variables: Record<string, unknown>) => {
    const result = await gql(name, variables, { token });
    check(Object.values(result)[0] as { errors: GqlError[] });
    flash = t('wbDone', { code });
    reload();
  };
  const c = config();

  // What the report is.
  const photos = r.photos.filter((p) => p.kind === 'report').map((p) => ({ ...p, url: fresh(p.url) }));
  const head = h(
    'header',
    { class: 'work-head' },
    h('h2', null, h('span', { id: 'work-code' }, r.trackingCode), ' ', h('span', { id: 'report-status' }, statusBadge(r.status, r.statusLabel)),
      r.hidden ? h('span', { class: 'badge hidden-badge' }, t('wbHidden')) : null),
    h('dl', { class: 'work-facts' },
      h('dt', null, t('category')), h('dd', null, r.category.name),
      h('dt', null, t('wbArea')), h('dd', { id: 'work-area' }, r.area?.name ?? t('wbAreaUnknown')),
      h('dt', null, 'OPD'), h('dd', { id: 'work-opd' }, r.opd?.name ?? '–'),
      c.priorities.length ? [h('dt', null, t('wbPriority')), h('dd', null, r.priority || '–')] : null,
      h('dt', null, t('wbReceived')), h('dd', null, `${cityTime(r.createdAt)} · ${tv(r.channel)}`),
      r.reporterPhone ? [h('dt', null, t('reporter')), h('dd', null, r.reporterPhone)] : null,
      r.address ? [h('dt', null, t('wbAddress')), h('dd', null, r.address)] : null),
    h('p', { class: 'work-text', id: 'work-text' }, r.description),
    r.originalDescription ? h('details', { class: 'work-original' }, h('summary', null, t('wbOriginalText')), h('p', null, r.originalDescription)) : null,
    r.outcome ? h('p', { class: 'hint' }, r.outcome.headline) : null,
  );
  const gallery = h('div', { class: 'work-photos' }, photos.map((p) => h('a', { href: p.url, target: '_blank', rel: 'noopener' }, h('img', { src: p.url, alt: t('wbPhotoAlt', { n: p.position + 1 }), width: p.width, height: p.height, loading: 'lazy' }))));
  const map = new CityMap(mapArea(c), t('wbMapLabel', { code }), undefined, { quietPoints: true });
  map.setPoints([{ lat: r.latitude, lon: r.longitude, label: `${r.trackingCode} · ${r.category.name}` }]);
  map.centerOn(r.latitude, r.longitude, 16);

  // Duplicates side by side.
  const dups = h('section', { class: 'work-dups', 'aria-labelledby': 'dups-title' });
  if (r.possibleDuplicates?.length) {
    replace(dups, h('h3', { id: 'dups-title' }, t('wbDuplicates')), h('p', null, t('loading')));
    void Promise.all(r.possibleDuplicates.map((d) => fetchReport(d, token).catch(() => null))).then((found) => {
      replace(
        dups,
        h('h3', { id: 'dups-title' }, t('wbDuplicates')),
        h('div', { class: 'dup-grid' },
          h('article', { class: 'dup-card this' }, h('h4', null, `${r.trackingCode} (${t('wbThisReport')})`), photos[0] && h('img', { src: photos[0].url, alt: '' }), h('p', null, r.description)),
          found.filter((d): d is WorkReport => Boolean(d)).map((d) =>
            h('article', { class: 'dup-card', 'data-dup': d.trackingCode },
              h('h4', null, h('a', { href: `/kerja/${d.trackingCode}`, 'data-link': '' }, d.trackingCode), ' ', statusBadge(d.status, d.statusLabel)),
              d.photos[0] && h('img', { src: d.photos[0].url, alt: '' }),
              h('p', null, d.description),
              h('p', { class: 'hint' }, `${d.category.name} · ${cityTime(d.createdAt)}`),
              can('merge') && action(t('wbMergeInto', { code: d.trackingCode }), () => mutate('MergeReports', { duplicateCode: r.trackingCode, intoCode: d.trackingCode, note: t('wbMergeNote') }), out, { 'data-action': 'merge', 'data-into': d.trackingCode }),
            ))),
      );
    });
  }

  // Decisions: only what this role may do now.
  const note = h('textarea', { rows: 2, name: 'decision-note' });
  const decisions = h('section', { class: 'card work-actions', 'aria-labelledby': 'act-title' },
    h('h3', { id: 'act-title' }, t('wbActions')),
    (can('accept') || can('reject') || can('request_info') || can('send_to_survey')) && field(t('wbDecisionNote'), note, t('wbDecisionHint')),
    h('div', { class: 'button-row' },
      can('accept') && action(t('wbAccept'), () => mutate('TriageReport', { trackingCode: code, decision: 'ACCEPT', note: note.value }), out, { class: 'big', 'data-action': 'accept' }),
      can('send_to_survey') && action(t('wbSurvey'), () => mutate('TriageReport', { trackingCode: code, decision: 'FIELD_SURVEY', note: note.value }), out, { class: 'secondary', 'data-action': 'survey' }),
      can('request_info') && action(t('askInfo'), () => mutate('RequestInformation', { trackingCode: code, question: note.value }), out, { class: 'secondary', 'data-action': 'ask' }),
      can('reject') && action(t('wbReject'), () => mutate('TriageReport', { trackingCode: code, decision: 'REJECT', note: note.value }), out, { class: 'danger', 'data-action': 'reject' }),
    ),
  );
  if (can('set_area')) {
    const areaOut = h('div');
    decisions.append(h('details', { class: 'work-area-pick' }, h('summary', null, t('wbSetArea')), areaOut));
    void (async () => {
      try {
        areaCache ??= (await gql<{ areas: Area[] }>('Areas', {})).areas;
        let chosen: Area | null = null;
        const picker = new AreaPicker(areaCache, (a) => (chosen = a));
        if (r.area) picker.show(r.area.code);
        replace(areaOut, picker.el, action(t('wbSetAreaButton'), async () => {
          if (!chosen) throw new Error(t('wbChooseArea'));
          await mutate('SetReportArea', { trackingCode: code, areaCode: chosen.code, note: '' });
        }, out, { 'data-action': 'set-area' }));
      } catch (error) {
        replace(areaOut, errorBox(error));
      }
    })();
  }
  if (can('set_priority') && c.priorities.length) {
    const pick = h('select', { name: 'priority' }, h('option', { value: '' }, '–'), c.priorities.map((p) => h('option', { value: p, selected: p === r.priority }, p)));
    decisions.append(h('div', { class: 'inline-form' }, field(t('wbPriority'), pick), action(t('wbSetPriority'), () => mutate('SetReportPriority', { trackingCode: code, priority: pick.value, note: '' }), out, { 'data-action': 'priority' })));
  }
  if (can('assign') || can('forward')) {
    opdCache ??= (await gql<{ opds: Opd[] }>('Opds', {}, { token }).catch(() => ({ opds: [] as Opd[] }))).opds;
    const target = opdSelect('opd', opdCache, r.opd?.code);
    const reason = h('input', { name: 'forward-reason' });
    decisions.append(h('details', null, h('summary', null, can('assign') ? t('wbAssign') : t('forward')),
      field(t('forwardTo'), target),
      can('forward') ? field(t('reason'), reason) : null,
      action(can('assign') ? t('wbAssign') : t('forward'), () =>
        can('assign')
          ? mutate('AssignReport', { trackingCode: code, opdCode: target.value, note: '' })
          : mutate('ForwardReport', { trackingCode: code, opdCode: target.value, reason: reason.value }), out, { 'data-action': 'forward' })));
  }
  decisions.append(out);

  // Moderation.
  const moderation = h('section', { class: 'card work-moderation', 'aria-labelledby': 'mod-title' });
  if (can('hide') || can('unhide') || can('edit_public_text') || can('blur_photo')) {
    const modOut = h('div', { 'aria-live': 'polite' });
    const hideReason = h('input', { name: 'hide-reason' });
    const text = h('textarea', { rows: 3, name: 'public-text', value: r.description });
    const textReason = h('input', { name: 'text-reason' });
    append(moderation, [
      h('h3', { id: 'mod-title' }, t('wbModeration')),
      h('div', { class: 'inline-form' }, field(t('reason'), hideReason),
        r.hidden
          ? action(t('wbUnhide'), () => mutate('UnhideReport', { trackingCode: code, reason: hideReason.value }), modOut, { 'data-action': 'unhide' })
          : action(t('wbHide'), () => mutate('HideReport', { trackingCode: code, reason: hideReason.value }), modOut, { class: 'danger', 'data-action': 'hide' })),
      can('edit_public_text') && h('details', null, h('summary', null, t('wbEditText')),
        field(t('wbPublicText'), text, t('wbPublicTextHint')), field(t('reason'), textReason),
        action(t('wbSaveText'), () => mutate('EditPublicText', { trackingCode: code, text: text.value, reason: textReason.value }), modOut, { 'data-action': 'edit-text' })),
      can('blur_photo') && photos.map((p) => h('details', { class: 'work-blur', 'data-photo': p.position }, h('summary', null, t('wbBlur', { n: p.position + 1 })),
        blurEditor(p.url, t('wbPhotoAlt', { n: p.position + 1 }), async (box, reason) => {
          try {
            photoVersion = Date.now();
            await mutate('BlurPhotoRegion', { trackingCode: code, kind: p.kind, position: p.position, box, reason });
          } catch (error) {
            modOut.replaceChildren(errorBox(error));
          }
        }, modOut))),
      modOut,
    ]);
  }

  const timeline = h('section', { class: 'card' }, h('h3', null, t('timeline')),
    h('ol', { class: 'timeline' }, r.timeline.map((e) => h('li', { class: e.public ? '' : 'private', 'data-action': e.action },
      h('time', null, cityTime(e.createdAt)), ' ', h('strong', null, e.label), ` · ${e.actor}`, e.public ? null : ` · ${t('wbStaffOnly')}`, e.note ? h('p', null, e.note) : null))));

  replace(detail, head, h('div', { class: 'work-media' }, gallery, map.el), verdictView(r.verification), dups,
    h('div', { class: 'work-panels' }, decisions, moderation.childElementCount ? moderation : null), timeline);
}
