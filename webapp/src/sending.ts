// Sending a report from a phone on a costly, patchy network: photos shrunk
// first (photos.ts), the upload's progress shown, and a send that fails for
// want of a network (or because the server is briefly unavailable) kept as a
// draft on the phone (drafts.ts) to be sent again without retyping.
import { ApiError, check, gql, type GqlError } from './api';
import type { Report } from './citizen';
import { type Draft, dropDraft, loadDraft, saveDraft } from './drafts';
import { h } from './dom';
import { t } from './i18n';
import { showSubmitted } from './outcome';
import { preparePhoto } from './photos';
import { state } from './state';
import { cityTime, errorBox } from './ui';

export type ReportInput = Omit<Draft, 'photos' | 'savedAt'> & { channel: string };

function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1).replace('.', state.lang === 'en' ? '.' : ',')} MB`;
}

/** Errors after which the same report can simply be sent again later. */
function worthKeeping(error: unknown): boolean {
  return error instanceof ApiError && (error.offline || error.codes.includes('SERVICE_UNAVAILABLE'));
}

export async function prepare(files: File[], progress: HTMLElement): Promise<{ blob: Blob; name: string }[]> {
  if (!files.length) return [];
  progress.textContent = t('preparing');
  const prepared = await Promise.all(files.slice(0, 5).map(preparePhoto));
  const before = prepared.reduce((n, p) => n + p.originalBytes, 0);
  const after = prepared.reduce((n, p) => n + p.blob.size, 0);
  progress.textContent = prepared.some((p) => p.downscaled) ? t('photoSmaller', { before: size(before), after: size(after) }) : '';
  return prepared.map((p) => ({ blob: p.blob, name: p.name }));
}

/**
 * Send; on success show the result screen, on a network failure keep the draft.
 * Throws what the server refused (the caller shows it next to the form).
 */
export async function send(
  main: HTMLElement,
  input: ReportInput,
  photos: { blob: Blob; name: string }[],
  progress: HTMLElement,
): Promise<void> {
  const { channel, ...kept } = input;
  try {
    const data = await gql(
      'SubmitReport',
      { input: { ...kept, channel } },
      {
        token: state.citizenToken,
        files: photos.map((p, i) => ({ path: `photos.${i}`, file: p.blob, name: p.name })),
        onProgress: (sent, total) => {
          progress.textContent = t('uploading', { pct: Math.round((100 * sent) / total), sent: size(sent), total: size(total) });
        },
      },
    );
    const payload = check(data.submitReport as { report: Report; created: boolean; errors: GqlError[] });
    await dropDraft();
    showSubmitted(main, payload.report);
  } catch (error) {
    if (worthKeeping(error)) {
      const saved = await saveDraft({ ...kept, photos, savedAt: new Date().toISOString() });
      throw new ApiError([...(error as ApiError).messages, ...(saved ? [t('draftKept')] : [])], true, (error as ApiError).codes);
    }
    throw error;
  }
}

/** The banner of a report kept on this phone, with "send now" and "discard". */
export async function draftBanner(main: HTMLElement, channel: string): Promise<HTMLElement | null> {
  const draft = await loadDraft();
  if (!draft) return null;
  const out = h('div', { 'aria-live': 'assertive' });
  const progress = h('p', { class: 'hint', 'aria-live': 'polite' });
  const banner: HTMLElement = h(
    'section',
    { class: 'card draft', id: 'draft' },
    h('p', null, t('draftFound', { when: cityTime(draft.savedAt) })),
    h('p', { class: 'hint' }, draft.description.slice(0, 120)),
    h(
      'div',
      { class: 'buttons' },
      h(
        'button',
        {
          type: 'button',
          id: 'send-draft',
          onclick: async (event: Event) => {
            const button = event.currentTarget as HTMLButtonElement;
            button.disabled = true;
            out.replaceChildren();
            const { photos, savedAt: _savedAt, ...input } = draft;
            try {
              await send(main, { ...input, channel }, photos, progress);
            } catch (error) {
              out.replaceChildren(errorBox(error));
              button.disabled = false;
            }
          },
        },
        t('draftSend'),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          id: 'discard-draft',
          onclick: async () => {
            await dropDraft();
            banner.remove();
          },
        },
        t('draftDiscard'),
      ),
    ),
    progress,
    out,
  );
  return banner;
}
