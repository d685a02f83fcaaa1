import { ApiError, check, gql, type GqlError } from './api';
import { field, h, replace } from './dom';
import { t } from './i18n';
import { ReportLocation } from './areapicker';
import { CityMap, mapArea } from './map';
import { howInformed, outcomeView } from './outcome';
import { prepare, send, draftBanner } from './sending';
import { config, state } from './state';
import { action, cityTime, errorBox, navigate, okBox, statusBadge, verdictView } from './ui';

interface Category {
  code: string;
  name: string;
  description: string;
  photoRequired: boolean | null;
  emergency: boolean;
}
interface Group {
  code: string;
  name: string;
  categories: Category[];
}
export interface Report {
  id: string;
  trackingCode: string;
  status: string;
  statusLabel: string;
  description: string;
  latitude: number;
  longitude: number;
  address: string;
  createdAt: string;
  responseDueAt: string | null;
  resolutionDueAt: string | null;
  resolvedAt: string | null;
  slaState: string;
  rating: number | null;
  isMine: boolean;
  category: { code: string; name: string };
  opd: { code: string; name: string; kind: string } | null;
  area: { code: string; name: string; level: string } | null;
  photos: { kind: string; position: number; url: string; width: number; height: number }[];
  timeline: { createdAt: string; action: string; label: string; fromStatus: string; toStatus: string; note: string; public: boolean; actor: string }[];
  outcome: { state: string; headline: string; reasons: string[]; canRetryPhoto: boolean } | null;
  mergedIntoCode?: string | null;
  verification: { verdict: string; checks: { name: string; result: string; reason: string }[] } | null;
  possibleDuplicates?: string[];
  reporterPhone?: string | null;
}

function uuid(): string {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function title(text: string): HTMLElement {
  return h('h1', { class: 'page-title' }, text);
}

function focusMain(main: HTMLElement): void {
  main.querySelector<HTMLElement>('h1')?.setAttribute('tabindex', '-1');
}

export function home(main: HTMLElement): void {
  const c = config();
  const code = h('input', { name: 'code', autocomplete: 'off', autocapitalize: 'characters', placeholder: 'ABCD-2345', required: true });
  replace(
    main,
    h(
      'section',
      { class: 'hero' },
      h('h1', { class: 'page-title' }, c.appName),
      c.branding.tagline && h('p', { class: 'tagline' }, c.branding.tagline),
      h('p', null, c.officialName, ' · ', c.cityName),
      h('a', { href: '/lapor/baru', 'data-link': '', class: 'button big', id: 'start-report' }, t('newReport')),
    ),
    h(
      'form',
      {
        class: 'card inline-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          navigate(`/lapor/lacak/${encodeURIComponent(code.value.trim().toUpperCase())}`);
        },
      },
      h('h2', null, t('track')),
      field(t('trackCode'), code),
      h('button', { type: 'submit' }, t('trackButton')),
    ),
    supportCard(),
  );
  focusMain(main);
}

const CONTACT_LABELS = {
  phone: 'contactPhone',
  whatsapp: 'contactWhatsapp',
  email: 'contactEmail',
  website: 'contactWebsite',
  address: 'contactAddress',
} as const;

function contactLink(kind: keyof typeof CONTACT_LABELS, value: string): HTMLElement | string {
  const digits = value.replace(/[^0-9+]/g, '');
  if (kind === 'phone') return h('a', { href: `tel:${digits}` }, value);
  if (kind === 'whatsapp') return h('a', { href: `https://wa.me/${digits.replace(/^\+/, '')}`, rel: 'noopener' }, value);
  if (kind === 'email') return h('a', { href: `mailto:${value}` }, value);
  if (kind === 'website') return h('a', { href: value, rel: 'noopener' }, value);
  return value;
}

function supportCard(): HTMLElement | null {
  const support = config().branding.support;
  const rows = (Object.keys(CONTACT_LABELS) as (keyof typeof CONTACT_LABELS)[]).filter((k) => support[k]);
  if (!rows.length) return null;
  return h(
    'section',
    { class: 'card support' },
    h('h2', null, t('contacts')),
    h('dl', null, rows.map((k) => [h('dt', null, t(CONTACT_LABELS[k])), h('dd', null, contactLink(k, support[k]!))])),
  );
}

