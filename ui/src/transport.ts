/**
 * The console's only way to the outside: one request to postroom's `/api/v1`.
 *
 * The console runs in two hosts. Served by postroom at `/`, it calls the API with `fetch`,
 * the session cookie and the session's CSRF token. Shown inside Jira by the Forge app, the
 * same calls go through Forge's bridge (`invokeRemote`), which adds the invocation token
 * that tells postroom the site and the person. Nothing outside this module knows which
 * host it is in, so every page works in both; a page asks only what the host offers.
 */

/** An API answer that was not 2xx, with the API's own words for it. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly fieldErrors: { field: string; message: string }[];
  /** The whole error body, for answers that say more than words (a 409's stored version). */
  readonly body: unknown;

  constructor(status: number, message: string, fieldErrors: { field: string; message: string }[] = [], body: unknown = null) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.fieldErrors = fieldErrors;
    this.body = body;
  }

  /** The API's error body, as a failure. */
  static from(status: number, parsed: unknown): ApiFailure {
    const error = parsed as { error?: unknown; errors?: unknown } | null;
    const message = typeof error?.error === 'string' ? error.error : `postroom answered ${status}`;
    const fields = Array.isArray(error?.errors) ? (error.errors as { field: string; message: string }[]) : [];
    return new ApiFailure(status, message, fields, parsed);
  }
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a host offers: a JSON request to a path under `/api/v1`, and a download URL. */
export interface Transport {
  json<T>(method: Method, path: string, body?: unknown): Promise<T>;
  /**
   * An address the browser may open or download directly (raw mail), same origin; null
   * where the host cannot open postroom's own addresses (inside Jira).
   */
  href(path: string): string | null;
  /**
   * A request whose answer is a file to save (a person's export), as a `Blob`; absent
   * where the host cannot hand the browser a file (inside Jira, the extension).
   */
  blob?(method: Method, path: string, body?: unknown): Promise<Blob>;
  /**
   * A POST whose body is a file as it is (an `.eml` as `message/rfc822`), answered in JSON;
   * absent where the host cannot send a file (inside Jira).
   */
  upload?<T>(path: string, file: Blob, contentType: string): Promise<T>;
  /** Remembers the CSRF token of the signed-in session (ignored where none is needed). */
  setCsrf(token: string | null): void;
  /** Whether the person signs in and out here (not inside Jira, where Jira signs them in). */
  readonly ownSignIn: boolean;
}

const STATE_CHANGING: ReadonlySet<Method> = new Set(['POST', 'PUT', 'DELETE']);

/**
 * The transport of the console postroom serves itself: same-origin `fetch` with the session
 * cookie. State-changing requests carry the CSRF token the session endpoint handed out.
 */
export class FetchTransport implements Transport {
  #csrf: string | null = null;
  readonly ownSignIn = true;

  /** Remembers the CSRF token of the signed-in session. */
  setCsrf(token: string | null): void {
    this.#csrf = token;
  }

  href(path: string): string {
    return `/api/v1${path}`;
  }

  async json<T>(method: Method, path: string, body?: unknown): Promise<T> {
    return FetchTransport.#answer<T>(await this.#send(method, path, body, 'application/json'));
  }

  async upload<T>(path: string, file: Blob, contentType: string): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': contentType };
    if (this.#csrf) headers['X-CSRF-Token'] = this.#csrf;
    let response: Response;
    try {
      response = await fetch(this.href(path), { method: 'POST', headers, body: file, credentials: 'same-origin', cache: 'no-store' });
    } catch {
      throw new ApiFailure(0, 'postroom is not answering. Check that it is running, then try again.');
    }
    return FetchTransport.#answer<T>(response);
  }

  static async #answer<T>(response: Response): Promise<T> {
    const text = await response.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!response.ok) throw ApiFailure.from(response.status, parsed);
    return parsed as T;
  }

  async blob(method: Method, path: string, body?: unknown): Promise<Blob> {
    const response = await this.#send(method, path, body, '*/*');
    if (response.ok) return response.blob();
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(await response.text());
    } catch {
      parsed = null;
    }
    throw ApiFailure.from(response.status, parsed);
  }

  async #send(method: Method, path: string, body: unknown, accept: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (STATE_CHANGING.has(method) && this.#csrf) headers['X-CSRF-Token'] = this.#csrf;
    const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) init.body = JSON.stringify(body);
    try {
      return await fetch(this.href(path), init);
    } catch {
      throw new ApiFailure(0, 'postroom is not answering. Check that it is running, then try again.');
    }
  }
}

/**
 * The transport inside Jira: Forge's bridge carries each call to postroom (the app's
 * remote) with an invocation token. The bridge is loaded only here, as its own chunk: it
 * needs the host's bridge to be on the page before it can even be imported.
 */
export class ForgeTransport implements Transport {
  readonly ownSignIn = false;

  href(): null {
    return null;
  }

  setCsrf(): void {}

  async json<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let answer: { status?: number; body?: unknown } | undefined;
    try {
      const { invokeRemote } = await import('@forge/bridge');
      answer = await invokeRemote({ path: `/api/v1${path}`, method, headers, body });
    } catch {
      throw new ApiFailure(0, 'postroom is not answering through Jira. Try again, or ask a Jira administrator to check the app.');
    }
    const status = answer?.status ?? 0;
    const parsed = answer?.body ?? null;
    if (status < 200 || status > 299) throw ApiFailure.from(status, parsed);
    return parsed as T;
  }
}

/** Whether this page is shown inside Jira by the Forge app: Forge put its bridge here. */
function insideJira(): boolean {
  const bridge = (globalThis as { __bridge?: { callBridge?: unknown } }).__bridge;
  return typeof bridge?.callBridge === 'function';
}

function hostTransport(): Transport {
  return insideJira() ? new ForgeTransport() : new FetchTransport();
}

/**
 * The transport of this page's host. Marked pure so that a bundle which takes only
 * {@link ApiFailure} from here (the extension's) leaves both transports and Forge's bridge out.
 */
export const transport: Transport = /* @__PURE__ */ hostTransport();
