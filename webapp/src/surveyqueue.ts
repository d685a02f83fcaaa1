// Field-survey results that could not be sent (no signal in the field) wait on
// the phone in IndexedDB, photos included, one entry per result keyed by its
// idempotency key. They are sent again when the phone is back online (the
// 'online' event) and each time the survey view opens. The server records a
// result once per key, so a retry after an answer that was lost on the way
// back does not record it twice. One database per city host.

import { cityStore, type Store } from './idb';

export interface PendingSurvey {
  idempotencyKey: string;
  trackingCode: string;
  found: boolean;
  note: string;
  photos: { blob: Blob; name: string }[];
  savedAt: string;
  lastError?: string;
}

const db = cityStore('survey', 'results', { keyPath: 'idempotencyKey' });
const run: Store['run'] = (mode, work) => db.run(mode, work);

export async function keepSurvey(result: PendingSurvey): Promise<boolean> {
  try {
    await run('readwrite', (store) => store.put(result));
    return true;
  } catch {
    return false; // private mode or storage full: the form keeps what was typed
  }
}

export async function pendingSurveys(): Promise<PendingSurvey[]> {
  try {
    const all = (await run('readonly', (store) => store.getAll())) as PendingSurvey[];
    return all.sort((a, b) => a.savedAt.localeCompare(b.savedAt));
  } catch {
    return [];
  }
}

export async function dropSurvey(key: string): Promise<void> {
  try {
    await run('readwrite', (store) => store.delete(key));
  } catch {
    /* nothing kept, nothing to drop */
  }
}
