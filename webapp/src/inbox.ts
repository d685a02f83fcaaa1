// The operators' inbox (/kerja/pesan/): what the bot could not structure and
// what came on channels without an API (pasted social posts, 112 calls,
// walk-ins, letters). A list with filters and counts, one item at a time with
// its photos and conversation, and three actions: make it a report, reply
// (API channels only), spam. "Catat pesan" enters an item by hand.
// Every rule (roles, who handled it first, what a channel allows) is the
// server's: the screen shows its answers (messaging.inbox).
import { check, gql, type GqlError } from './api';
import { AreaPicker, type Area } from './areapicker';
import { field, h, replace } from './dom';
import { t } from './i18n';
import { state } from './state';
import { signOutButton, staffLogin } from './staff';
import { action, cityTime, errorBox, navigate, okBox } from './ui';

interface Media {
  position: number;
  contentType: string;
  filename: string;
  isImage: boolean;
  url: string;
}

interface ThreadEntry {
  at: string;
  inbound: boolean;
  text: string;
  status: string;
  uid: string | null;
}

interface Item {
  uid: string;
  channel: string;
  channelLabel: string;
  status: string;
  statusLabel: string;
  sender: string;
  receivedAt: string;
  text: string;
  entered: boolean;
}

interface FullItem extends Item {
  link: string;
  latitude: number | null;
  longitude: number | null;
  handledBy: string | null;
  handledAt: string | null;
  canReply: boolean;
  senderPhoneKnown: boolean;
  senderMessagesLast24h: number;
  senderHeldUntil: string | null;
  media: Media[];
  thread: ThreadEntry[];
  report: { trackingCode: string; statusLabel: string; category: { name: string } } | null;
}

interface Counted {
  channel?: string;
  status?: string;
  label: string;
  count: number;
}

interface CategoryGroup {
  code: string;
  name: string;
  categories: { code: string; name: string }[];
}

const STATUSES = ['inbox', 'held', 'reported', 'replied', 'spam'];
const SOCIAL = new Set(['facebook', 'instagram', 'twitter']);
const OPEN = new Set(['inbox', 'held']);

let filterStatus = 'inbox';
let filterChannel = '';
let flash: string | null = null;
let areaCache: Area[] | null = null;
let categoryCache: { lang: string; groups: CategoryGroup[] } | null = null;

