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

export type ScopeKind = 'personal' | 'projects' | 'groups' | 'global';

export interface ScopeValue {
  kind: ScopeKind;
  values?: string[];
}

/** What an author writes; what an export file carries. */
export interface Draft {
  name: string;
  body: string;
  description: string;
  folder: string | null;
  tags: string[];
  scope: ScopeValue;
}

export interface Template extends Draft {
  id: string;
  owner_account_id: string;
  created_at_ms: number;
  updated_at_ms: number;
  usage_count: number;
  last_used_at_ms: number | null;
  /** `administer`: the caller may change and delete it; `use`: only use it. */
  access: 'use' | 'administer';
}

export interface DraftPreview {
  text: string;
  missing: string[];
}

export interface Counts {
  inserted: number;
  posted: number;
}

export interface Insights {
  templates: (Counts & {
    id: string;
    name: string;
    folder: string | null;
    scope: ScopeValue;
    created_at_ms: number;
    last_used_at_ms: number | null;
  })[];
  agents: (Counts & { account_id: string })[];
  weeks: (Counts & { week_ms: number })[];
  unused: { id: string; name: string; created_at_ms: number; last_used_at_ms: number | null }[];
  top_by_project: (Counts & { project: string; template_id: string; name: string })[];
}

const seg = encodeURIComponent;

export interface SentEntry {
  id: string;
  /** `notification`, `acknowledgement` or `notice`. */
  kind: string;
  /** `queued`, `sent`, `skipped` or `failed`. */
  status: string;
  /** Why it was skipped or failed (a bounce says so here). */
  detail: string | null;
  issue_key: string | null;
  created_at_ms: number;
  sent_at_ms: number | null;
  to: string | null;
  subject: string | null;
  event: string | null;
  notes: string[];
  mime_kept: boolean;
}

export const api = {
  sent: (query: { kind?: string; since?: string }) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
    const text = params.toString();
    return transport.json<{ entries: SentEntry[] }>('GET', `/audit/sent${text ? `?${text}` : ''}`);
  },
  sentEntry: (id: string) => transport.json<SentEntry>('GET', `/audit/sent/${seg(id)}`),
  sentMimeHref: (id: string) => transport.href(`/audit/sent/${seg(id)}/mime`),
  sentHtmlHref: (id: string) => transport.href(`/audit/sent/${seg(id)}/html`),
  templates: () => transport.json<Template[]>('GET', '/templates'),
  template: (id: string) => transport.json<Template>('GET', `/templates/${seg(id)}`),
  createTemplate: (draft: Draft) => transport.json<Template>('POST', '/templates', draft),
  updateTemplate: (id: string, draft: Draft) => transport.json<Template>('PUT', `/templates/${seg(id)}`, draft),
  deleteTemplate: (id: string) => transport.json<null>('DELETE', `/templates/${seg(id)}`),
  variables: () => transport.json<string[]>('GET', '/templates/variables'),
  previewDraft: (body: string, issue: string) => transport.json<DraftPreview>('POST', '/templates/preview', { body, issue }),
  exportTemplates: () => transport.json<unknown>('GET', '/templates/export'),
  importTemplates: (file: unknown) => transport.json<{ imported: Template[] }>('POST', '/templates/import', file),
  insights: (template: string) =>
    transport.json<Insights>('GET', `/templates/insights${template ? `?template=${seg(template)}` : ''}`),
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
