/**
 * Where the reader is, from the URL's fragment (`#/audit/ID`). A fragment never reaches the
 * server, so postroom serves one page at `/` and every console address can be bookmarked.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'overview' }
  | { page: 'audit'; from: string; status: string }
  | { page: 'audit-entry'; id: string }
  | { page: 'jobs' }
  | { page: 'agent' }
  | { page: 'data'; section: DataSection }
  | { page: 'feedback' }
  | { page: 'settings' }
  | { page: 'mailboxes'; name: string }
  | { page: 'notifications' }
  | { page: 'versions' }
  | { page: 'testcases' }
  | { page: 'rules' }
  | { page: 'sent'; kind: string; since: string }
  | { page: 'sent-entry'; id: string }
  | { page: 'templates' }
  | { page: 'template'; id: string }
  | { page: 'templates-import' }
  | { page: 'insights'; template: string }
  | { page: 'link'; token: string }
  | { page: 'not-found' };

/** The parts of "People and data" (`#/data/SECTION`), in the order its tabs show them. */
export const DATA_SECTIONS = ['suppressions', 'person', 'backups', 'inventory', 'tokens', 'access-log', 'erase'] as const;
export type DataSection = (typeof DATA_SECTIONS)[number];

function dataSection(part: string | undefined): DataSection | null {
  if (part === undefined) return 'suppressions';
  return (DATA_SECTIONS as readonly string[]).includes(part) ? (part as DataSection) : null;
}

/**
 * The route of a fragment; `/agent` (the agent's bookmark, served the same page) opens the
 * agent's page while the fragment names none.
 */
export function parse(hash: string, pathname = '/'): Route {
  if (pathname === '/agent' && hash.replace(/^#\/?/, '') === '') return { page: 'agent' };
  const [path = '', queryText = ''] = hash.replace(/^#/, '').split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(queryText);
  switch (parts[0]) {
    case undefined:
    case 'overview':
      return { page: 'overview' };
    case 'audit':
      return parts[1]
        ? { page: 'audit-entry', id: parts[1] }
        : { page: 'audit', from: query.get('from') ?? '', status: query.get('status') ?? '' };
    case 'jobs':
      return { page: 'jobs' };
    case 'agent':
      return { page: 'agent' };
    case 'data': {
      const section = dataSection(parts[1]);
      return section ? { page: 'data', section } : { page: 'not-found' };
    }
    case 'feedback':
      return { page: 'feedback' };
    case 'settings':
      return { page: 'settings' };
    case 'mailboxes':
      return { page: 'mailboxes', name: parts[1] ?? '' };
    case 'notifications':
      return { page: 'notifications' };
    case 'profile':
      return parts[1] === 'versions' ? { page: 'versions' } : { page: 'not-found' };
    case 'testcases':
      return { page: 'testcases' };
    case 'rules':
      return { page: 'rules' };
    case 'sent':
      return parts[1]
        ? { page: 'sent-entry', id: parts[1] }
        : { page: 'sent', kind: query.get('kind') ?? '', since: query.get('since') ?? '' };
    case 'templates':
      if (parts[1] === 'import') return { page: 'templates-import' };
      return parts[1] ? { page: 'template', id: parts[1] } : { page: 'templates' };
    case 'insights':
      return { page: 'insights', template: query.get('template') ?? '' };
    case 'link':
      return { page: 'link', token: parts[1] ?? '' };
    default:
      return { page: 'not-found' };
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(window.location.hash, window.location.pathname));
  useEffect(() => {
    const changed = () => setRoute(parse(window.location.hash, window.location.pathname));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}
