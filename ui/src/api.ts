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

/* People and data: the suppression list, a person's data, backups, the data inventory with
 * the site's periods, API tokens, the access log, erasing the site, and feedback. */

export interface SuppressionEntry {
  address: string;
  address_hash: string;
  suppressed: boolean;
  hard: boolean;
  bounces: number;
  withheld: number;
  status: string | null;
  diagnostic: string | null;
  first_at_ms: number;
  last_at_ms: number;
}

/** Whom a person's-data request is about: an address or an agent's account id. */
export interface PersonQuery {
  address?: string;
  account_id?: string;
  deep?: boolean;
}

/** What `/people/find` answers: every record per kind, opened, and what is not covered. */
export interface PersonFound {
  deep: boolean;
  messages: { id: string; received_at_ms: number; mailbox: string; status: string; issue_key: string | null; raw_kept: boolean }[];
  sent: { id?: string; kind?: string; status?: string; issue_key?: string | null; created_at_ms?: number }[];
  suppression: { suppressed: boolean; hard: boolean; bounces: number; withheld: number; status: string | null } | null;
  rate_counters: unknown[];
  jira_accounts: unknown[];
  thread_map: unknown[];
  test_cases: { id: string; name: string }[];
  canned_responses: Record<string, unknown> | null;
  jira: { issues: { key: string; created: boolean; comments: string[] }[]; email_fields: { key: string }[]; note: string | null };
  unreadable: string[];
  not_covered: string[];
}

export interface PersonErased {
  found: PersonFound;
  erased: {
    blobs: number;
    test_cases: number;
    rows: { intake: number; reports: number; sent_mail: number; thread_map: number; counters: number; suppression_removed: boolean; suppression_marker: boolean };
  };
}

export interface Backup {
  id: string;
  created_at_ms: number | null;
  stored_bytes: number | null;
  blobs: number | null;
  method: string | null;
  problem: string | null;
}

export interface Backups {
  target: string;
  schedule: string;
  keep: number;
  last_backup_at_ms: number | null;
  backups: Backup[];
}

export interface Verified {
  id: string;
  intact: boolean;
  problem: string | null;
  backup: Backup | null;
}

export interface KindDays {
  intake: number;
  reports: number;
  sent_mail: number;
}

export interface Retention {
  in_force: KindDays;
  own: { intake: number | null; reports: number | null; sent_mail: number | null };
  min_days: KindDays;
  max_days: KindDays;
  default_days: number;
}

export interface Declared {
  name?: string;
  path?: string;
  prefix?: string;
  to?: string;
  what: string;
  protection: string;
  kept: string;
}

export interface Inventory {
  declared: { tables: Declared[]; blobs: Declared[]; files: Declared[]; sent: Declared[] };
  in_force: KindDays;
  raw_mail_kept: boolean;
}

export interface ApiToken {
  id: string;
  account_id: string;
  name: string;
  scope: 'admin' | 'agent';
  created_at_ms: number;
}

export interface AccessLine {
  at_ms: number;
  method: string;
  route: string;
  status: number;
  account_id: string | null;
  ip: string | null;
}

export interface SiteErased {
  tenant: string;
  key_destroyed: boolean;
  blobs: number;
  rows: number;
  emptied: boolean;
}

export interface JiraCheck {
  url: string | null;
  auth: string | null;
  account: string | null;
  connected: boolean;
  report: {
    deployment_type: string;
    version: string;
    account_name: string;
    account_id: string;
    can_see_email_addresses: boolean;
    projects: { key: string; name: string; can_set_reporter: boolean | null }[];
    rate_limit_headers: Record<string, string>;
  } | null;
  problem: string | null;
}

/* Settings: outbound mail (each value with where it comes from), its test send, and the
 * webhook secret. */

/** Where a setting's value comes from; `postroom_toml` values are read-only here. */
export type SettingSource = 'postroom_toml' | 'sandbox' | 'site' | 'default';

export interface SettingRow {
  label: string;
  value: string | null;
  secret: boolean;
  set: boolean;
  source: SettingSource;
  key: string | null;
}