/** Emergency numbers as big call buttons: shown first on emergency categories. */
function emergencyCard(): HTMLElement {
  const numbers = config().branding.support.emergency;
  return h(
    'div',
    { class: 'alert emergency', id: 'emergency-numbers', role: 'note' },
    h('p', null, h('strong', null, t('emergencyFirst'))),
    h(
      'ul',
      { class: 'call-list' },
      numbers.map((n) => h('li', null, h('a', { class: 'button call', href: `tel:${n.number.replace(/[^0-9+]/g, '')}` }, `${t('call')} ${n.number}`), ` ${n.name}`)),
    ),
  );
}

export function trackForm(main: HTMLElement): void {
  const code = h('input', { name: 'code', autocomplete: 'off', placeholder: 'ABCD-2345', required: true });
  replace(
    main,
    title(t('track')),
    h(
      'form',
      {
        class: 'card',
        onsubmit: (event: Event) => {
          event.preventDefault();
          navigate(`/lapor/lacak/${encodeURIComponent(code.value.trim().toUpperCase())}`);
        },
      },
      field(t('trackCode'), code),
      h('button', { type: 'submit' }, t('trackButton')),
    ),
  );
}

export function signIn(main: HTMLElement): void {
  const next = new URLSearchParams(location.search).get('next') || '/lapor/baru';
  const out = h('div', { 'aria-live': 'polite' });
  const phone = h('input', { type: 'tel', name: 'phone', autocomplete: 'tel', inputmode: 'tel', required: true, value: state.citizenPhone ?? '' });
  const code = h('input', { name: 'otp', autocomplete: 'one-time-code', inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: 6, required: true });
  const codeForm = h(
    'form',
    {
      class: 'card',
      hidden: true,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        out.replaceChildren();
        try {
          const data = await gql('VerifyOtp', { phone: phone.value, code: code.value.trim() });
          const payload = check(data.verifyOtp as { token: string; errors: GqlError[] });
          state.setCitizen(payload.token, phone.value);
          navigate(next, true);
        } catch (error) {
          out.replaceChildren(errorBox(error));
        }
      },
    },
    h('p', null, t('codeSent')),
    field(t('code'), code),
    h('button', { type: 'submit', id: 'verify-code' }, t('verify')),
  );
  const phoneForm = h(
    'form',
    {
      class: 'card',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        out.replaceChildren();
        try {
          const data = await gql('RequestOtp', { phone: phone.value });
          check(data.requestOtp as { sent: boolean; errors: GqlError[] });
          codeForm.hidden = false;
          code.focus();
        } catch (error) {
          out.replaceChildren(errorBox(error));
        }
      },
    },
    field(t('phone'), phone, t('phoneHint')),
    h('button', { type: 'submit', id: 'send-code' }, t('sendCode')),
  );
  replace(
    main,
    title(t('signIn')),
    h('p', null, t('signInFirst')),
    phoneForm,
    codeForm,
    out,
    config().features.anonymousReports &&
      h('p', null, h('a', { href: '/lapor/baru?anonim=1', 'data-link': '' }, t('orAnonymous'))),
  );
}

