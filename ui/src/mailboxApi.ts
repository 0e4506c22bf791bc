/**
 * The site's IMAP mailboxes (`/mailboxes`): those of `postroom.toml` and the profile shown
 * read-only with where they come from, those added here edited and removed; a test of any
 * of them, step by step; connecting a Google or Microsoft 365 mailbox through the
 * provider's consent. Credentials are write-only: never in an answer.
 */
import { transport } from './transport';

export type MailboxSource = 'postroom_toml' | 'profile' | 'site';

export interface Mailbox {
  name: string;
  source: MailboxSource;
  key: string | null;
  editable: boolean;
  server: string;
  port: number;
  security: 'tls' | 'starttls' | 'plain';
  user: string | null;
  auth: 'login' | 'xoauth2';
  provider: 'google' | 'microsoft' | null;
  folder: string;
  after: 'flag' | 'move' | 'delete';
  move_folder: string | null;
  poll_interval_secs: number;
  store_raw: boolean;
  ca_file: string | null;
  credential_set: boolean;
  problem: string | null;
  last_poll_ms: number | null;
  last_error: string | null;
  last_error_ms: number | null;
  waiting: number | null;
  updated_at_ms: number | null;
  updated_by: string | null;
}

export interface MailboxProvider {
  name: 'google' | 'microsoft';
  configured: boolean;
  imap_server: string;
}

export interface MailboxList {
  mailboxes: Mailbox[];
  providers: MailboxProvider[];
  redirect_uri: string;
}

/** A mailbox as the form sends it; `password` left out of an edit keeps the stored one. */
export interface MailboxInput {
  name?: string;
  server: string;
  port?: number;
  security?: string;
  user: string;
  password?: string;
  folder?: string;
  after?: string;
  move_folder?: string;
  poll_interval_secs?: number;
  store_raw?: boolean;
}

export type StepStatus = 'ok' | 'failed' | 'skipped' | 'not_reached';

export interface MailboxTest {
  name: string;
  ok: boolean;
  steps: { step: string; label: string; status: StepStatus; detail: string | null }[];
  failed_step: string | null;
  error: string | null;
  folders: { name: string; messages: number | null }[];
  waiting: number | null;
  idle: boolean | null;
}

const path = (name: string) => `/mailboxes/${encodeURIComponent(name)}`;

export const mailboxApi = {
  list: () => transport.json<MailboxList>('GET', '/mailboxes'),
  add: (input: MailboxInput) => transport.json<Mailbox>('POST', '/mailboxes', input),
  edit: (name: string, input: MailboxInput) => transport.json<Mailbox>('PUT', path(name), input),
  remove: (name: string) => transport.json<null>('DELETE', path(name)),
  test: (name: string) => transport.json<MailboxTest>('POST', `${path(name)}/test`),
  connect: (provider: string, input: MailboxInput) =>
    transport.json<{ authorize_url: string }>('POST', '/mailboxes/connect', { provider, ...input }),
};

/** The provider's name as people know it. */
export function providerLabel(provider: string): string {
  return provider === 'google' ? 'Google' : provider === 'microsoft' ? 'Microsoft 365' : provider;
}
