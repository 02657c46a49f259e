/** The browser's side of the API: one error shape, the CSRF header, and a hook for an expired session. */
import type { ItemFields } from '../../src/catalogue/store.ts';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** The whole error object, for errors that carry more (an import's faulty lines). */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

/** A catalogue item as the API answers it (src/catalogue/schema.ts: the item's fields and its id as text). */
export interface CatalogueItem extends ItemFields {
  id: string;
}

export interface ApiClient {
  /** A Blob body (a file) is sent as it is, with its type; anything else as JSON. */
  request<T>(method: string, url: string, body?: unknown, extra?: Record<string, string>): Promise<T>;
  upload<T>(url: string, form: FormData, onProgress: (fraction: number) => void, extra?: Record<string, string>): Promise<T>;
  setCsrfToken(token: string | null): void;
}

function failureOf(status: number, text: string): ApiFailure {
  try {
    const { error } = JSON.parse(text) as { error: { code: string; message: string; field?: string } & Record<string, unknown> };
    return new ApiFailure(status, error.code, error.message, error.field, error);
  } catch {
    return new ApiFailure(status, 'network', text || `HTTP ${status}`);
  }
}

/**
 * `extraHeaders` mark the console's requests; `onUnauthenticated` runs on any 401 from a signed-in
 * call (the session expired or was revoked) so the app can return to its sign-in screen.
 */
export function apiClient(options: { extraHeaders?: Record<string, string>; onUnauthenticated: () => void }): ApiClient {
  let csrf: string | null = null;
  const headers = (hasBody: boolean): Record<string, string> => ({
    ...options.extraHeaders,
    ...(hasBody ? { 'content-type': 'application/json' } : {}),
    ...(csrf ? { 'x-csrf-token': csrf } : {}),
  });
  const settle = <T>(status: number, text: string): T => {
    if (status === 401 && csrf) options.onUnauthenticated();
    if (status >= 400) throw failureOf(status, text);
    return (text ? JSON.parse(text) : null) as T;
  };
  return {
    setCsrfToken: (token) => {
      csrf = token;
    },
    async request<T>(method: string, url: string, body?: unknown, extra: Record<string, string> = {}): Promise<T> {
      const file = body instanceof Blob;
      const res = await fetch(url, {
        method,
        headers: { ...headers(body !== undefined && !file), ...(file ? { 'content-type': body.type } : {}), ...extra },
        body: body === undefined ? null : file ? body : JSON.stringify(body),
        credentials: 'same-origin',
      });
      return settle<T>(res.status, await res.text());
    },
    upload<T>(url: string, form: FormData, onProgress: (fraction: number) => void, extra: Record<string, string> = {}): Promise<T> {
      // XMLHttpRequest, not fetch: only it reports upload progress
      return new Promise<T>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', url);
        for (const [k, v] of Object.entries({ ...headers(false), ...extra })) xhr.setRequestHeader(k, v);
        xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
        xhr.onload = () => {
          try {
            resolve(settle<T>(xhr.status, xhr.responseText));
          } catch (err) {
            reject(err as Error);
          }
        };
        xhr.onerror = () => reject(new ApiFailure(0, 'network', 'network error'));
        xhr.send(form);
      });
    },
  };
}

/**
 * One Idempotency-Key per user action: the same request sent again (a retry after a lost answer)
 * reuses the key, so the server answers it once; a different request is a new action with a new key.
 */
export function actionKeys(): (request: string) => string {
  let last: { request: string; key: string } | null = null;
  return (request) => {
    if (last?.request !== request) last = { request, key: crypto.randomUUID() };
    return last.key;
  };
}