export async function newReport(main: HTMLElement): Promise<void> {
  const c = config();
  const anonymousAllowed = c.features.anonymousReports && c.verification.anonymousReports;
  const wantsAnonymous = new URLSearchParams(location.search).get('anonim') === '1';
  if (!state.citizenToken && !(anonymousAllowed && wantsAnonymous)) {
    replace(
      main,
      title(t('newReport')),
      h('p', null, t('signInFirst')),
      h('a', { href: '/lapor/masuk?next=/lapor/baru', 'data-link': '', class: 'button', id: 'go-sign-in' }, t('signIn')),
      anonymousAllowed && h('p', null, h('a', { href: '/lapor/baru?anonim=1', 'data-link': '' }, t('orAnonymous'))),
    );
    return;
  }
  replace(main, title(t('newReport')), h('p', null, t('loading')));
  const groups = (await gql<{ categories: Group[] }>('Categories', { lang: state.lang })).categories;
  const idempotencyKey = uuid();

  const category = h(
    'select',
    { name: 'category', required: true },
    h('option', { value: '' }, t('chooseCategory')),
    groups.map((g) => h('optgroup', { label: g.name }, g.categories.map((cat) => h('option', { value: cat.code }, cat.name)))),
  );
  const description = h('textarea', { name: 'description', rows: 4, required: true, minlength: 10, maxlength: 2000 });
  const address = h('input', { name: 'address', autocomplete: 'street-address' });
  const photos = h('input', { type: 'file', name: 'photos', accept: 'image/*', capture: 'environment', multiple: true });
  const previews = h('div', { class: 'previews' });
  const nearby = h('div', { 'aria-live': 'polite', id: 'nearby' });
  const out = h('div', { 'aria-live': 'assertive', id: 'submit-result' });
  const anonymous = h('input', { type: 'checkbox', name: 'anonymous', checked: !state.citizenToken });
  // The location (map, pin, device location, area picker): webapp/src/areapicker.ts.
  const where = new ReportLocation(c, [field(t('address'), address), nearby], () => scheduleNearby());
  const map = where.map;

  let nearbyTimer = 0;
  const scheduleNearby = () => {
    clearTimeout(nearbyTimer);
    nearbyTimer = window.setTimeout(checkNearby, 400);
  };
  const checkNearby = async () => {
    if (!map.pin) return;
    try {
      const data = await gql<{ nearbyReports: { trackingCode: string; status: string; description: string; category: { name: string } }[] }>(
        'NearbyReports',
        { latitude: map.pin.lat, longitude: map.pin.lon, radiusMeters: 100, categoryCode: category.value || null },
        { token: state.citizenToken },
      );
      const found = data.nearbyReports;
      replace(
        nearby,
        found.length
          ? h(
              'div',
              { class: 'alert warn', id: 'duplicate-warning' },
              h('p', null, t('duplicateWarning')),
              h('ul', null, found.slice(0, 5).map((r) => h('li', null, h('a', { href: `/lapor/lacak/${r.trackingCode}`, 'data-link': '' }, r.trackingCode), ` · ${r.category.name} · ${r.description.slice(0, 80)}`))),
              h('p', null, t('sendAnyway')),
            )
          : h('p', { class: 'hint' }, t('nearbyNone')),
      );
    } catch {
      nearby.replaceChildren();
    }
  };
  category.addEventListener('change', scheduleNearby);

  // What the chosen category says: its description (e.g. Pungli: identity kept
  // secret), whether a photo is needed, and for emergencies the numbers to call.
  const byCode = new Map(groups.flatMap((g) => g.categories).map((cat) => [cat.code, cat]));
  const photoRequiredFor = (code: string) => byCode.get(code)?.photoRequired ?? c.verification.photoRequired;
  const categoryNotes = h('div', { id: 'category-notes', 'aria-live': 'polite' });
  const photoRule = h('p', { class: 'hint', id: 'photo-rule' });
  const showCategoryNotes = () => {
    const chosen = byCode.get(category.value);
    replace(
      categoryNotes,
      chosen?.emergency ? emergencyCard() : null,
      chosen?.description ? h('p', { class: 'hint category-description' }, chosen.description) : null,
    );
    photoRule.textContent = chosen ? (photoRequiredFor(chosen.code) ? t('photoRequired') : t('photoOptional')) : '';
    photos.required = Boolean(chosen && photoRequiredFor(chosen.code));
  };
  category.addEventListener('change', showCategoryNotes);

  photos.addEventListener('change', () => {
    previews.replaceChildren(
      ...Array.from(photos.files ?? []).map((file) => h('img', { src: URL.createObjectURL(file), alt: file.name, class: 'preview' })),
    );
  });

  const channel = c.channels.includes('web') ? 'web' : 'app';
  const progress = h('p', { class: 'hint', id: 'upload-progress', 'aria-live': 'polite' });
  /** The first field a hurried person got wrong, to put the keyboard focus on. */
  const firstInvalid = (files: File[]): HTMLElement | null => {
    if (!category.value) return category;
    if (description.value.trim().length < 10) return description;
    if (photoRequiredFor(category.value) && !files.length) return photos;
    return null;
  };
  const submit = h('button', { type: 'submit', class: 'big', id: 'send-report' }, t('send'));
  const form = h(
    'form',
    {
      class: 'card report-form',
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        out.replaceChildren();
        const problems: string[] = [];
        if (!category.value) problems.push(`${t('category')}: ${t('chooseCategory')}`);
        if (description.value.trim().length < 10) problems.push(t('descriptionHint'));
        const files = Array.from(photos.files ?? []);
        if (photoRequiredFor(category.value) && !files.length) problems.push(t('photoRequired'));
        if (!map.pin) problems.push(t('locationFailed'));
        problems.push(...where.problems());
        if (problems.length) {
          out.replaceChildren(errorBox(new ApiError(problems)));
          firstInvalid(files)?.focus();
          return;
        }
        submit.disabled = true;
        submit.textContent = t('sending');
        try {
          const prepared = await prepare(files, progress);
          await send(
            main,
            {
              categoryCode: category.value,
              description: description.value.trim(),
              latitude: map.pin!.lat,
              longitude: map.pin!.lon,
              accuracyMeters: where.accuracy,
              areaCode: where.areaCode,
              address: address.value.trim(),
              channel,
              anonymous: anonymous.checked || !state.citizenToken,
              idempotencyKey,
            },
            prepared,
            progress,
          );
        } catch (error) {
          out.replaceChildren(errorBox(error));
          out.querySelector<HTMLElement>('[role=alert]')?.setAttribute('tabindex', '-1');
          out.querySelector<HTMLElement>('[role=alert]')?.focus();
          submit.disabled = false;
          submit.textContent = t('send');
        }
      },
    },
    field(t('category'), category),
    categoryNotes,
    field(t('description'), description, t('descriptionHint')),
    where.el,
    field(t('photos'), photos, t('photoHint')),
    photoRule,
    previews,
    anonymousAllowed && state.citizenToken && h('div', { class: 'check-field' }, anonymous, h('label', { for: (anonymous.id = 'anonymous') }, t('anonymous'))),
    submit,
    progress,
    out,
  );
  // "Send again with a new photo" from a report rejected for its photo: its
  // entries are copied here; only the photo is new.
  const retryOf = new URLSearchParams(location.search).get('ulang');
  const retried = retryOf ? await retrySource(retryOf) : null;
  if (retried) {
    category.value = retried.category.code;
    description.value = retried.description;
    address.value = retried.address;
    map.setPin(retried.latitude, retried.longitude, true);
    showCategoryNotes();
  }
  replace(
    main,
    title(t('newReport')),
    !navigator.onLine && errorBox(new ApiError([t('offline')], true)),
    retried && h('div', { class: 'alert warn', id: 'retry-intro' }, t('retryIntro', { code: retried.trackingCode })),
    await draftBanner(main, channel),
    form,
  );
  if (!retried) where.locate();
}

