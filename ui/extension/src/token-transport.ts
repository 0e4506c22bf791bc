/**
 * The extension's way to postroom: `fetch` to the agent's own postroom with their personal
 * API token in `Authorization: Bearer`, and nothing else — no cookie (`credentials:
 * 'omit'`), no other host. The extension holds host permission for postroom's origin, so
 * the browser lets its pages call it without postroom answering CORS.
 */
import { ApiFailure } from '../../src/transport';
import type { Method, Transport } from '../../src/transport';

export class TokenTransport implements Transport {
  readonly ownSignIn = false;
  readonly #base: string;
  readonly #token: string;

  constructor(postroom: string, token: string) {
    this.#base = postroom.replace(/\/+$/, '');
    this.#token = token;
  }

  href(): null {
    return null;
  }

  setCsrf(): void {}

  async json<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${this.#token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const init: RequestInit = { method, headers, credentials: 'omit', cache: 'no-store', redirect: 'error' };
    if (body !== undefined) init.body = JSON.stringify(body);
    let response: Response;
    try {
      response = await fetch(`${this.#base}/api/v1${path}`, init);
    } catch {
      throw new ApiFailure(0, `postroom (${this.#base}) is not answering. Check its address in the extension's options.`);
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (response.status === 401) {
      throw new ApiFailure(401, "postroom does not accept the extension's token. Paste a new one in the extension's options.");
    }
    if (!response.ok) throw ApiFailure.from(response.status, parsed);
    return parsed as T;
  }
}