export interface OutboundSettings {
  transport: 'smtp' | 'file' | 'none';
  transport_source: SettingSource;
  settings: SettingRow[];
  relay_editable: boolean;
  relay_locked_by: string | null;
  relay: { host: string; port: number; security: RelaySecurity; username: string | null; password_set: boolean } | null;
  bounce_address: string | null;
  dkim_key: string | null;
  dkim_keys: string[];
  warnings: string[];
}

export type RelaySecurity = 'starttls' | 'tls' | 'plain';

/** A change of the outbound settings: a field left out stays; `relay: null` removes the relay. */
export interface OutboundUpdate {
  bounce_address?: string;
  dkim_key?: string;
  relay?: { host: string; port?: number; security: RelaySecurity; username?: string; password?: string } | null;
}

export interface TestMailAnswer {
  id: string;
  outcome: 'accepted' | 'refused' | 'unreachable' | 'broken' | 'misconfigured' | 'failed';
  step: string | null;
  code: number | null;
  reply: string;
}

export interface WebhookSecretInfo {
  set: boolean;
  source: SettingSource | null;
  key: string | null;
  rotated_at_ms: number | null;
  rotatable: boolean;
  url: string;
  events: string[];
}

export interface RotatedSecret {
  secret: string;
  url: string;
  events: string[];
  steps: string[];
  rotated_at_ms: number;
}

export const dataApi = {
  outbound: () => transport.json<OutboundSettings>('GET', '/settings/outbound'),
  setOutbound: (update: OutboundUpdate) => transport.json<OutboundSettings>('PUT', '/settings/outbound', update),
  testMail: (to: string) => transport.json<TestMailAnswer>('POST', '/settings/outbound/test', { to }),
  webhookSecret: () => transport.json<WebhookSecretInfo>('GET', '/settings/webhook-secret'),
  rotateWebhookSecret: () => transport.json<RotatedSecret>('POST', '/settings/webhook-secret/rotate'),
  jiraCheck: () => transport.json<JiraCheck>('GET', '/settings/jira/check'),
  suppressions: (address: string) =>
    transport.json<{ entries: SuppressionEntry[] }>(
      'GET',
      `/suppressions${address.trim() ? `?address=${encodeURIComponent(address.trim())}` : ''}`,
    ),
  clearSuppression: (address: string) => transport.json<{ cleared: number }>('POST', '/suppressions/clear', { address }),
  findPerson: (query: PersonQuery) => transport.json<PersonFound>('POST', '/people/find', query),
  /** The export archive; null where this host cannot download a file (inside Jira). */
  exportPerson: (query: PersonQuery) => (transport.blob ? transport.blob('POST', '/people/export', query) : null),
  erasePerson: (query: PersonQuery & { include_suppression: boolean; jira: boolean }) =>
    transport.json<PersonErased>('POST', '/people/erase', query),
  backups: () => transport.json<Backups>('GET', '/backups'),
  backUpNow: () => transport.json<Backups>('POST', '/backups'),
  verifyBackup: (id: string) => transport.json<Verified>('POST', `/backups/${encodeURIComponent(id)}/verify`),
  inventory: () => transport.json<Inventory>('GET', '/inventory'),
  retention: () => transport.json<Retention>('GET', '/settings/retention'),
  setRetention: (change: Partial<KindDays>) => transport.json<Retention>('PUT', '/settings/retention', change),
  rawMail: () => transport.json<{ store_raw: boolean }>('GET', '/settings/raw-mail'),
  setRawMail: (storeRaw: boolean) => transport.json<{ store_raw: boolean }>('PUT', '/settings/raw-mail', { store_raw: storeRaw }),
  tokens: () => transport.json<{ tokens: ApiToken[] }>('GET', '/tokens'),
  createToken: (name: string, scope: ApiToken['scope']) =>
    transport.json<{ token: ApiToken; secret: string }>('POST', '/tokens', { name, scope }),
  revokeToken: (id: string) => transport.json<null>('DELETE', `/tokens/${encodeURIComponent(id)}`),
  accessLog: () => transport.json<{ entries: AccessLine[] }>('GET', '/access-log'),
  eraseSite: (confirm: string) => transport.json<SiteErased>('POST', '/site/erase', { confirm }),
  feedback: (text: string, includeAddress: string | null) =>
    transport.json<{ job_id: number | null }>('POST', '/feedback', includeAddress ? { text, include_address: includeAddress } : { text }),
};

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