async function retrySource(code: string): Promise<Report | null> {
  try {
    const data = await gql<{ report: Report | null }>('TrackReport', { trackingCode: code }, { token: state.citizenToken });
    return data.report?.isMine && data.report.outcome?.canRetryPhoto ? data.report : null;
  } catch {
    return null;
  }
}

export function reportDetail(report: Report): HTMLElement {
  const proofs = report.photos.filter((p) => p.kind === 'proof');
  return h(
    'article',
    { class: 'card report' },
    h('p', { class: 'tracking-code' }, report.trackingCode),
    h('p', { id: 'report-status' }, `${t('status')}: `, statusBadge(report.status, report.statusLabel)),
    h(
      'dl',
      null,
      h('dt', null, t('category')),
      h('dd', null, report.category.name),
      report.opd && [h('dt', null, t('opd')), h('dd', null, report.opd.name)],
      report.area && [h('dt', null, t('area')), h('dd', null, report.area.name)],
      h('dt', null, t('created')),
      h('dd', null, cityTime(report.createdAt)),
      report.resolutionDueAt && [h('dt', null, t('due')), h('dd', null, cityTime(report.resolutionDueAt))],
      report.rating !== null && [
        h('dt', null, t('rating')),
        h('dd', { id: 'rating-given' }, t('yourRating', { stars: '★'.repeat(report.rating) + '☆'.repeat(5 - report.rating), n: report.rating })),
      ],
    ),
    h('p', { class: 'description' }, report.description),
    report.address && h('p', { class: 'hint' }, report.address),
    photoGallery(report.photos.filter((p) => p.kind === 'report'), 'photoLabel'),
    proofs.length ? h('h3', null, t('proofPhotos')) : null,
    photoGallery(proofs, 'proofLabel'),
  );
}

