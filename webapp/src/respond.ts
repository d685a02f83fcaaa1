// The OPD responder's queue (/respond/): the reports of the signed-in staff's
// OPDs, narrowed on the server (status, category, area, due soon, overdue, a
// search by tracking code or text), on a list and a map. Each card shows the
// deadline once in words, every photo labelled and the whole history with its
// notes; replies may start from the city's response templates. The buttons are
// those the report's state allows its OPD (reports/models.py transitions).
import { check, gql, type GqlError } from './api';
import { field, h, replace } from './dom';
import { t } from './i18n';
import type { Report } from './citizen';
import { CityMap, mapArea } from './map';
import { dueLine, dueState, historyView, labelledPhotos } from './reportcard';
import { config, state } from './state';
import { signOutButton, staffLogin } from './staff';
import { cityTime, errorBox, okBox, onLeave, statusBadge, verdictView } from './ui';

interface Opd {
  code: string;
  name: string;
  responder: boolean;
}
interface Area {
  code: string;
  name: string;
  level: string;
  parentCode: string | null;
}
interface Template {
  code: string;
  use: string;
  title: string;
  body: string;
}
interface Filter {
  status?: string;
  categoryCode?: string;
  areaCode?: string;
  dueSoon?: boolean;
  overdue?: boolean;
  search?: string;
}

const PAGE = 50;
const STATUSES = [
  ['assigned', 'rsStAssigned'],
  ['acknowledged', 'rsStAcknowledged'],
  ['in_progress', 'rsStInProgress'],
  ['reopened', 'rsStReopened'],
] as const;

