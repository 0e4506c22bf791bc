/**
 * The console's only way to the outside: one request to postroom's `/api/v1`.
 *
 * The console runs in two hosts. Served by postroom at `/`, it calls the API with `fetch`,
 * the session cookie and the session's CSRF token. Shown inside Jira by the Forge app, the
 * same calls go through Forge's bridge instead (added with that app). Nothing outside this
 * module knows which host it is in, so every page works in both.
 */

/** An API answer that was not 2xx, with the API's own words for it. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly fieldErrors: { field: string; message: string }[];

  constructor(status: number, message: string, fieldErrors: { field: string; message: string }[] = []) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.fieldErrors = fieldErrors;
  }
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a host offers: a JSON request to a path under `/api/v1`, and a download URL. */
export interface Transport {
  json<T>(method: Method, path: string, body?: unknown): Promise<T>;
  /** An address the browser may open or download directly (raw mail), same origin. */
  href(path: string): string;
}

const STATE_CHANGING: ReadonlySet<Method> = new Set(['POST', 'PUT', 'DELETE']);

/**
 * The transport of the console postroom serves itself: same-origin `fetch` with the session
 * cookie. State-changing requests carry the CSRF token the session endpoint handed out.
 */
export class FetchTransport implements Transport {
  #csrf: string | null = null;

  /** Remembers the CSRF token of the signed-in session. */
  setCsrf(token: string | null): void {
    this.#csrf = token;
  }

  href(path: string): string {
    return `/api/v1${path}`;
  }

  async json<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (STATE_CHANGING.has(method) && this.#csrf) headers['X-CSRF-Token'] = this.#csrf;
    const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) init.body = JSON.stringify(body);
    let response: Response;
    try {
      response = await fetch(this.href(path), init);
    } catch {
      throw new ApiFailure(0, 'postroom is not answering. Check that it is running, then try again.');
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!response.ok) {
      const error = parsed as { error?: unknown; errors?: unknown } | null;
      const message = typeof error?.error === 'string' ? error.error : `postroom answered ${response.status}`;
      const fields = Array.isArray(error?.errors) ? (error.errors as { field: string; message: string }[]) : [];
      throw new ApiFailure(response.status, message, fields);
    }
    return parsed as T;
  }
}

/** The transport of this page's host. */
export const transport = new FetchTransport();
