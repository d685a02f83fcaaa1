import { createClient } from 'graphql-ws';
import { ApiError, gql } from './api';
import { h, replace } from './dom';
import { t } from './i18n';
import { CityMap, mapArea } from './map';
import { documentFor } from './ops';
import { config, state } from './state';
import { signOutButton, staffLogin } from './staff';
import { cityTime, errorBox, onLeave, statusBadge } from './ui';

interface ReportEvent {
  trackingCode: string;
  action: string;
  label: string;
  status: string;
  statusLabel: string;
  categoryCode: string;
  opdCode: string | null;
  opdName: string | null;
  latitude: number;
  longitude: number;
  at: string | null;
}

interface OpenReport {
  trackingCode: string;
  status: string;
  statusLabel: string;
  latitude: number;
  longitude: number;
  overdue: boolean;
}

interface DayCount {
  date: string;
  received: number;
  resolved: number;
}

interface RankRow {
  rank: number | null;
  opdName: string;
  received: number;
  score: number | null;
  redCard: boolean;
  redCardReasons: string[];
}

const CLOSED = new Set(['rejected', 'closed', 'merged']);
const FEED_MAX = 60;
/** The live feed outlives a render: a switch to the wall and back, a route change
 * and a socket reconnect all keep what was already seen. */
const feedMemory: ReportEvent[] = [];

function isoDate(date: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

function countList(id: string, rows: { label: string; count: number }[], limit = 0): HTMLElement {
  const shown = limit ? rows.slice(0, limit) : rows;
  const max = Math.max(1, ...shown.map((r) => r.count));
  return shown.length
    ? h(
        'ul',
        { class: 'bars', id },
        shown.map((r) =>
          h(
            'li',
            null,
            h('span', { class: 'bar-label', title: r.label }, r.label),
            h('span', { class: 'bar', style: `--w:${Math.round((r.count / max) * 100)}%`, 'aria-hidden': 'true' }),
            h('span', { class: 'bar-count' }, r.count),
          ),
        ),
      )
    : h('p', { class: 'hint', id }, t('ccNone'));
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag: string, attrs: Record<string, string | number>, ...children: Node[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/** Received per day (bars) and resolved per day (line), days in the city's dates. */
function trendChart(days: DayCount[]): HTMLElement {
  const w = 300;
  const hgt = 100;
  const max = Math.max(1, ...days.map((d) => Math.max(d.received, d.resolved)));
  const step = w / Math.max(1, days.length);
  const y = (n: number) => hgt - (n / max) * (hgt - 4);
  const bars = days.map((d, i) => {
    const title = svg('title', {});
    title.textContent = `${d.date}: ${t('ccReceived')} ${d.received}, ${t('ccResolved')} ${d.resolved}`;
    return svg('rect', { x: (i * step + 1).toFixed(1), y: y(d.received).toFixed(1), width: Math.max(1, step - 2).toFixed(1), height: (hgt - y(d.received)).toFixed(1), class: 'trend-bar' }, title);
  });
  const line = svg('polyline', { points: days.map((d, i) => `${(i * step + step / 2).toFixed(1)},${y(d.resolved).toFixed(1)}`).join(' '), class: 'trend-line', fill: 'none' });
  const total = days.reduce((sum, d) => sum + d.received, 0);
  const chart = svg('svg', { viewBox: `0 0 ${w} ${hgt}`, preserveAspectRatio: 'none', class: 'trend-svg', role: 'img', 'aria-label': t('ccTrendLabel', { n: total, days: days.length }) }, ...bars, line);
  return h(
    'div',
    { class: 'trend', id: 'trend' },
    chart as unknown as HTMLElement,
    h(
      'p',
      { class: 'trend-legend hint' },
      h('span', { class: 'key received', 'aria-hidden': 'true' }),
      ` ${t('ccReceived')} (${total}) `,
      h('span', { class: 'key resolved', 'aria-hidden': 'true' }),
      ` ${t('ccResolved')} (${days.reduce((sum, d) => sum + d.resolved, 0)})`,
      days.length ? h('span', { class: 'trend-range' }, ` · ${days[0].date} – ${days[days.length - 1].date}`) : null,
    ),
  );
}

function redCardBadge(reasons: string[]): HTMLElement {
  return h('span', { class: 'badge red-card-badge', title: reasons.join('; ') }, h('span', { class: 'card-chip', 'aria-hidden': 'true' }), t('redCard'));
}

function rankingList(rows: RankRow[], limit: number): HTMLElement {
  return h(
    'table',
    { class: 'cc-ranking', id: 'ranking-rows' },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('rank')), h('th', { scope: 'col' }, t('opd')), h('th', { scope: 'col' }, t('score')), h('th', { scope: 'col' }, t('redCard')))),
    h(
      'tbody',
      null,
      rows.slice(0, limit).map((row) =>
        h(
          'tr',
          { class: row.redCard ? 'red-card' : null },
          h('td', null, row.rank ?? '–'),
          h('th', { scope: 'row', title: row.opdName }, row.opdName),
          h('td', null, row.score === null ? '–' : row.score.toFixed(1)),
          h('td', null, row.redCard ? redCardBadge(row.redCardReasons) : '–'),
        ),
      ),
    ),
  );
}

