/**
 * The site's profile as the console edits it (`/profile`: read with its version, saved
 * whole over the version it was loaded from), and the notification editor's calls:
 * postroom's default templates and variables, the live preview and the test mail.
 */
import { ApiFailure, transport } from './transport';

/** One notification rule, as the profile writes it. */
export interface NotificationRule {
  name?: string | null;
  projects?: string[];
  events: string[];
  to: string[];
  subject?: string | null;
  text?: string | null;
  html?: string | null;
  [key: string]: unknown;
}

/** The profile's `notifications` section. */
export interface NotificationSettings {
  from?: string | null;
  from_name?: string | null;
  reply_to?: string | null;
  max_recipients?: number;
  attach_max_bytes?: number;
  rules?: NotificationRule[];
  [key: string]: unknown;
}

/** The profile: the sections the console edits typed, every other section kept as it is. */
export interface Profile {
  own?: { addresses?: string[]; domains?: string[]; accept_any_recipient?: boolean; [key: string]: unknown };
  notifications?: NotificationSettings;
  [key: string]: unknown;
}

/** One side of "try it": what a profile decides for the mail. */
export interface Decision {
  action: { kind: string; reason: string; [key: string]: unknown };
  classification: { kind: string; reason: string; [key: string]: unknown };
  thread: unknown;
  directives: Record<string, unknown>;
  report: string[];
  fields: Record<string, unknown>;
}

/** A mail tried under the edited profile and the one in force. */
export interface Tried {
  mail: { message_id: string | null; from: { name: string | null; address: string | null }; subject: string | null; attachments: string[]; warnings: string[] };
  candidate: Decision | null;
  in_force: Decision | null;
  version: number;
  /** `expected`: the profile in force's value; `actual`: the edited profile's. */
  differs: { field: string; expected: unknown; actual: unknown }[];
  notes: string[];
}

/** How a field uses its pattern (see `POST /profile/regex`). */
export type PatternKind = 'regex' | 'address' | 'issue_key';

export interface SampleResult {
  matched: boolean;
  tried_on: string;
  matches: string[];
  groups: { index: number; name: string | null; text: string | null }[];
  problem: string | null;
}

/** The draft being edited on the Rules page, as kept in the tab's sessionStorage. */
export interface Draft {
  base_version: number;
  profile: Profile;
}

/** Where the Rules page keeps its draft: other pages (test cases) may run against it. */
export const DRAFT_KEY = 'postroom.profileDraft';

export const profileDraft = {
  read(): Draft | null {
    try {
      const text = window.sessionStorage.getItem(DRAFT_KEY);
      const draft = text ? (JSON.parse(text) as Partial<Draft>) : null;
      return draft && typeof draft.base_version === 'number' && draft.profile && typeof draft.profile === 'object'
        ? { base_version: draft.base_version, profile: draft.profile }
        : null;
    } catch {
      return null;
    }
  },
  write(draft: Draft) {
    try {
      window.sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
    } catch {
      // Storage full or switched off: the draft lives in the page only.
    }
  },
  clear() {
    try {
      window.sessionStorage.removeItem(DRAFT_KEY);
    } catch {
      // As above.
    }
  },
};

export interface StoredProfile {
  version: number;
  profile: Profile;
  notes: string[];
}

/** A save refused because another version was stored first. */
export interface Stale {
  error: string;
  version: number;
  differs: string[];
}

export interface Defaults {
  subject: string;
  text: string;
  html: string;
  variables: string[];
  events: string[];
}

/** What to render: a rule's templates (empty: the default) for an issue or the example. */
export interface PreviewRequest {
  event: string;
  issue_key?: string;
  example?: boolean;
  subject?: string;
  text?: string;
  html?: string;
}

export interface Preview {
  subject: string;
  text: string;
  html: string;
  html_url: string;
  issue_key: string;
  fell_back: string[];
}

export const profileApi = {
  profile: () => transport.json<StoredProfile>('GET', '/profile'),
  save: (baseVersion: number, profile: Profile) =>
    transport.json<StoredProfile>('PUT', '/profile', { base_version: baseVersion, profile }),
  defaults: () => transport.json<Defaults>('GET', '/notifications/defaults'),
  preview: (request: PreviewRequest) => transport.json<Preview>('POST', '/notifications/preview', request),
  /** Where a preview's HTML may be framed; null where the host cannot open postroom's own addresses. */
  previewHref: (preview: Preview) => transport.href(preview.html_url.replace(/^\/api\/v1/, '')),
  /** A mail (text, or an upload as base64) tried under `profile` (omitted: only the one in force). */
  tryMail: (mail: { mail?: string; mail_base64?: string }, profile?: Profile) =>
    transport.json<Tried>('POST', '/profile/try', profile === undefined ? mail : { ...mail, profile }),
  regex: (kind: PatternKind, pattern: string, samples: string[]) =>
    transport.json<{ samples: SampleResult[] }>('POST', '/profile/regex', { kind, pattern, samples }),
  test: (request: PreviewRequest & { to: string }) =>
    transport.json<{ id: string; status: string }>('POST', '/notifications/test', request),
};

/** The 409 of a save, when `e` is one. */
export function staleOf(e: unknown): Stale | null {
  if (!(e instanceof ApiFailure) || e.status !== 409) return null;
  const body = e.body as Partial<Stale> | null;
  return typeof body?.version === 'number' ? { error: e.message, version: body.version, differs: body.differs ?? [] } : null;
}

/**
 * Shows why a save was refused: the 409 (and scrolls to its message, `#stale-title`), or
 * each mistake by its path (and focuses the first field marked invalid).
 */
export function showRefusal(e: unknown, stale: (found: Stale) => void, errors: (byPath: Record<string, string[]>) => void) {
  const found = staleOf(e);
  if (found) {
    stale(found);
    window.setTimeout(() => document.getElementById('stale-title')?.scrollIntoView(), 0);
  } else {
    errors(errorsByPath(e));
    window.setTimeout(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
  }
}

/** A refused save's messages by the JSON path they name (`own.addresses[1]`); `.` for the rest. */
export function errorsByPath(e: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (path: string, text: string) => (out[path] = [...(out[path] ?? []), text]);
  if (e instanceof ApiFailure && e.fieldErrors.length > 0) for (const f of e.fieldErrors) add(f.field, f.message);
  else add('.', e instanceof Error ? e.message : String(e));
  return out;
}

/** The messages at `path` or below it (`rules[1].to` takes `rules[1].to[0]`). */
export function errorsAt(errors: Record<string, string[]>, path: string): string[] {
  return Object.entries(errors)
    .filter(([at]) => at === path || at.startsWith(`${path}[`) || at.startsWith(`${path}.`))
    .flatMap(([, messages]) => messages);
}
