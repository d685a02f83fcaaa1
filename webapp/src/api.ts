import { documentFor } from './ops';
import { state } from './state';
import { t } from './i18n';

export interface GqlError {
  field?: string | null;
  code: string;
  message: string;
}

/** What the server refused (its errors[].message), or that we are offline. */
export class ApiError extends Error {
  constructor(
    public messages: string[],
    public offline = false,
    public codes: string[] = [],
  ) {
    super(messages.join(' '));
  }
}

export interface Upload {
  path: string; // e.g. "photos.0"
  file: Blob;
  name?: string;
}

/** Codes with which the server refuses a token for good (expired, another city's…). */
const DEAD_TOKEN = new Set(['TOKEN_EXPIRED', 'TOKEN_OTHER_CITY', 'UNAUTHENTICATED']);

export async function gql<T = any>(
  operation: string,
  variables: Record<string, unknown> = {},
  options: { token?: string | null; files?: Upload[]; onProgress?: (sent: number, total: number) => void } = {},
): Promise<T> {
  if (!navigator.onLine) throw new ApiError([t('offline')], true);
  const query = documentFor(operation);
  const headers: Record<string, string> = { 'Accept-Language': state.lang };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: BodyInit;
  if (options.files?.length) {
    // GraphQL multipart request spec: operations + map + files.
    const vars: Record<string, unknown> = structuredClone(variables);
    const map: Record<string, string[]> = {};
    const form = new FormData();
    options.files.forEach((upload, index) => {
      const [name, position] = upload.path.split('.');
      if (position === undefined) vars[name] = null;
      else {
        const list = (vars[name] as unknown[] | undefined) ?? [];
        list[Number(position)] = null;
        vars[name] = list;
      }
      map[String(index)] = [`variables.${upload.path}`];
    });
    form.append('operations', JSON.stringify({ query, variables: vars }));
    form.append('map', JSON.stringify(map));
    options.files.forEach((upload, index) =>
      form.append(String(index), upload.file, upload.name ?? `foto${index}.jpg`),
    );
    body = form;
  } else {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify({ query, variables });
  }
  let response: Response;
  try {
    response = options.onProgress
      ? await postWithProgress(headers, body, options.onProgress)
      : await fetch('/graphql/', { method: 'POST', headers, body });
  } catch {
    throw new ApiError([t('offline')], true);
  }
  let json: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    json = await response.json();
  } catch {
    throw new ApiError([`${t('serverError')} (HTTP ${response.status})`]);
  }
  if (json.errors?.length && !json.data) {
    const codes = json.errors.map((e) => e.extensions?.code ?? '');
    if (options.token && codes.some((c) => DEAD_TOKEN.has(c))) {
      // The server refused the token itself: forget it, so the next screen asks to sign in.
      if (options.token === state.citizenToken) state.setCitizen(null);
      if (options.token === state.staffToken) state.setStaff(null);
    }
    throw new ApiError(
      json.errors.map((e) => e.message),
      false,
      json.errors.map((e) => e.extensions?.code ?? ''),
    );
  }
  if (json.errors?.length) {
    const nulls = Object.values(json.data ?? {}).every((v) => v === null);
    if (nulls) throw new ApiError(json.errors.map((e) => e.message));
  }
  return json.data as T;
}

/** fetch() cannot tell how much of an upload has gone; XMLHttpRequest can. */
function postWithProgress(
  headers: Record<string, string>,
  body: BodyInit,
  onProgress: (sent: number, total: number) => void,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/graphql/');
    Object.entries(headers).forEach(([name, value]) => xhr.setRequestHeader(name, value));
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    xhr.onload = () =>
      resolve(new Response(xhr.responseText, { status: xhr.status, headers: { 'Content-Type': 'application/json' } }));
    xhr.onerror = () => reject(new TypeError('network'));
    xhr.ontimeout = () => reject(new TypeError('timeout'));
    xhr.send(body as XMLHttpRequestBodyInit);
  });
}

/** A mutation payload's own errors[] become an ApiError with their messages. */
export function check<P extends { errors: GqlError[] }>(payload: P): P {
  if (payload.errors.length) {
    throw new ApiError(
      payload.errors.map((e) => e.message),
      false,
      payload.errors.map((e) => e.code),
    );
  }
  return payload;
}
