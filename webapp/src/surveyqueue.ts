// Field-survey results that could not be sent (no signal in the field) wait on
// the phone in IndexedDB, photos included, one entry per result keyed by its
// idempotency key. They are sent again when the phone is back online (the
// 'online' event) and each time the survey view opens. The server records a
// result once per key, so a retry after an answer that was lost on the way
// back does not record it twice. One database per city host.

export interface PendingSurvey {
  idempotencyKey: string;
  trackingCode: string;
  found: boolean;
  note: string;
  photos: { blob: Blob; name: string }[];
  savedAt: string;
  lastError?: string;
}

const STORE = 'results';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(`kanal-survey:${location.host}`, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'idempotencyKey' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = work(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

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
