// The field-survey officer's phone view (/survei/): the reports waiting for a
// survey, each with a link that opens the point in the phone's maps app and a
// place on the city map; the finding (found / not found, a note, a photo
// checked like proof photos) is sent, or kept on the phone when there is no
// signal and sent again later (surveyqueue.ts), once.
import { ApiError, check, gql, type GqlError } from './api';
import { field, h, replace } from './dom';
import { t } from './i18n';
import type { Report } from './citizen';
import { CityMap, mapArea } from './map';
import { preparePhoto } from './photos';
import { historyView, labelledPhotos, uuid } from './reportcard';
import { config, state } from './state';
import { signOutButton, staffLogin } from './staff';
import { dropSurvey, keepSurvey, pendingSurveys, type PendingSurvey } from './surveyqueue';
import { cityTime, errorBox, okBox, onLeave } from './ui';

let flushing: Promise<void> | null = null;

/** Send one result; true when the server recorded it (or had already). */
async function sendSurvey(token: string, p: PendingSurvey): Promise<void> {
  const result = await gql(
    'RecordFieldSurvey',
    { trackingCode: p.trackingCode, found: p.found, note: p.note, photos: [], idempotencyKey: p.idempotencyKey },
    { token, files: p.photos.map((photo, i) => ({ path: `photos.${i}`, file: photo.blob, name: photo.name })) },
  );
  check(result.recordFieldSurvey as { errors: GqlError[] });
}

/** Send every result waiting on the phone, oldest first; stops at the first
 * network failure. A result the server refuses stays, with the reason shown. */