function photoGallery(photos: Report['photos'], label: 'photoLabel' | 'proofLabel'): HTMLElement | null {
  if (!photos.length) return null;
  return h(
    'div',
    { class: `photos photos-${label === 'proofLabel' ? 'proof' : 'report'}` },
    photos.map((p) =>
      h(
        'figure',
        null,
        h('img', { src: p.url, alt: t(label, { n: p.position + 1 }), loading: 'lazy', width: p.width, height: p.height }),
        h('figcaption', null, t(label, { n: p.position + 1 })),
      ),
    ),
  );
}

function timelineView(report: Report): HTMLElement {
  return h(
    'section',
    { class: 'card' },
    h('h2', null, t('timeline')),
    h(
      'ol',
      { class: 'timeline' },
      report.timeline.map((e) => h('li', null, h('time', null, cityTime(e.createdAt)), ' · ', h('strong', null, e.label), e.note && ` — ${e.note}`)),
    ),
  );
}

export async function track(main: HTMLElement, match: RegExpMatchArray): Promise<void> {
  const code = decodeURIComponent(match[1]);
  replace(main, title(`${t('track')}: ${code}`), h('p', null, t('loading')));
  const data = await gql<{ report: Report | null }>('TrackReport', { trackingCode: code }, { token: state.citizenToken });
  const report = data.report;
  if (!report) {
    replace(main, title(t('track')), h('div', { class: 'alert error', role: 'alert' }, t('notFound')));
    return;
  }
  const out = h('div', { 'aria-live': 'polite' });
  const reload = async () => track(main, match);
  const doMutation = async (name: string, variables: Record<string, unknown>) => {
    const result = await gql(name, { trackingCode: report.trackingCode, ...variables }, { token: state.citizenToken });
    check(Object.values(result)[0] as { errors: GqlError[] });
    await reload();
  };
  const actions: HTMLElement[] = [];
  if (report.isMine && report.status === 'resolved') {
    actions.push(action(t('confirm'), () => doMutation('ConfirmResolution', { note: '' }), out, { id: 'confirm' }));
    const reason = h('textarea', { rows: 2, name: 'reason' });
    actions.push(
      h('div', { class: 'subform' }, field(t('reason'), reason), action(t('reopen'), () => doMutation('ReopenReport', { reason: reason.value }), out, { class: 'secondary' })),
    );
  }
  if (report.isMine && ['resolved', 'closed'].includes(report.status) && config().features.citizenRating && report.rating === null) {
    const rating = h('select', { name: 'rating' }, [5, 4, 3, 2, 1].map((n) => h('option', { value: n }, '★'.repeat(n) + ` ${n}`)));
    const comment = h('input', { name: 'comment' });
    actions.push(
      h('div', { class: 'subform' }, field(t('rating'), rating), field(t('comment'), comment), action(t('rate'), () => doMutation('RateReport', { rating: Number(rating.value), comment: comment.value }), out)),
    );
  }
  if (report.isMine && report.status === 'needs_info') {
    const answer = h('textarea', { rows: 3, name: 'answer' });
    actions.push(h('div', { class: 'subform' }, field(t('answer'), answer), action(t('provideInfo'), () => doMutation('ProvideInformation', { answer: answer.value }), out)));
  }
  replace(
    main,
    title(`${t('track')}: ${report.trackingCode}`),
    reportDetail(report),
    report.isMine && outcomeView(report),
    report.isMine && verdictView(report.verification),
    report.isMine && howInformed(),
    actions.length ? h('section', { class: 'card actions' }, actions, out) : null,
    timelineView(report),
  );
}

