// A report that could not be sent (no signal, the server unreachable) is kept
// on the phone, photos included, and sent again later without retyping. It is
// kept in IndexedDB (photos are Blobs, too big for localStorage), one draft per
// city: the database name carries the host, and the app of one city never reads
// another's. The draft keeps its idempotency key, so if the first attempt did
// reach the server, sending again returns the same report instead of a second.

import { cityStore, type Store } from './idb';

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

const KEY = 'report';
const db = cityStore('drafts', 'drafts');
const run: Store['run'] = (mode, work) => db.run(mode, work);

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