function flushPending(token: string): Promise<void> {
  flushing ??= (async () => {
    try {
      for (const p of await pendingSurveys()) {
        try {
          await sendSurvey(token, p);
          await dropSurvey(p.idempotencyKey);
        } catch (error) {
          if (error instanceof ApiError && error.offline) return;
          await keepSurvey({ ...p, lastError: error instanceof Error ? error.message : String(error) });
        }
      }
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}

function mapsLinks(report: Report): HTMLElement {
  const { latitude: lat, longitude: lon } = report;
  const label = encodeURIComponent(report.trackingCode);
  return h(
    'p',
    { class: 'maps-links' },
    h('a', { class: 'button', href: `geo:${lat},${lon}?q=${lat},${lon}(${label})`, 'data-maps': 'geo' }, t('svOpenMaps')),
    h('a', { class: 'button secondary', href: `https://www.google.com/maps/search/?api=1&query=${lat},${lon}`, target: '_blank', rel: 'noopener', 'data-maps': 'https' }, 'Google Maps'),
  );
}

export async function survey(main: HTMLElement): Promise<void> {
  if (!state.staffToken) {
    staffLogin(main, t('svRole'), () => void survey(main));
    return;
  }
  const token = state.staffToken;
  const list = h('div', { id: 'survey-list', 'aria-live': 'polite' });
  const status = h('div', { id: 'action-status', class: 'action-status', 'aria-live': 'polite' });
  const pendingBox = h('div', { id: 'survey-pending', 'aria-live': 'polite' });
  const c = config();
  const map = new CityMap(mapArea(c), t('svTitle'), undefined, {
    onOpen: (href) => document.getElementById(href.replace(/^#/, ''))?.scrollIntoView({ behavior: 'smooth' }),
  });
  const mapBox = h('details', { class: 'queue-map', open: true }, h('summary', null, t('rsMap')), map.el);
  let reports: Report[] = [];

  const showPending = async () => {
    const pending = await pendingSurveys();
    const codes = new Set(pending.map((p) => p.trackingCode));
    list.querySelectorAll<HTMLElement>('.survey-item').forEach((item) => {
      item.classList.toggle('pending', codes.has(item.dataset.code ?? ''));
    });
    replace(
      pendingBox,
      pending.length
        ? h(
            'div',
            { class: 'alert offline', role: 'status' },
            h('p', null, t('svPending', { n: pending.length })),
            h('ul', null, pending.map((p) => h('li', { 'data-code': p.trackingCode }, `${p.trackingCode} · ${p.found ? t('svFound') : t('svNotFound')}`,
              p.lastError && h('p', { class: 'hint' }, t('svRefused', { code: p.trackingCode, why: p.lastError })),
              p.lastError && h('button', { type: 'button', class: 'secondary', onclick: async () => { await dropSurvey(p.idempotencyKey); await showPending(); } }, t('svDiscard'))))),
            h('button', { type: 'button', id: 'survey-retry', onclick: () => void retry() }, t('svRetry')),
          )
        : null,
    );
  };

  const retry = async () => {
    await flushPending(token);
    await showPending();
    await load();
  };

  const card = (report: Report): HTMLElement => {
    const code = report.trackingCode;
    const out = h('div', { 'aria-live': 'polite', class: 'card-out' });
    const group = `result-${code}`;
    const found = h('input', { type: 'radio', name: group, value: 'found', id: `${group}-found` });
    const notFound = h('input', { type: 'radio', name: group, value: 'not_found', id: `${group}-not` });
    const note = h('textarea', { rows: 3, name: 'survey-note' });
    const photo = h('input', { type: 'file', accept: 'image/*', capture: 'environment', name: 'survey-photo' });
    const sendButton: HTMLButtonElement = h('button', { type: 'submit', 'data-action': 'survey' }, t('svSend'));
    const operatorNote = [...report.timeline].reverse().find((e) => e.action === 'send_to_survey' || e.action === 'accept')?.note;
    const form = h(
      'form',
      {
        class: 'survey-form',
        onsubmit: async (event: Event) => {
          event.preventDefault();
          status.replaceChildren();
          out.replaceChildren();
          if (!found.checked && !notFound.checked) {
            out.replaceChildren(errorBox(new Error(t('svChooseResult'))));
            return;
          }
          sendButton.disabled = true;
          try {
            const photos = await Promise.all(Array.from(photo.files ?? []).map(async (f) => {
              const ready = await preparePhoto(f);
              return { blob: ready.blob, name: ready.name };
            }));
            const pending: PendingSurvey = {
              idempotencyKey: form.dataset.key ?? (form.dataset.key = uuid()),
              trackingCode: code,
              found: found.checked,
              note: note.value,
              photos,
              savedAt: new Date().toISOString(),
            };
            try {
              await sendSurvey(token, pending);
            } catch (error) {
              if (error instanceof ApiError && error.offline && (await keepSurvey(pending))) {
                await showPending();
                out.replaceChildren(h('div', { class: 'alert offline', role: 'status' }, t('svQueued', { code })));
                return;
              }
              throw error;
            }
            await load();
            status.replaceChildren(okBox(t('svSent', { code })));
            status.scrollIntoView({ block: 'nearest' });
          } catch (error) {
            out.replaceChildren(errorBox(error));
          } finally {
            sendButton.disabled = false;
          }
        },
      },
      h('fieldset', null, h('legend', null, t('svResult')),
        h('div', { class: 'check-field' }, found, h('label', { for: found.id }, t('svFound'))),
        h('div', { class: 'check-field' }, notFound, h('label', { for: notFound.id }, t('svNotFound')))),
      field(t('svNote'), note, t('svNoteHint')),
      field(t('svPhoto'), photo),
      sendButton,
      out,
    );
    return h(
      'li',
      { class: 'survey-item', 'data-code': code, id: `s-${code}` },
      h('article', { class: 'card report' },
        h('div', { class: 'card-head' }, h('p', { class: 'tracking-code' }, code), h('span', { class: 'badge pending-badge' }, t('svPendingItem'))),
        h('dl', null,
          h('dt', null, t('category')), h('dd', null, report.category.name),
          report.area && [h('dt', null, t('area')), h('dd', null, report.area.name)],
          h('dt', null, t('created')), h('dd', null, cityTime(report.createdAt))),
        h('p', { class: 'description' }, report.description),
        report.address && h('p', { class: 'hint address' }, report.address),
        operatorNote && h('p', { class: 'hint' }, `${t('svOperatorNote')}: ${operatorNote}`),
        mapsLinks(report),
        h('button', { type: 'button', class: 'secondary', onclick: () => { mapBox.open = true; map.centerOn(report.latitude, report.longitude, 17); mapBox.scrollIntoView({ behavior: 'smooth' }); } }, t('rsOpenOnMap')),
        labelledPhotos(report),
        historyView(report),
        form),
    );
  };

  const load = async () => {
    try {
      const data = await gql('ReportQueue', { kind: 'FIELD_SURVEY', first: 100 }, { token });
      reports = (data.reportQueue.edges as { node: Report }[]).map((e) => e.node).reverse(); // oldest first
      replace(list, reports.length ? h('ul', { class: 'queue survey-queue' }, reports.map(card)) : h('p', { class: 'empty' }, t('svEmpty')));
      map.setPoints(reports.map((r) => ({ lat: r.latitude, lon: r.longitude, label: `${r.trackingCode} · ${r.category.name}`, href: `#s-${r.trackingCode}` })));
      list.dataset.loaded = 'yes';
      await showPending();
    } catch (error) {
      if (error instanceof ApiError && error.offline && list.querySelector('.survey-item')) return; // keep what is shown
      replace(list, errorBox(error), signOutButton(() => void survey(main)));
    }
  };

  replace(
    main,
    h('div', { class: 'cc-head' }, h('h1', { class: 'page-title' }, t('svTitle')),
      h('div', { class: 'cc-tools' }, h('button', { type: 'button', class: 'secondary', 'aria-label': t('rsRefresh'), onclick: () => void retry() }, '↻'), signOutButton(() => void survey(main)))),
    pendingBox,
    status,
    mapBox,
    list,
  );
  const online = () => void retry();
  window.addEventListener('online', online);
  onLeave(() => window.removeEventListener('online', online));
  await flushPending(token); // what waited since the last time
  await load();
}
