// One IndexedDB object store per purpose and city host (drafts of reports,
// unsent survey results): the database name carries the host, so the app of
// one city never reads another's. Each call opens, does one request, closes.

export interface Store {
  run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T>;
}

export function cityStore(purpose: string, store: string, options?: IDBObjectStoreParameters): Store {
  const open = (): Promise<IDBDatabase> =>
    new Promise((resolve, reject) => {
      const request = indexedDB.open(`kanal-${purpose}:${location.host}`, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(store, options);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  return {
    async run<T>(mode: IDBTransactionMode, work: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
      const db = await open();
      try {
        return await new Promise<T>((resolve, reject) => {
          const request = work(db.transaction(store, mode).objectStore(store));
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
      } finally {
        db.close();
      }
    },
  };
}