export async function inboxScreen(main: HTMLElement, match: RegExpMatchArray): Promise<void> {
  if (!state.staffToken) {
    staffLogin(main, t('ibTitle'), () => void inboxScreen(main, match));
    return;
  }
  const token = state.staffToken;
  const selected = match[1] ?? null;
  const again = () => void inboxScreen(main, match);
  const status = h('div', { id: 'inbox-status', 'aria-live': 'polite' }, flash ? okBox(flash) : null);
  flash = null;
  const list = h('div', { id: 'inbox-list', 'aria-live': 'polite' }, h('p', { class: 'hint' }, t('loading')));
  const detail = h('section', { id: 'inbox-detail', 'aria-label': t('ibDetail') }, h('p', { class: 'hint' }, t('loading')));
  const statusPick = h('select', { id: 'inbox-filter-status', name: 'status', onchange: () => { filterStatus = statusPick.value; navigate('/kerja/pesan/'); } });
  const channelPick = h('select', { id: 'inbox-filter-channel', name: 'channel', onchange: () => { filterChannel = channelPick.value; navigate('/kerja/pesan/'); } });
  let manualChannels: Counted[] = [];
  const enterButton = h('button', { type: 'button', id: 'inbox-enter', class: 'secondary', onclick: () => enterForm(detail, token, manualChannels) }, t('ibEnter'));
  replace(
    main,
    h('div', { class: 'cc-head' },
      h('h1', { class: 'page-title' }, t('ibTitle')),
      h('div', { class: 'cc-tools' },
        h('a', { href: '/kerja/', 'data-link': '', class: 'button secondary' }, t('ibToWorkbench')),
        enterButton,
        h('button', { type: 'button', class: 'secondary', 'aria-label': t('wbRefresh'), onclick: again }, '↻'),
        signOutButton(again))),
    status,
    h('div', { class: selected ? 'work-layout inbox-layout has-selection' : 'work-layout inbox-layout' },
      h('div', { class: 'work-side' },
        h('div', { class: 'inbox-filters' }, field(t('ibStatus'), statusPick), field(t('ibChannel'), channelPick)),
        list),
      detail),
  );
  try {
    const data = await gql('InboxList', { status: filterStatus, channel: filterChannel, first: 50 }, { token });
    const counts = data.inboxCounts as { byStatus: Counted[]; openByChannel: Counted[]; manualChannels: Counted[] };
    manualChannels = counts.manualChannels;
    const byStatus = new Map(counts.byStatus.map((c) => [c.status!, c]));
    replace(statusPick, STATUSES.map((s) =>
      h('option', { value: s, selected: s === filterStatus }, `${byStatus.get(s)?.label ?? s} (${byStatus.get(s)?.count ?? 0})`)));
    const channels = new Map<string, string>();
    for (const c of [...counts.openByChannel, ...counts.manualChannels]) channels.set(c.channel!, c.label);
    const openCount = new Map(counts.openByChannel.map((c) => [c.channel!, c.count]));
    replace(channelPick, h('option', { value: '' }, t('ibAllChannels')),
      [...channels].map(([code, label]) =>
        h('option', { value: code, selected: code === filterChannel }, openCount.has(code) ? `${label} (${openCount.get(code)})` : label)));
    const items = (data.inbox.edges as { node: Item & { media: { position: number }[] } }[]).map((e) => e.node);
    replace(
      list,
      items.length
        ? h('ul', { class: 'work-list inbox-items' }, items.map((m) =>
            h('li', { 'data-uid': m.uid, class: m.uid === selected ? 'current' : '' },
              h('a', { href: `/kerja/pesan/${m.uid}/`, 'data-link': '' },
                h('strong', null, m.channelLabel), ' ', h('span', { class: 'inbox-sender' }, m.sender),
                m.media.length ? h('span', { class: 'badge' }, t('ibPhotos', { n: m.media.length })) : null,
                h('span', { class: 'work-meta' }, cityTime(m.receivedAt)),
                h('span', { class: 'inbox-snippet' }, m.text.length > 140 ? `${m.text.slice(0, 140)}…` : m.text)))))
        : h('p', { id: 'inbox-empty' }, t('ibEmpty')),
    );
    if (!selected && items[0] && window.matchMedia('(min-width: 901px)').matches) {
      navigate(`/kerja/pesan/${items[0].uid}/`, true);
      return;
    }
  } catch (error) {
    replace(list, errorBox(error));
  }
  if (selected) await showItem(detail, selected, token, again);
  else replace(detail, h('p', { class: 'hint' }, t('ibPick')));
}

async function showItem(detail: HTMLElement, uid: string, token: string, reload: () => void): Promise<void> {
  let item: FullItem | null;
  try {
    item = (await gql<{ inboxMessage: FullItem | null }>('InboxItem', { uid }, { token })).inboxMessage;
  } catch (error) {
    replace(detail, errorBox(error));
    return;
  }
  if (!item) {
    replace(detail, errorBox(new Error(t('notFound'))));
    return;
  }
  const m = item;
  const photos = m.media.filter((x) => x.isImage);
  const held = m.senderHeldUntil ? t('ibHeldUntil', { time: cityTime(m.senderHeldUntil) }) : null;
  const head = h('header', { class: 'work-head' },
    h('h2', null, h('span', { id: 'inbox-channel' }, m.channelLabel), ' ', h('span', { class: `badge inbox-${m.status}`, id: 'inbox-item-status' }, m.statusLabel)),
    h('dl', { class: 'work-facts' },
      h('dt', null, t('ibSender')), h('dd', { id: 'inbox-sender' }, m.sender),
      h('dt', null, t('wbReceived')), h('dd', null, cityTime(m.receivedAt), m.entered ? ` · ${t('ibEntered')}` : ''),
      h('dt', null, t('ibActivity')), h('dd', { id: 'inbox-activity', class: held ? 'inbox-held' : '' },
        t('ibLast24h', { n: m.senderMessagesLast24h }), held ? ` · ${held}` : ''),
      m.link ? [h('dt', null, t('ibLink')), h('dd', null, h('a', { href: m.link, target: '_blank', rel: 'noopener noreferrer nofollow', class: 'inbox-link' }, m.link))] : null,
      m.latitude !== null ? [h('dt', null, t('location')), h('dd', null, `${m.latitude?.toFixed(5)}, ${m.longitude?.toFixed(5)}`)] : null,
      m.handledBy ? [h('dt', null, t('ibHandledBy')), h('dd', null, `${m.handledBy} · ${cityTime(m.handledAt)}`)] : null,
      m.report ? [h('dt', null, t('ibReport')), h('dd', null, h('a', { href: `/kerja/${m.report.trackingCode}`, 'data-link': '', id: 'inbox-report-link' }, m.report.trackingCode), ` · ${m.report.category.name} · ${m.report.statusLabel}`)] : null),
    h('p', { class: 'work-text inbox-text', id: 'inbox-text' }, m.text),
  );
  const gallery = m.media.length
    ? h('div', { class: 'work-photos inbox-media' }, m.media.map((x) =>
        x.isImage
          ? h('a', { href: x.url, target: '_blank', rel: 'noopener' }, h('img', { src: x.url, alt: t('wbPhotoAlt', { n: x.position + 1 }), loading: 'lazy' }))
          : h('a', { href: x.url, class: 'inbox-file' }, x.filename || t('ibFile', { n: x.position + 1 }))))
    : null;
  const thread = m.thread.length > 1
    ? h('section', { class: 'card inbox-thread', 'aria-labelledby': 'thread-title' },
        h('h3', { id: 'thread-title' }, t('ibThread')),
        h('ol', { class: 'inbox-lines' }, m.thread.map((e) =>
          h('li', { class: `${e.inbound ? 'in' : 'out'}${e.uid === m.uid ? ' this' : ''}` },
            h('span', { class: 'work-meta' }, `${e.inbound ? t('ibFromSender') : t('ibFromCity')} · ${cityTime(e.at)}`),
            h('span', { class: 'inbox-line-text' }, e.text || '–')))))
    : null;
  const actions = OPEN.has(m.status) ? await actionPanels(m, photos, token, reload) : null;
  const back = h('a', { href: '/kerja/pesan/', 'data-link': '', class: 'inbox-back' }, `← ${t('ibBack')}`);
  replace(detail, back, head, gallery, actions, thread);
}

