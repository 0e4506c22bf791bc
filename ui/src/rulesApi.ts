/**
 * The profile's history and its test cases: kept versions (list, one, the difference of
 * two, a restore) and the test cases replayed against the profile in force or a draft.
 * The shapes are those of postroom's OpenAPI description (`/api/v1/openapi.json`).
 */
import type { Profile, StoredProfile } from './profileApi';
import { transport } from './transport';

export interface ProfileVersion {
  version: number;
  saved_by: string;
  saved_at_ms: number;
}

export interface VersionList {
  current: number;
  versions: ProfileVersion[];
  kept: string;
}

export interface VersionDocument extends ProfileVersion {
  profile: Profile;
}

/** One value that differs; a side is absent where the path does not exist in it. */
export interface VersionChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface VersionDiff {
  from: ProfileVersion;
  to: ProfileVersion;
  changes: VersionChange[];
}

export interface TestCase {
  id: string;
  name: string;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface TestCaseDetail extends TestCase {
  expected: { field: string; value: unknown }[];
}

export interface PlanChange {
  field: string;
  expected: unknown;
  actual: unknown;
}

export interface CaseResult {
  id: string;
  name: string;
  changed: boolean;
  changes: PlanChange[];
}

export interface RunResult {
  against: 'in_force' | 'candidate';
  changed: number;
  cases: CaseResult[];
}

/** Where the Rules editor keeps the profile being edited, between pages. */
export const DRAFT_KEY = 'postroom.profileDraft';

/** The draft the Rules editor keeps, when there is one that reads. */
export function storedDraft(): { base_version: number; profile: Profile } | null {
  let text: string | null = null;
  try {
    text = window.sessionStorage.getItem(DRAFT_KEY);
  } catch {
    return null;
  }
  if (text === null) return null;
  try {
    const draft = JSON.parse(text) as { base_version?: unknown; profile?: unknown };
    if (typeof draft.profile !== 'object' || draft.profile === null) return null;
    return { base_version: typeof draft.base_version === 'number' ? draft.base_version : 0, profile: draft.profile as Profile };
  } catch {
    return null;
  }
}

const tc = (id: string) => `/testcases/${encodeURIComponent(id)}`;

/** Null where the host cannot send a file (inside Jira). */
function uploader(): ((file: Blob, name: string) => Promise<TestCaseDetail>) | null {
  const send = transport.upload?.bind(transport);
  if (!send) return null;
  return (file, name) => send<TestCaseDetail>(`/testcases?name=${encodeURIComponent(name)}`, file, 'message/rfc822');
}

export const rulesApi = {
  versions: () => transport.json<VersionList>('GET', '/profile/versions'),
  version: (version: number) => transport.json<VersionDocument>('GET', `/profile/versions/${version}`),
  diff: (from: number, to: number) => transport.json<VersionDiff>('GET', `/profile/versions/${from}/diff/${to}`),
  restore: (version: number, baseVersion: number) =>
    transport.json<StoredProfile>('POST', `/profile/versions/${version}/restore`, { base_version: baseVersion }),
  testCases: () => transport.json<{ cases: TestCase[] }>('GET', '/testcases'),
  testCase: (id: string) => transport.json<TestCaseDetail>('GET', tc(id)),
  upload: uploader(),
  remove: (id: string) => transport.json<null>('DELETE', tc(id)),
  accept: (id: string, profile?: Profile) => transport.json<TestCaseDetail>('POST', `${tc(id)}/accept`, profile ? { profile } : {}),
  run: (ids: string[] | null, profile?: Profile) =>
    transport.json<RunResult>('POST', '/testcases/run', { ...(ids ? { ids } : {}), ...(profile ? { profile } : {}) }),
};