export async function myReports(main: HTMLElement): Promise<void> {
  if (!state.citizenToken) {
    replace(main, title(t('myReports')), h('p', null, t('signInFirst')), h('a', { href: '/lapor/masuk?next=/lapor/saya', 'data-link': '', class: 'button' }, t('signIn')));
    return;
  }
  const data = await gql('MyReports', { first: 50 }, { token: state.citizenToken });
  const edges = data.myReports.edges as { node: Report }[];
  replace(
    main,
    title(t('myReports')),
    state.citizenPhone && h('p', { class: 'hint' }, state.citizenPhone),
    edges.length
      ? h(
          'ul',
          { class: 'report-list' },
          edges.map(({ node }) =>
            h('li', null, h('a', { href: `/lapor/lacak/${node.trackingCode}`, 'data-link': '' }, node.trackingCode), ' ', statusBadge(node.status, node.statusLabel), ` ${node.category.name} · ${cityTime(node.createdAt)}`),
          ),
        )
      : h('p', null, t('noReports')),
    h('button', { type: 'button', class: 'secondary', onclick: () => { state.setCitizen(null); navigate('/'); } }, t('signOut')),
  );
}

export async function feed(main: HTMLElement): Promise<void> {
  const c = config();
  const data = await gql('PublicFeed', { first: 50 });
  const nodes = (data.reports.edges as { node: Report }[]).map((e) => e.node);
  const map = new CityMap(mapArea(c), t('mapLabel', { city: c.cityName }));
  map.setPoints(nodes.map((r) => ({ lat: r.latitude, lon: r.longitude, label: `${r.trackingCode} · ${r.category.name} · ${r.statusLabel}`, href: `/lapor/lacak/${r.trackingCode}` })));
  replace(
    main,
    title(t('feed')),
    map.el,
    nodes.length
      ? h(
          'ul',
          { class: 'cards' },
          nodes.map((r) =>
            h(
              'li',
              { class: 'card' },
              h('p', null, h('a', { href: `/lapor/lacak/${r.trackingCode}`, 'data-link': '' }, r.trackingCode), ' ', statusBadge(r.status, r.statusLabel)),
              h('p', null, h('strong', null, r.category.name), r.opd && ` → ${r.opd.name}`),
              h('p', null, r.description),
              r.photos[0] && h('img', { src: r.photos[0].url, alt: r.category.name, loading: 'lazy', class: 'thumb' }),
              h('p', { class: 'hint' }, cityTime(r.createdAt)),
            ),
          ),
        )
      : h('p', null, t('noReports')),
  );
}

export async function ranking(main: HTMLElement): Promise<void> {
  const data = await gql('PublishedRankings');
  const rankings = data.publishedRankings as {
    version: number;
    title: string | null;
    periodStart: string;
    periodEnd: string;
    rows: { rank: number | null; opdName: string; score: number | null; redCard: boolean; redCardReasons: string[] }[];
  }[];
  if (!rankings.length) {
    replace(main, title(t('ranking')), h('p', null, t('noRanking')));
    return;
  }
  replace(main, title(t('ranking')), rankings.slice(0, 3).map((r) => rankingTable(r.title || `v${r.version}`, `${r.periodStart} – ${r.periodEnd}`, r.rows)));
}

export function rankingTable(
  caption: string,
  period: string,
  rows: { rank: number | null; opdName: string; score: number | null; redCard: boolean; redCardReasons: string[] }[],
): HTMLElement {
  return h(
    'section',
    { class: 'card ranking' },
    h(
      'table',
      null,
      h('caption', null, caption, h('br'), h('small', null, `${t('publishedAt')}: ${period}`)),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('rank')), h('th', { scope: 'col' }, t('opd')), h('th', { scope: 'col' }, t('score')), h('th', { scope: 'col' }, t('redCard')))),
      h(
        'tbody',
        null,
        rows.map((row) =>
          h(
            'tr',
            { class: row.redCard ? 'red-card' : null },
            h('td', null, row.rank ?? '–'),
            h('th', { scope: 'row' }, row.opdName),
            h('td', null, row.score === null ? '–' : row.score.toFixed(1)),
            h('td', null, row.redCard ? h('span', { class: 'badge red' }, `🟥 ${t('redCard')}`, row.redCardReasons.length ? h('small', null, ` ${row.redCardReasons.join('; ')}`) : null) : '–'),
          ),
        ),
      ),
    ),
  );
}

export { okBox };
