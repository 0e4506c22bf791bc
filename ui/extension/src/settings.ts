/**
 * What the agent tells the extension once, in its options page: their postroom's address,
 * a personal API token (`postroom token create`), and the Jira sites to work on. Kept in
 * the extension's own `storage.local`, which no web page can read; no cookie is involved.
 */
export interface Settings {
  /** postroom's base URL, e.g. `https://postroom.example.com`. */
  postroom: string;
  /** A personal API token, `pr_…`. */
  token: string;
  /** The Jira sites' base URLs, e.g. `https://example.atlassian.net`. */
  sites: string[];
}

const KEY = 'settings';

export async function loadSettings(): Promise<Settings> {
  const stored = (await chrome.storage.local.get(KEY))[KEY] as Partial<Settings> | undefined;
  return {
    postroom: typeof stored?.postroom === 'string' ? stored.postroom : '',
    token: typeof stored?.token === 'string' ? stored.token : '',
    sites: Array.isArray(stored?.sites) ? stored.sites.filter((s): s is string => typeof s === 'string') : [],
  };
}

export async function saveSettings(settings: Settings): Promise<void> {
  await chrome.storage.local.set({ [KEY]: settings });
}

/**
 * A site's address as the extension keeps it (no trailing slash), or why it cannot be one:
 * HTTPS, or HTTP on this computer (a test or a local Jira), with no query or fragment.
 */
export function parseSite(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return `“${text.trim()}” is not an address; write it as https://jira.example.com`;
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return `${url.origin} must use https (plain http only on this computer)`;
  }
  if (url.search || url.hash || url.username || url.password) {
    return `${text.trim()}: give the site's address only, with no query, fragment or password`;
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/** The address as kept: origin and path, no trailing slash. */
export function siteText(url: URL): string {
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * The match pattern of a site (its host and path, any port: Firefox's patterns cannot name
 * a port), for host permissions and the content script's registration.
 */
export function matchPattern(site: string): string {
  const url = new URL(site);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.hostname}${path}/*`;
}

/** Whether `address` is on one of `sites` (origin and path prefix). */
export function onSite(address: string, sites: string[]): string | null {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return null;
  }
  for (const site of sites) {
    const named = new URL(site);
    const path = named.pathname.replace(/\/+$/, '');
    if (url.origin === named.origin && (url.pathname === path || url.pathname.startsWith(`${path}/`))) return site;
  }
  return null;
}
