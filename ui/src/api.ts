/**
 * The calls the console makes, one function each, over the host's {@link transport}.
 *
 * The shapes are those of postroom's OpenAPI description (`/api/v1/openapi.json`), where
 * each field is documented.
 */
import { transport } from './transport';

export type Role = 'admin' | 'project_admin' | 'agent';

export interface Session {
  tenant: string;
  account_id: string;
  role: Role;
  projects: string[];
  csrf_token: string | null;
}

export interface DepthRow {
  kind: string;
  ready: number;
  dead: number;
  oldest_due_ms: number | null;
}

export interface MailboxState {
  name: string;
  last_poll_ms: number;
  /** What went wrong in the latest poll; null when it went through. */
  last_error: string | null;
  last_error_ms: number | null;
  /** Messages not taken in yet, as the latest poll counted them. */
  waiting: number | null;
}

export interface Attention {
  severity: 'error' | 'warning';
  text: string;
  /** Where it is fixed: a console route (`#/jobs`) or null when only the CLI can. */
  link: string | null;
  command: string | null;
}

export interface OutcomeCount {
  status: string;
  count: number;
}

export interface Overview {
  listeners: { name: string; address: string }[];
  mailboxes: MailboxState[];
  jira: {
    configured: boolean;
    url: string | null;
    reachable: boolean | null;
    requests_per_sec: number | null;
    limit_seen: number | null;
    throttled: number | null;
    waited_secs: number | null;
    concurrency: number | null;
    rate_limit_headers: Record<string, string>;
  };
  queue: DepthRow[];
  dead_jobs: number;
  last_24h: OutcomeCount[];
  attention: Attention[];
  /** Set for a Jira Cloud site that installed postroom's Forge app. */
  forge?: ForgeStanding | null;
}

export interface ForgeStanding {
  installed_at_ms: number;
  uninstalled_at_ms: number | null;
  erase_at_ms: number | null;
  /** null: the tokens carry no licence (development, free, private installs): counts as licensed. */
  licence_active: boolean | null;
  system_token_until_ms: number | null;
}

export interface AuditItem {
  id: string;
  received_at_ms: number;
  mailbox: string;
  source: string;
  size: number;
  status: string;
  reason: string | null;
  store_raw: boolean;
  issue_key: string | null;
  comment_id: string | null;
  sender_hash: string | null;
  processed_at_ms: number | null;
}

export interface AuditDetail extends AuditItem {
  report: unknown;
}

export interface Job {
  id: number;
  kind: string;
  state: string;
  attempts: number;
  run_at_ms: number;
  last_error: string | null;
  created_at_ms: number;
}

export interface Jobs {
  depth: DepthRow[];
  dead: Job[];
}

export interface Usage {
  flags_enabled: boolean;
  flags: { flag: string; count: number }[];
  insights: { week_ms: number; template_id: string; account_id: string; inserted: number; posted: number }[];
}

export const api = {
  usage: () => transport.json<Usage>('GET', '/usage'),
  session: () => transport.json<Session>('GET', '/session'),
  signInWithLink: (token: string) => transport.json<Session>('POST', '/session/link', { token }),
  signOut: () => transport.json<null>('POST', '/session/signout'),
  overview: () => transport.json<Overview>('GET', '/overview'),
  audit: (query: { from?: string; status?: string; since?: string }) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
    const text = params.toString();
    return transport.json<{ entries: AuditItem[] }>('GET', `/audit${text ? `?${text}` : ''}`);
  },
  auditEntry: (id: string) => transport.json<AuditDetail>('GET', `/audit/${encodeURIComponent(id)}`),
  rawHref: (id: string) => transport.href(`/audit/${encodeURIComponent(id)}/raw`),
  bundleHref: (id: string, redact: boolean) =>
    transport.href(`/audit/${encodeURIComponent(id)}/bundle${redact ? '?redact=true' : ''}`),
  htmlHref: (id: string) => transport.href(`/audit/${encodeURIComponent(id)}/html`),
  reprocess: (id: string) => transport.json<{ job_id: number | null }>('POST', `/audit/${encodeURIComponent(id)}/reprocess`),
  release: (id: string) => transport.json<{ job_id: number | null }>('POST', `/audit/${encodeURIComponent(id)}/release`),
  makeTestCase: (id: string) =>
    transport.json<{ id: string; name: string }>('POST', `/audit/${encodeURIComponent(id)}/testcase`),
  jobs: () => transport.json<Jobs>('GET', '/jobs'),
  retryJob: (id: number) => transport.json<null>('POST', `/jobs/${id}/retry`),
};