async function actionPanels(m: FullItem, photos: Media[], token: string, reload: () => void): Promise<HTMLElement> {
  const out = h('div', { 'aria-live': 'polite', id: 'inbox-out' });
  const done = (message: string, path?: string) => {
    flash = message;
    if (path) navigate(path);
    else reload();
  };

  // (a) Make it a report.
  categoryCache = categoryCache?.lang === state.lang ? categoryCache : { lang: state.lang, groups: (await gql<{ categories: CategoryGroup[] }>('Categories', { lang: state.lang })).categories };
  areaCache ??= (await gql<{ areas: Area[] }>('Areas', {})).areas;
  const category = h('select', { name: 'category', id: 'inbox-category', required: true },
    h('option', { value: '' }, t('chooseCategory')),
    categoryCache.groups.map((g) => h('optgroup', { label: g.name }, g.categories.map((c) => h('option', { value: c.code }, c.name)))));
  let area: Area | null = null;
  const picker = new AreaPicker(areaCache, (a) => (area = a));
  const description = h('textarea', { name: 'description', id: 'inbox-description', rows: 4, value: m.text });
  const chosen = photos.map((p) => h('input', { type: 'checkbox', name: 'photo', value: String(p.position), checked: true }));
  const reportForm = h('section', { class: 'card', 'aria-labelledby': 'to-report' },
    h('h3', { id: 'to-report' }, t('ibToReport')),
    field(t('category'), category),
    h('div', { class: 'field inbox-where', role: 'group', 'aria-label': t('ibWhere') }, m.latitude !== null ? h('p', { class: 'hint' }, t('ibSharedLocation')) : null, picker.el),
    field(t('description'), description, t('descriptionHint')),
    photos.length
      ? h('fieldset', { class: 'inbox-pick' }, h('legend', null, t('photos')),
          photos.map((p, i) => h('label', { class: 'inbox-thumb' }, chosen[i], h('img', { src: p.url, alt: t('wbPhotoAlt', { n: p.position + 1 }) }))))
      : null,
    action(t('ibToReportButton'), async () => {
      if (!category.value) throw new Error(t('ibChooseCategory'));
      const result = await gql('InboxToReport', {
        uid: m.uid,
        input: {
          categoryCode: category.value,
          description: description.value,
          areaCode: (area as Area | null)?.code ?? null,
          photos: chosen.filter((c) => c.checked).map((c) => Number(c.value)),
        },
      }, { token });
      const payload = check(result.reportFromInbox as { report: { trackingCode: string }; errors: GqlError[] });
      done(t('ibReported', { code: payload.report.trackingCode }), `/kerja/pesan/${m.uid}/`);
    }, out, { class: 'big', 'data-action': 'to-report' }),
  );

  // (b) Reply, on API channels only.
  const replyText = h('textarea', { name: 'reply', id: 'inbox-reply-text', rows: 3, disabled: !m.canReply });
  const replyForm = h('section', { class: 'card', 'aria-labelledby': 'reply-title' },
    h('h3', { id: 'reply-title' }, t('ibReply')),
    m.canReply ? field(t('ibReplyText'), replyText) : h('p', { class: 'hint', id: 'inbox-no-reply' }, t('ibNoReply', { channel: m.channelLabel })),
    action(t('ibReplyButton'), async () => {
      const result = await gql('InboxReply', { uid: m.uid, text: replyText.value }, { token });
      check(result.replyToInbox as { errors: GqlError[] });
      done(t('ibReplied'));
    }, out, { 'data-action': 'reply', disabled: !m.canReply, ...(m.canReply ? {} : { 'aria-describedby': 'inbox-no-reply' }) }),
  );

  // (c) Spam, optionally holding a sender who writes on an API channel.
  const hold = h('input', { type: 'checkbox', name: 'hold', id: 'inbox-hold' });
  const spamForm = h('section', { class: 'card', 'aria-labelledby': 'spam-title' },
    h('h3', { id: 'spam-title' }, t('ibSpam')),
    m.canReply ? h('label', { class: 'check-row' }, hold, ` ${t('ibHold')}`) : null,
    action(t('ibSpamButton'), async () => {
      const result = await gql('InboxSpam', { uid: m.uid, holdSender: hold.checked }, { token });
      check(result.markInboxSpam as { errors: GqlError[] });
      done(t('ibMarkedSpam'), '/kerja/pesan/');
    }, out, { class: 'danger', 'data-action': 'spam' }),
  );
  return h('div', { class: 'inbox-actions' }, out, h('div', { class: 'work-panels inbox-panels' }, reportForm, h('div', null, replyForm, spamForm)));
}

