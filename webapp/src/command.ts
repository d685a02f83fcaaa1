import { createClient } from 'graphql-ws';
import { ApiError, gql } from './api';
import { h, replace } from './dom';
import { t } from './i18n';
import { CityMap, mapArea } from './map';
import { documentFor } from './ops';
import { rankingTable } from './citizen';
import { config, state } from './state';
import { signOutButton, staffLogin } from './staff';
import { cityTime, errorBox, onLeave, statusBadge } from './ui';

interface ReportEvent {
  trackingCode: string;
  action: string;
  status: string;
  statusLabel: string;
  categoryCode: string;
  opdCode: string | null;
  opdName: string | null;
  latitude: number;
  longitude: number;
  at: string | null;
}

function isoDate(date: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

function countList(id: string, rows: { label: string; count: number }[]): HTMLElement {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return rows.length
    ? h(
        'ul',
        { class: 'bars', id },
        rows.map((r) =>
          h(
            'li',
            null,
            h('span', { class: 'bar-label' }, r.label),
            h('span', { class: 'bar', style: `--w:${Math.round((r.count / max) * 100)}%`, 'aria-hidden': 'true' }),
            h('span', { class: 'bar-count' }, r.count),
          ),
        ),
      )
    : h('p', { class: 'hint', id }, '0');
}

export function commandCenter(main: HTMLElement): void {
  if (!state.staffToken) {
    staffLogin(main, t('commandCenter'), () => commandCenter(main));
    return;
  }
  const c = config();
  const wall = new URLSearchParams(location.search).get('wall') === '1';
  document.body.classList.toggle('wall', wall);
  onLeave(() => document.body.classList.remove('wall'));

  const liveStatus = h('p', { id: 'live-status', class: 'live connecting', role: 'status' }, t('connecting'));
  const feed = h('ol', { id: 'live-feed', class: 'live-feed', 'aria-live': 'polite', 'aria-relevant': 'additions' });
  const statusBox = h('div', { id: 'by-status' });
  const overdueBox = h('div', { id: 'overdue' });
  const areaBox = h('div', { id: 'by-kecamatan' });
  const rankingBox = h('div', { id: 'current-ranking' });
  const refreshed = h('p', { class: 'hint', id: 'refreshed' });
  const errors = h('div', { 'aria-live': 'assertive' });
  const map = new CityMap(mapArea(c), t('mapLabel', { city: c.cityName }));
  const points = new Map<string, ReportEvent>();

  const refresh = async () => {
    try {
      const days = 30;
      const end = new Date();
      const start = new Date(end.getTime() - 6 * 86400000);
      const [dash, rank] = await Promise.all([
        gql('Dashboard', { days }, { token: state.staffToken }),
        gql('OpdRanking', { period: { start: isoDate(start, c.timeZone), end: isoDate(end, c.timeZone) } }, { token: state.staffToken }).catch(() => null),
      ]);
      const d = dash.dashboard as {
        byStatus: { status: string; label: string; count: number }[];
        overdueByOpd: { opdCode: string | null; opdName: string | null; count: number }[];
        openByKecamatan: { code: string; name: string; count: number }[];
      };
      const total = d.byStatus.reduce((sum, s) => sum + s.count, 0);
      replace(statusBox, h('p', { class: 'total' }, `${t('total')}: `, h('strong', { id: 'total-count' }, total)), countList('status-counts', d.byStatus.map((s) => ({ label: s.label, count: s.count }))));
      replace(overdueBox, countList('overdue-counts', d.overdueByOpd.map((o) => ({ label: o.opdName ?? '–', count: o.count }))));
      replace(areaBox, countList('area-counts', d.openByKecamatan.map((a) => ({ label: a.name, count: a.count }))));
      if (rank) {
        const r = rank.opdRanking;
        const rows = (r.rows as { received: number; redCard: boolean }[]).filter((row) => row.received > 0 || row.redCard);
        replace(
          rankingBox,
          rows.length
            ? rankingTable(t('currentRanking'), `${r.periodStart} – ${r.periodEnd}`, rows as never)
            : h('p', { class: 'hint' }, `${r.periodStart} – ${r.periodEnd}: ${t('noReports')}`),
        );
      }
      refreshed.textContent = `${t('refreshed')}: ${cityTime(new Date().toISOString())}`;
      errors.replaceChildren();
    } catch (error) {
      if (error instanceof ApiError && !error.offline) {
        replace(errors, errorBox(error), signOutButton(() => commandCenter(main)));
      } else errors.replaceChildren(errorBox(error));
    }
  };

  let debounce = 0;
  const onEvent = (event: ReportEvent) => {
    points.set(event.trackingCode, event);
    map.setPoints([...points.values()].map((p) => ({ lat: p.latitude, lon: p.longitude, label: `${p.trackingCode} · ${p.statusLabel}` })));
    const item = h(
      'li',
      { class: 'event fresh', 'data-code': event.trackingCode },
      h('strong', { class: 'code' }, event.trackingCode),
      ' ',
      statusBadge(event.status, event.statusLabel),
      h('span', { class: 'hint' }, ` ${event.action}${event.opdName ? ` → ${event.opdName}` : ''} · ${cityTime(event.at ?? new Date().toISOString())}`),
    );
    feed.prepend(item);
    setTimeout(() => item.classList.remove('fresh'), 4000);
    while (feed.children.length > 60) feed.lastElementChild?.remove();
    clearTimeout(debounce);
    debounce = window.setTimeout(refresh, 1500);
  };

  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const client = createClient({
    url: `${scheme}://${location.host}/graphql/`,
    connectionParams: { Authorization: `Bearer ${state.staffToken}` },
    retryAttempts: Infinity,
    shouldRetry: () => true,
    lazy: false,
    on: {
      connected: () => {
        console.info('[kanal] live feed connected');
        void refresh();
        liveStatus.textContent = t('connected');
        liveStatus.className = 'live connected';
      },
      closed: (event) => {
        console.info('[kanal] live feed closed', (event as CloseEvent)?.code);
        liveStatus.textContent = t('disconnected');
        liveStatus.className = 'live disconnected';
      },
    },
  });
  const unsubscribe = client.subscribe<{ reportEvents: ReportEvent }>(
    { query: documentFor('ReportEvents') },
    {
      next: (message) => {
        if (message.data?.reportEvents) onEvent(message.data.reportEvents);
        else if (message.errors?.length) errors.replaceChildren(errorBox(new ApiError(message.errors.map((e) => e.message))));
      },
      error: (error) => {
        const messages = Array.isArray(error) ? error.map((e: { message: string }) => e.message) : [String((error as Error)?.message ?? error)];
        errors.replaceChildren(errorBox(new ApiError(messages)));
      },
      complete: () => {},
    },
  );
  const timer = window.setInterval(refresh, wall ? 30000 : 60000);
  onLeave(() => {
    clearInterval(timer);
    clearTimeout(debounce);
    unsubscribe();
    void client.dispose();
  });

  replace(
    main,
    h(
      'div',
      { class: 'cc-head' },
      h('h1', { class: 'page-title' }, t('commandCenter')),
      liveStatus,
      h(
        'div',
        { class: 'cc-tools' },
        h('a', { href: wall ? '/command/' : '/command/?wall=1', 'data-link': '', class: 'button secondary', id: 'wall-toggle' }, wall ? t('exitWall') : t('wallMode')),
        !wall && signOutButton(() => commandCenter(main)),
      ),
    ),
    errors,
    h(
      'div',
      { class: 'cc-grid' },
      h('section', { class: 'card feed-card', 'aria-labelledby': 'h-feed' }, h('h2', { id: 'h-feed' }, t('liveFeed')), feed),
      h('section', { class: 'card', 'aria-labelledby': 'h-map' }, h('h2', { id: 'h-map' }, t('live')), map.el),
      h('section', { class: 'card', 'aria-labelledby': 'h-status' }, h('h2', { id: 'h-status' }, t('byStatus')), statusBox),
      h('section', { class: 'card', 'aria-labelledby': 'h-overdue' }, h('h2', { id: 'h-overdue' }, t('overdueByOpd')), overdueBox),
      h('section', { class: 'card', 'aria-labelledby': 'h-area' }, h('h2', { id: 'h-area' }, t('byKecamatan')), areaBox),
      h('section', { class: 'card wide', 'aria-labelledby': 'h-rank' }, h('h2', { id: 'h-rank' }, t('currentRanking')), rankingBox),
    ),
    refreshed,
  );
  void refresh();
}
