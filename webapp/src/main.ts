import './style.css';
import { gql } from './api';
import { h, replace } from './dom';
import { t } from './i18n';
import { type AppConfig, state } from './state';
import * as citizen from './citizen';
import { commandCenter } from './command';
import { responder } from './respond';
import { inboxScreen } from './inbox';
import { survey } from './survey';
import { workbench } from './work';
import { errorBox, leave, setRenderer } from './ui';

type View = (main: HTMLElement, match: RegExpMatchArray) => void | Promise<void>;
type Area = 'citizen' | 'command' | 'respond' | 'work' | 'survey';

const routes: [RegExp, Area, View][] = [
  [/^\/$/, 'citizen', citizen.home],
  [/^\/lapor\/?$/, 'citizen', citizen.home],
  [/^\/lapor\/baru\/?$/, 'citizen', citizen.newReport],
  [/^\/lapor\/masuk\/?$/, 'citizen', citizen.signIn],
  [/^\/lapor\/lacak\/?$/, 'citizen', citizen.trackForm],
  [/^\/lapor\/lacak\/([A-Za-z0-9-]+)\/?$/, 'citizen', citizen.track],
  [/^\/lapor\/saya\/?$/, 'citizen', citizen.myReports],
  [/^\/lapor\/publik\/?$/, 'citizen', citizen.feed],
  [/^\/lapor\/peringkat\/?$/, 'citizen', citizen.ranking],
  [/^\/command(\/.*)?$/, 'command', commandCenter],
  [/^\/respond(\/.*)?$/, 'respond', responder],
  [/^\/survei(\/.*)?$/, 'survey', survey],
  [/^\/kerja\/pesan(?:\/([0-9a-f-]{36}))?\/?$/, 'work', inboxScreen],
  [/^\/kerja(\/[A-Za-z0-9-]*)?\/?$/, 'work', workbench],
];

const root = document.getElementById('app')!;

function applyTheme(config: AppConfig): void {
  const style = document.documentElement.style;
  const colors = config.branding.colors;
  style.setProperty('--primary', colors.primary);
  style.setProperty('--secondary', colors.secondary);
  style.setProperty('--on-primary', colors.textOnPrimary);
  if (colors.accent) style.setProperty('--accent', colors.accent);
  document.documentElement.lang = state.lang;
  document.querySelector('meta[name="theme-color"]')?.setAttribute('content', colors.primary);
}

async function loadConfig(): Promise<void> {
  try {
    const data = await gql<{ appConfig: AppConfig }>('AppConfig', { lang: state.lang });
    state.config = data.appConfig;
    try {
      localStorage.setItem('kanal.config', JSON.stringify(data.appConfig));
    } catch {
      /* ignore */
    }
  } catch (error) {
    const cached = localStorage.getItem('kanal.config');
    if (!cached) throw error;
    state.config = JSON.parse(cached) as AppConfig;
  }
  if (!state.langChosen && state.config.defaultLocale && state.lang !== state.config.defaultLocale) {
    state.lang = state.config.defaultLocale;
  }
  applyTheme(state.config);
}

function header(area: Area): HTMLElement {
  const config = state.config!;
  const appName =
    area === 'respond' ? config.branding.responderAppName || `${config.appName} · ${t('responder')}`
    : area === 'command' ? `${config.appName} · ${t('commandCenter')}`
    : area === 'survey' ? `${config.appName} · ${t('svRole')}`
    : area === 'work' ? `${config.appName} · ${t('workbench')}`
    : config.appName;
  const lang = h(
    'select',
    {
      id: 'lang',
      'aria-label': t('language'),
      onchange: async (event: Event) => {
        state.setLang((event.target as HTMLSelectElement).value);
        state.langChosen = true;
        await loadConfig();
        await render();
      },
    },
    config.locales.map((code) =>
      h('option', { value: code, selected: code === state.lang }, code === 'en' ? 'English' : code === 'id' ? 'Indonesia' : code),
    ),
  );
  const nav =
    area === 'citizen'
      ? h(
          'nav',
          { 'aria-label': appName },
          h('a', { href: '/', 'data-link': '' }, t('home')),
          h('a', { href: '/lapor/baru', 'data-link': '' }, t('newReport')),
          h('a', { href: '/lapor/lacak', 'data-link': '' }, t('track')),
          h('a', { href: '/lapor/saya', 'data-link': '' }, t('myReports')),
          config.features.publicFeed && h('a', { href: '/lapor/publik', 'data-link': '' }, t('feed')),
          config.features.publishedRankings && h('a', { href: '/lapor/peringkat', 'data-link': '' }, t('ranking')),
        )
      : null;
  return h(
    'header',
    { class: 'top' },
    h(
      'div',
      { class: 'brand' },
      h('img', { src: config.branding.logoUrl, alt: '', width: 40, height: 40 }),
      h('div', null, h('p', { class: 'app-name', id: 'app-name' }, appName), h('p', { class: 'official' }, config.officialName)),
      h('div', { class: 'lang' }, lang),
    ),
    nav,
  );
}

async function render(): Promise<void> {
  leave();
  const path = location.pathname;
  const found = routes.map(([re, area, view]) => [path.match(re), area, view] as const).find(([m]) => m);
  const [match, area, view] = found ?? [null, 'citizen' as Area, citizen.home];
  const main = h('main', { id: 'main', tabindex: -1, class: `area-${area}` });
  const skip = h('a', { href: '#main', class: 'skip' }, 'Lewati ke isi / Skip to content');
  replace(root, skip, header(area), main, h('div', { id: 'toast', role: 'status', 'aria-live': 'polite' }));
  document.body.dataset.area = area;
  const config = state.config!;
  document.title = `${config.appName} · ${config.cityName}`;
  try {
    await view(main, match ?? ([] as unknown as RegExpMatchArray));
  } catch (error) {
    main.append(errorBox(error));
  }
}

document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  const link = (event.target as Element).closest('a[data-link]');
  if (!link) return;
  const href = link.getAttribute('href');
  if (!href || !href.startsWith('/')) return;
  event.preventDefault();
  history.pushState(null, '', href);
  void render();
});
window.addEventListener('popstate', () => void render());
window.addEventListener('online', () => document.body.classList.remove('is-offline'));
window.addEventListener('offline', () => document.body.classList.add('is-offline'));

async function start(): Promise<void> {
  setRenderer(render);
  try {
    await loadConfig();
  } catch (error) {
    replace(root, h('main', { id: 'main' }, errorBox(error)));
    return;
  }
  await render();
  if ('serviceWorker' in navigator && window.isSecureContext) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
  }
}

void start();