function enterForm(detail: HTMLElement, token: string, channels: Counted[]): void {
  const out = h('div', { 'aria-live': 'polite' });
  const channel = h('select', { name: 'channel', id: 'enter-channel' }, channels.map((c) => h('option', { value: c.channel }, c.label)));
  const sender = h('input', { name: 'sender', id: 'enter-sender', maxlength: 254, autocomplete: 'off' });
  const phone = h('input', { name: 'senderPhone', id: 'enter-phone', type: 'tel', inputmode: 'tel', maxlength: 32, autocomplete: 'off' });
  const link = h('input', { name: 'link', id: 'enter-link', type: 'url', inputmode: 'url', maxlength: 500, placeholder: 'https://' });
  const text = h('textarea', { name: 'text', id: 'enter-text', rows: 5, maxlength: 5000 });
  const files = h('input', { type: 'file', name: 'photos', id: 'enter-photos', accept: 'image/jpeg,image/png,image/heic', multiple: true });
  const senderField = field(t('ibHandle'), sender);
  const phoneField = field(t('phone'), phone, t('ibPhoneHint'));
  const linkField = field(t('ibLink'), link);
  const photoField = field(t('photos'), files);
  const shape = () => {
    const social = SOCIAL.has(channel.value);
    senderField.querySelector('label')!.textContent = social ? t('ibHandle') : t('ibName');
    phoneField.hidden = social;
    linkField.hidden = !social;
  };
  channel.addEventListener('change', shape);
  if (!channels.length) {
    replace(detail, h('p', { class: 'hint' }, t('ibNoManual')));
    return;
  }
  replace(detail, h('form', {
    class: 'card', id: 'inbox-enter-form',
    onsubmit: (event: Event) => event.preventDefault(),
  },
  h('h2', null, t('ibEnter')),
  h('p', { class: 'hint' }, t('ibEnterHint')),
  field(t('ibChannel'), channel), senderField, phoneField, linkField,
  field(t('ibText'), text), photoField,
  action(t('ibSave'), async () => {
    const social = SOCIAL.has(channel.value);
    const picked = [...(files.files ?? [])];
    const result = await gql('InboxEnter', {
      input: {
        channel: channel.value,
        sender: sender.value,
        senderPhone: social ? '' : phone.value,
        link: social ? link.value : '',
        text: text.value,
      },
    }, { token, files: picked.map((file, i) => ({ path: `photos.${i}`, file, name: file.name })) });
    const payload = check(result.enterInboxMessage as { message: { uid: string }; errors: GqlError[] });
    flash = t('ibSaved');
    filterStatus = 'inbox';
    navigate(`/kerja/pesan/${payload.message.uid}/`);
  }, out, { class: 'big', 'data-action': 'enter-save' }),
  out));
  shape();
  channel.focus();
}
