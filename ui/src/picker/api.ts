/**
 * The picker's calls, one function each, over a host's {@link Transport}: the console's
 * `/agent` page and the Forge app's issue view use the host's own transport
 * (`../transport`), the browser extension one that carries the agent's API token.
 *
 * The shapes are those of postroom's OpenAPI description (`/api/v1/openapi.json`).
 */
import type { Transport } from '../transport';

export interface Transition {
  id: string;
  name: string;
}

export interface IssueBrief {
  key: string;
  summary: string;
  project: string;
  status: string;
}

export interface Answerable extends IssueBrief {
  /** A service desk: a reply is public or an internal note. */
  service_desk: boolean;
  transitions: Transition[];
}

export interface TemplateHit {
  id: string;
  name: string;
  description: string;
  folder: string | null;
  tags: string[];
}

export interface Preview {
  text: string;
  /** Variables with no value on this issue, as dotted paths. */
  missing: string[];
}

export interface Applied {
  comment_id: string;
  text: string;
  missing: string[];
  transition_id: string | null;
}

/** Flags only the picker can see; inserts and posts are counted by postroom itself. */
export type PickerFlag = 'picker_opened' | 'filters_used' | 'extension_used' | 'extension_not_used';

const id = encodeURIComponent;

/** The picker's calls over `transport`. */
export const pickerApiOver = (transport: Transport) => ({
  findIssues: (q: string) => transport.json<IssueBrief[]>('GET', `/agent/issues?q=${id(q)}`),
  issue: (key: string) => transport.json<Answerable>('GET', `/agent/issues/${id(key)}`),
  search: (q: string, project: string, limit = 20) =>
    transport.json<TemplateHit[]>('GET', `/templates/search?q=${id(q)}&project=${id(project)}&limit=${limit}`),
  favourites: () => transport.json<string[]>('GET', '/agent/favourites'),
  setFavourite: (template: string, on: boolean) =>
    transport.json<null>(on ? 'PUT' : 'DELETE', `/templates/${id(template)}/favourite`),
  render: (template: string, issue: string, values: Record<string, string>, inserted: boolean) =>
    transport.json<Preview>('POST', `/templates/${id(template)}/render`, { issue, values, inserted }),
  apply: (template: string, body: { issue: string; public: boolean | null; transition: string | null; values: Record<string, string> }) =>
    transport.json<Applied>('POST', `/templates/${id(template)}/apply`, body),
  savePersonal: (name: string, body: string) =>
    transport.json<TemplateHit>('POST', '/templates', { name, body, scope: { kind: 'personal' } }),
  flag: (flag: PickerFlag) => transport.json<null>('POST', '/usage/flags', { flag }),
});

export type PickerApi = ReturnType<typeof pickerApiOver>;