/** A template's body with {kode}, {opd} and {tanggal} filled in for the report. */
export function fillTemplate(body: string, report: Report): string {
  const c = config();
  const today = new Intl.DateTimeFormat(state.lang === 'en' ? 'en-GB' : 'id-ID', {
    timeZone: c.timeZone,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(new Date());
  return body
    .replaceAll('{kode}', report.trackingCode)
    .replaceAll('{opd}', report.opd?.name ?? '')
    .replaceAll('{tanggal}', today);
}

/** Areas as an indented tree (city → kecamatan → kelurahan) for a <select>. */
function areaOptions(areas: Area[]): HTMLOptionElement[] {
  const codes = new Set(areas.map((a) => a.code));
  const children = new Map<string | null, Area[]>();
  for (const a of areas) {
    const parent = a.parentCode && codes.has(a.parentCode) ? a.parentCode : null;
    children.set(parent, [...(children.get(parent) ?? []), a]);
  }
  const out: HTMLOptionElement[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const a of (children.get(parent) ?? []).sort((x, y) => x.name.localeCompare(y.name))) {
      out.push(h('option', { value: a.code }, `${'  '.repeat(depth)}${depth ? '· ' : ''}${a.name}`));
      walk(a.code, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

export async function responder(main: HTMLElement): Promise<void> {
  if (!state.staffToken) {
    staffLogin(main, t('responder'), () => void responder(main));
    return;
  }
  const token = state.staffToken;
  const list = h('div', { id: 'queue', 'aria-live': 'polite' });
  const status = h('div', { 'aria-live': 'polite', id: 'action-status', class: 'action-status' });
  const count = h('p', { class: 'hint', id: 'queue-count' });
  let opds: Opd[] = [];
  let templates: Template[] = [];
  let reports: Report[] = [];
  let cursor: string | null = null;
  const c = config();
  const map = new CityMap(mapArea(c), t('rsMap'), undefined, {
    onOpen: (href) => {
      const card = document.getElementById(href.replace(/^#/, ''));
      card?.scrollIntoView({ behavior: 'smooth', block: 'start' });
      card?.querySelector<HTMLElement>('.tracking-code')?.focus();
    },
  });

  const wide = window.matchMedia('(min-width: 1100px)').matches;
  // The filter form: every change asks the server again (the queue may be long).
  const search = h('input', { type: 'search', name: 'search', id: 'queue-search', autocomplete: 'off', enterkeyhint: 'search' });
  const statusSel = h('select', { name: 'status', id: 'filter-status' }, h('option', { value: '' }, t('rsAllStatuses')), STATUSES.map(([v, k]) => h('option', { value: v }, t(k))));
  const categorySel = h('select', { name: 'category', id: 'filter-category' }, h('option', { value: '' }, t('rsAllCategories')));
  const areaSel = h('select', { name: 'area', id: 'filter-area' }, h('option', { value: '' }, t('rsAllAreas')));
  const dueSoon = h('input', { type: 'checkbox', id: 'filter-due-soon', name: 'dueSoon' });
  const overdue = h('input', { type: 'checkbox', id: 'filter-overdue', name: 'overdue' });
  const filter = (): Filter => ({
    ...(statusSel.value ? { status: statusSel.value } : {}),
    ...(categorySel.value ? { categoryCode: categorySel.value } : {}),
    ...(areaSel.value ? { areaCode: areaSel.value } : {}),
    ...(dueSoon.checked ? { dueSoon: true } : {}),
    ...(overdue.checked ? { overdue: true } : {}),
    ...(search.value.trim() ? { search: search.value.trim() } : {}),
  });
  let debounce = 0;
  const form = h(
    'form',
    {
      class: 'card queue-filters',
      role: 'search',
      'aria-label': t('rsFilters'),
      onsubmit: (e: Event) => {
        e.preventDefault();
        void load();
      },
      onchange: () => void load(),
      oninput: (e: Event) => {
        if (e.target !== search) return;
        clearTimeout(debounce);
        debounce = window.setTimeout(() => void load(), 400);
      },
    },
    field(t('rsSearch'), search),
    // On a phone the other filters fold away under the search box.
    h('details', { class: 'more-filters', id: 'more-filters', open: wide },
      h('summary', null, t('rsFilters')),
      h('div', { class: 'filters-grid' },
        field(t('status'), statusSel),
        field(t('category'), categorySel),
        field(t('area'), areaSel)),
      h('div', { class: 'filters-row' },
        h('div', { class: 'check-field' }, dueSoon, h('label', { for: dueSoon.id }, t('rsDueSoon'))),
        h('div', { class: 'check-field' }, overdue, h('label', { for: overdue.id }, t('rsOverdue'))),
        h('button', {
          type: 'button',
          class: 'secondary',
          id: 'filter-clear',
          onclick: () => {
            form.reset();
            void load();
          },
        }, t('rsClear')))),
    count,
  );

  /** Run one action: the previous message (here or on any card) goes first, so
   * a stale "saved" never sits above a new error. */
  const act = async (out: HTMLElement, code: string, name: string, variables: Record<string, unknown>, files?: File[]) => {
    status.replaceChildren();
    list.querySelectorAll('.card-out').forEach((o) => o.replaceChildren());
    try {
      const result = await gql(name, variables, {
        token,
        files: files?.map((file, i) => ({ path: `photos.${i}`, file, name: file.name })),
      });
      check(Object.values(result)[0] as { errors: GqlError[] });
    } catch (error) {
      out.replaceChildren(errorBox(error));
      return;
    }
    await load();
    status.replaceChildren(okBox(t('rsSaved', { code })));
    status.scrollIntoView({ block: 'nearest' });
  };

  const button = (label: string, run: () => Promise<void>, attrs: Record<string, unknown> = {}) => {
    const b: HTMLButtonElement = h('button', {
      type: 'button',
      ...attrs,
      onclick: async () => {
        b.disabled = true;
        try {
          await run();
        } finally {
          b.disabled = false;
        }
      },
    }, label);
    return b;
  };

  const templatePicker = (report: Report, use: string, into: HTMLTextAreaElement): HTMLElement | null => {
    const offered = templates.filter((x) => x.use === use || x.use === 'any');
    if (!offered.length) return null;
    const select = h(
      'select',
      {
        name: `template-${use}`,
        class: 'template-picker',
        onchange: () => {
          const chosen = offered.find((x) => x.code === select.value);
          if (chosen) into.value = fillTemplate(chosen.body, report);
          select.value = '';
          into.focus();
        },
      },
      h('option', { value: '' }, t('rsTemplateNone')),
      offered.map((x) => h('option', { value: x.code }, x.title)),
    );
    return field(t('rsTemplate'), select);
  };

  const card = (report: Report): HTMLElement => {
    const code = report.trackingCode;
    const out = h('div', { 'aria-live': 'polite', class: 'card-out' });
    const note = h('textarea', { rows: 3, name: 'note' });
    const isPublic = h('input', { type: 'checkbox', checked: true, id: `public-${code}` });
    const question = h('textarea', { rows: 3, name: 'question' });
    const resolveNote = h('textarea', { rows: 3, name: 'resolve-note' });
    const proof = h('input', { type: 'file', accept: 'image/*', capture: 'environment', name: 'proof' });
    const target = h('select', { name: 'forward-to' }, opds.filter((o) => o.responder && o.code !== report.opd?.code).map((o) => h('option', { value: o.code }, o.name)));
    const reason = h('input', { name: 'forward-reason' });
    // What the report's state allows the OPD holding it (reports/models.py).
    const canAck = ['assigned', 'reopened'].includes(report.status);
    const canResolve = ['acknowledged', 'in_progress', 'reopened'].includes(report.status);
    const late = dueState(report);
    return h(
      'li',
      { class: `queue-item q-${late ?? 'none'}`, 'data-code': code, id: `q-${code}` },
      h('article', { class: 'card report' },
        h('div', { class: 'card-head' },
          h('p', { class: 'tracking-code', tabindex: -1 }, code),
          statusBadge(report.status, report.statusLabel)),
        dueLine(report),
        h('dl', null,
          h('dt', null, t('category')), h('dd', null, report.category.name),
          report.area && [h('dt', null, t('area')), h('dd', null, report.area.name)],
          report.opd && [h('dt', null, t('opd')), h('dd', null, report.opd.name)],
          h('dt', null, t('created')), h('dd', null, cityTime(report.createdAt))),
        h('p', { class: 'description' }, report.description),
        report.address && h('p', { class: 'hint address' }, report.address),
        // Masked (+62812••••250): shown so staff can tell reporters apart, never dialled.
        report.reporterPhone && h('p', { class: 'hint' }, `${t('reporter')}: ${report.reporterPhone}`),
        labelledPhotos(report),
        historyView(report, report.status === 'reopened'),
        report.verification && h('details', { class: 'verification' }, h('summary', null, t('rsVerification')), verdictView(report.verification)),
        h('div', { class: 'actions' },
          canAck && button(t('acknowledge'), () => act(out, code, 'AcknowledgeReport', { trackingCode: code, note: '' }), { class: 'big', 'data-action': 'acknowledge' }),
          h('details', null, h('summary', null, t('progressNote')),
            templatePicker(report, 'note', note),
            field(t('progressNote'), note),
            h('div', { class: 'check-field' }, isPublic, h('label', { for: isPublic.id }, t('rsPublic'))),
            button(t('addNote'), () => act(out, code, 'AddProgressNote', { trackingCode: code, note: note.value, public: isPublic.checked }), { 'data-action': 'note' })),
          h('details', null, h('summary', null, t('askInfo')),
            templatePicker(report, 'ask', question),
            field(t('question'), question),
            button(t('askInfo'), () => act(out, code, 'RequestInformation', { trackingCode: code, question: question.value }), { 'data-action': 'ask' })),
          canResolve && h('details', { open: true, class: 'resolve' }, h('summary', null, t('resolve')),
            templatePicker(report, 'resolve', resolveNote),
            field(t('resolveNote'), resolveNote),
            field(t('proofPhoto'), proof),
            button(t('resolve'), () => act(out, code, 'ResolveReport', { trackingCode: code, note: resolveNote.value, photos: [] }, Array.from(proof.files ?? [])), { 'data-action': 'resolve' })),
          h('details', null, h('summary', null, t('forward')),
            field(t('forwardTo'), target),
            field(t('reason'), reason),
            button(t('forward'), () => act(out, code, 'ForwardReport', { trackingCode: code, opdCode: target.value, reason: reason.value }), { 'data-action': 'forward' })),
          out)),
    );
  };

  const COLORS = { late: '#b3261e', risk: '#c77700', ok: '#1e6b3a' } as const;
  const draw = () => {
    replace(list, reports.length ? h('ul', { class: 'queue' }, reports.map(card)) : h('p', { class: 'empty' }, Object.keys(filter()).length ? t('rsNoMatch') : t('emptyQueue')));
    if (cursor) list.append(button(t('rsLoadMore'), () => load(true), { class: 'secondary', id: 'load-more' }));
    count.textContent = t('rsCount', { n: reports.length }) + (cursor ? '+' : '');
    map.setPoints(reports.map((r) => ({ lat: r.latitude, lon: r.longitude, label: `${r.trackingCode} · ${r.category.name}`, color: COLORS[dueState(r) ?? 'ok'], href: `#q-${r.trackingCode}` })));
  };

  let generation = 0;
  const load = async (more = false) => {
    const mine = ++generation;
    try {
      const data = await gql('ReportQueue', { kind: 'MY_OPD', first: PAGE, after: more ? cursor : null, filter: filter() }, { token });
      if (mine !== generation) return; // a newer filter answered first
      const page = (data.reportQueue.edges as { node: Report }[]).map((e) => e.node);
      reports = more ? [...reports, ...page] : page;
      cursor = data.reportQueue.pageInfo.hasNextPage ? data.reportQueue.pageInfo.endCursor : null;
      draw();
      list.dataset.loaded = String(mine);
    } catch (error) {
      replace(list, errorBox(error), signOutButton(() => void responder(main)));
    }
  };

  replace(
    main,
    h('div', { class: 'cc-head' }, h('h1', { class: 'page-title' }, t('queue')),
      h('div', { class: 'cc-tools' }, h('button', { type: 'button', class: 'secondary', 'aria-label': t('rsRefresh'), onclick: () => void load() }, '↻'), signOutButton(() => void responder(main)))),
    form,
    status,
    h('div', { class: 'respond-layout' },
      list,
      h('details', { class: 'queue-map', open: wide }, h('summary', null, t('rsMap')), map.el)),
  );
  const [opdData, templateData, categoryData, areaData] = await Promise.allSettled([
    gql<{ opds: Opd[] }>('Opds', {}, { token }),
    gql<{ responseTemplates: Template[] }>('ResponseTemplates', {}, { token }),
    gql<{ categories: { name: string; categories: { code: string; name: string }[] }[] }>('Categories', { lang: state.lang }),
    gql<{ areas: Area[] }>('Areas', {}),
  ]);
  if (opdData.status === 'fulfilled') opds = opdData.value.opds;
  if (templateData.status === 'fulfilled') templates = templateData.value.responseTemplates;
  if (categoryData.status === 'fulfilled') {
    categorySel.append(...categoryData.value.categories.map((g) => h('optgroup', { label: g.name }, g.categories.map((x) => h('option', { value: x.code }, x.name)))));
  }
  if (areaData.status === 'fulfilled') areaSel.append(...areaOptions(areaData.value.areas));
  await load();
  const timer = window.setInterval(() => {
    const busy = main.querySelector('textarea:focus, input:focus, select:focus') || [...main.querySelectorAll<HTMLTextAreaElement>('.queue textarea, .queue input[name="forward-reason"]')].some((x) => x.value);
    if (!busy) void load();
  }, 120000);
  onLeave(() => clearInterval(timer));
}
