// A report that could not be sent (no signal, the server unreachable) is kept
// on the phone, photos included, and sent again later without retyping. It is
// kept in IndexedDB (photos are Blobs, too big for localStorage), one draft per
// city: the database name carries the host, and the app of one city never reads
// another's. The draft keeps its idempotency key, so if the first attempt did
// reach the server, sending again returns the same report instead of a second.

export interface Draft {
  categoryCode: string;
  description: string;
  latitude: number;
  longitude: number;
  accuracyMeters: number | null;
  address: string;
  areaCode: string | null;
  anonymous: boolean;
  idempotencyKey: string;
  photos: { blob: Blob; name: string }[];
  savedAt: string;
}

const STORE = 'drafts';
const KEY = 'report';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(`kanal-drafts:${location.host}`, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
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

export async function saveDraft(draft: Draft): Promise<boolean> {
  try {
    await run('readwrite', (store) => store.put(draft, KEY));
    return true;
  } catch {
    return false; // private mode or storage full: the form keeps what was typed
  }
}

export async function loadDraft(): Promise<Draft | null> {
  try {
    return ((await run('readonly', (store) => store.get(KEY))) as Draft | undefined) ?? null;
  } catch {
    return null;
  }
}

export async function dropDraft(): Promise<void> {
  try {
    await run('readwrite', (store) => store.delete(KEY));
  } catch {
    /* nothing kept, nothing to drop */
  }
}