function feedLine(event: ReportEvent, fresh: boolean): HTMLElement {
  const item = h(
    'li',
    { class: fresh ? 'event fresh' : 'event', 'data-code': event.trackingCode },
    h('span', { class: 'event-time' }, cityTime(event.at ?? new Date().toISOString())),
    ' ',
    h('strong', { class: 'code' }, event.trackingCode),
    ' ',
    statusBadge(event.status, event.statusLabel),
    h('span', { class: 'event-what' }, ` ${event.label || event.statusLabel}${event.opdName ? ` · ${event.opdName}` : ''}`),
  );
  if (fresh) setTimeout(() => item.classList.remove('fresh'), 4000);
  return item;
}

export function commandCenter(main: HTMLElement): void {
  if (!state.staffToken) {
    staffLogin(main, t('commandCenter'), () => commandCenter(main));
    return;
  }
  const c = config();
  let wall = new URLSearchParams(location.search).get('wall') === '1';
  onLeave(() => document.body.classList.remove('wall'));

  const liveStatus = h('p', { id: 'live-status', class: 'live connecting', role: 'status' }, t('connecting'));
  const feed = h('ol', { id: 'live-feed', class: 'live-feed', 'aria-live': 'polite', 'aria-relevant': 'additions' });
  feed.append(...feedMemory.map((event) => feedLine(event, false)));
  const statusBox = h('div', { id: 'by-status' });
  const overdueBox = h('div', { id: 'overdue' });
  const areaBox = h('div', { id: 'by-kecamatan' });
  const rankingBox = h('div', { id: 'current-ranking' });
  const trendBox = h('div', { id: 'trend-box' });
  const refreshed = h('p', { class: 'hint', id: 'refreshed' });
  const errors = h('div', { 'aria-live': 'assertive', class: 'cc-errors' });
  const map = new CityMap(mapArea(c), t('mapLabel', { city: c.cityName }));
  const points = new Map<string, OpenReport>();
  let last: { d: Dashboard; rank: RankRow[] | null; period: string } | null = null;

  const plot = () =>
    map.setPoints(
      [...points.values()].map((p) => ({
        lat: p.latitude,
        lon: p.longitude,
        label: `${p.trackingCode} · ${p.statusLabel}${p.overdue ? ` · ${t('ccOverdue')}` : ''}`,
        color: p.overdue ? '#c62828' : undefined,
      })),
    );

  // Short lists on the wall (no scrolling there), the full lists on the desk.
  const draw = () => {
    if (!last) return;
    const { d, rank, period } = last;
    const total = d.byStatus.reduce((sum, s) => sum + s.count, 0);
    const open = d.byStatus.filter((s) => !CLOSED.has(s.status)).reduce((sum, s) => sum + s.count, 0);
    const limit = wall ? 7 : 0;
    replace(
      statusBox,
      h('p', { class: 'total' }, `${t('ccOpen')}: `, h('strong', { id: 'open-count' }, open), ` · ${t('total')}: `, h('strong', { id: 'total-count' }, total)),
      countList('status-counts', d.byStatus.filter((s) => s.count > 0).map((s) => ({ label: s.label, count: s.count }))),
    );
    replace(overdueBox, countList('overdue-counts', d.overdueByOpd.map((o) => ({ label: o.opdName ?? '–', count: o.count })), limit));
    replace(areaBox, countList('area-counts', d.openByKecamatan.map((a) => ({ label: a.name, count: a.count })), limit));
    replace(trendBox, trendChart(d.trend));
    if (rank) {
      replace(rankingBox, h('p', { class: 'hint' }, period), rank.length ? rankingList(rank, wall ? 6 : 50) : h('p', { class: 'hint' }, t('noReports')));
    }
  };

  const refresh = async () => {
    try {
      const end = new Date();
      const start = new Date(end.getTime() - 6 * 86400000);
      const [dash, rank] = await Promise.all([
        gql('Dashboard', { days: 30 }, { token: state.staffToken }),
        gql('OpdRanking', { period: { start: isoDate(start, c.timeZone), end: isoDate(end, c.timeZone) } }, { token: state.staffToken }).catch(() => null),
      ]);
      const d = dash.dashboard as Dashboard;
      points.clear();
      for (const p of d.openReports) points.set(p.trackingCode, p);
      plot();
      const r = rank?.opdRanking;
      last = {
        d,
        rank: r ? (r.rows as RankRow[]).filter((row) => row.received > 0 || row.redCard) : last?.rank ?? null,
        period: r ? `${r.periodStart} – ${r.periodEnd}` : last?.period ?? '',
      };
      draw();
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
    if (CLOSED.has(event.status)) points.delete(event.trackingCode);
    else {
      const known = points.get(event.trackingCode);
      points.set(event.trackingCode, { trackingCode: event.trackingCode, status: event.status, statusLabel: event.statusLabel, latitude: event.latitude, longitude: event.longitude, overdue: known?.overdue ?? false });
    }
    plot();
    feedMemory.unshift(event);
    feedMemory.splice(FEED_MAX);
    feed.prepend(feedLine(event, true));
    while (feed.children.length > FEED_MAX) feed.lastElementChild?.remove();
    clearTimeout(debounce);
    debounce = window.setTimeout(refresh, 1500);
  };

  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const client = createClient({
    url: `${scheme}://${location.host}/graphql/`,
    connectionParams: { Authorization: `Bearer ${state.staffToken}`, lang: state.lang },
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
  let timer = 0;
  const clock = h('p', { class: 'cc-clock', id: 'cc-clock' });
  const tick = () => (clock.textContent = cityTime(new Date().toISOString()));
  tick();
  const clockTimer = window.setInterval(tick, 30000);
  onLeave(() => {
    clearInterval(timer);
    clearInterval(clockTimer);
    clearTimeout(debounce);
    unsubscribe();
    void client.dispose();
  });

  // The switch stays on this page: same socket, same feed, same map.
  const toggle = h('button', { type: 'button', class: 'button secondary', id: 'wall-toggle' });
  const apply = () => {
    document.body.classList.toggle('wall', wall);
    main.classList.toggle('cc-wall', wall);
    toggle.textContent = wall ? t('exitWall') : t('wallMode');
    toggle.setAttribute('aria-pressed', String(wall));
    clearInterval(timer);
    timer = window.setInterval(refresh, wall ? 30000 : 60000);
    draw();
    requestAnimationFrame(() => map.map.invalidateSize());
  };
  toggle.addEventListener('click', () => {
    wall = !wall;
    const url = new URL(location.href);
    if (wall) url.searchParams.set('wall', '1');
    else url.searchParams.delete('wall');
    history.replaceState(history.state, '', url);
    apply();
  });

  replace(
    main,
    h(
      'div',
      { class: 'cc-head' },
      h('h1', { class: 'page-title' }, `${t('commandCenter')} · ${c.cityName}`),
      clock,
      liveStatus,
      h('div', { class: 'cc-tools' }, toggle, h('span', { class: 'cc-desk-only' }, signOutButton(() => commandCenter(main)))),
    ),
    errors,
    h(
      'div',
      { class: 'cc-grid' },
      h('section', { class: 'card cc-map', 'aria-labelledby': 'h-map' }, h('h2', { id: 'h-map' }, t('ccMapTitle')), map.el),
      h('section', { class: 'card feed-card', 'aria-labelledby': 'h-feed' }, h('h2', { id: 'h-feed' }, t('liveFeed')), feed),
      h('section', { class: 'card cc-status', 'aria-labelledby': 'h-status' }, h('h2', { id: 'h-status' }, t('byStatus')), statusBox),
      h('section', { class: 'card cc-overdue', 'aria-labelledby': 'h-overdue' }, h('h2', { id: 'h-overdue' }, t('overdueByOpd')), overdueBox),
      h('section', { class: 'card cc-area', 'aria-labelledby': 'h-area' }, h('h2', { id: 'h-area' }, t('byKecamatan')), areaBox),
      h('section', { class: 'card cc-trend', 'aria-labelledby': 'h-trend' }, h('h2', { id: 'h-trend' }, t('ccTrendTitle')), trendBox),
      h('section', { class: 'card cc-rank', 'aria-labelledby': 'h-rank' }, h('h2', { id: 'h-rank' }, t('currentRanking')), rankingBox),
    ),
    refreshed,
  );
  apply();
  void refresh();
}

interface Dashboard {
  byStatus: { status: string; label: string; count: number }[];
  overdueByOpd: { opdCode: string | null; opdName: string | null; count: number }[];
  openByKecamatan: { code: string; name: string; count: number }[];
  trend: DayCount[];
  openReports: OpenReport[];
}
