/** The console's frame: who is signed in, the navigation their role allows, the page. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import type { Role, Session } from './api';
import { FlagProvider } from './components/Flags';
import { SectionMessage } from './components/Load';
import { Agent } from './pages/Agent';
import { Audit } from './pages/Audit';
import { AuditEntry } from './pages/AuditEntry';
import { Data } from './pages/data/Data';
import { Feedback } from './pages/Feedback';
import { InsightsPage } from './pages/Insights';
import { Jobs } from './pages/Jobs';
import { Mailboxes } from './pages/Mailboxes';
import { Notifications } from './pages/Notifications';
import { Overview } from './pages/Overview';
import { Rules } from './pages/Rules';
import { Sent } from './pages/Sent';
import { SentMail } from './pages/SentMail';
import { Settings } from './pages/Settings';
import { LinkSignIn, SignIn } from './pages/SignIn';
import { TemplateEditor } from './pages/TemplateEditor';
import { TemplateImport } from './pages/TemplateImport';
import { TestCases } from './pages/TestCases';
import { Versions } from './pages/Versions';
import { Templates } from './pages/Templates';
import { useRoute } from './route';
import type { Route } from './route';
import { setMode, storedMode } from './theme';
import type { ColorMode } from './theme';
import { ApiFailure, transport } from './transport';

type Auth = { state: 'checking' } | { state: 'signed-out'; refused: string | null } | { state: 'signed-in'; session: Session };

/**
 * Canned responses and their Insights reach every role: each sees the templates and
 * figures their scope allows (the API decides, per template).
 */
const TEMPLATE_PAGES: Route['page'][] = ['templates', 'template', 'templates-import', 'insights'];

/** Which pages each role reaches; the server enforces the same on every API call. */
const PAGES: Record<Role, ReadonlySet<Route['page']>> = {
  admin: new Set(['overview', 'audit', 'audit-entry', 'sent', 'sent-entry', 'jobs', 'agent', ...TEMPLATE_PAGES, 'rules', 'notifications', 'mailboxes', 'versions', 'testcases', 'data', 'settings', 'feedback']),
  project_admin: new Set(['audit', 'audit-entry', 'agent', ...TEMPLATE_PAGES]),
  agent: new Set(['agent', ...TEMPLATE_PAGES]),
};

export function App() {
  const route = useRoute();
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });
  const signedIn = (session: Session) => {
    transport.setCsrf(session.csrf_token);
    setAuth({ state: 'signed-in', session });
  };
  useEffect(() => {
    if (route.page === 'link') return;
    const refused = new URLSearchParams(window.location.search).get('refused');
    api.session().then(signedIn, (e: unknown) => {
      if (e instanceof ApiFailure && e.status === 401) setAuth({ state: 'signed-out', refused });
      else setAuth({ state: 'signed-out', refused: e instanceof Error ? e.message : String(e) });
    });
  }, []);
  if (route.page === 'link') return <LinkSignIn token={route.token} signedIn={signedIn} />;
  if (auth.state === 'checking') return <p class="loading" role="status">Loading…</p>;
  if (auth.state === 'signed-out') {
    // Inside Jira, Jira signed the person in: a refusal there is the app's, not a sign-in to do.
    if (!transport.ownSignIn)
      return (
        <main id="main">
          <SectionMessage title="postroom cannot be reached from this site">
            {auth.refused ?? 'postroom did not accept this site or this account. Ask a Jira administrator to check the app.'}
          </SectionMessage>
        </main>
      );
    return <SignIn refused={auth.refused} />;
  }
  return (
    <FlagProvider>
      <Frame session={auth.session} route={route} signedOut={() => setAuth({ state: 'signed-out', refused: null })} />
    </FlagProvider>
  );
}

function Frame(props: { session: Session; route: Route; signedOut: () => void }) {
  const { session, route } = props;
  const allowed = PAGES[session.role];
  const main = useRef<HTMLElement>(null);
  useEffect(() => {
    // A new page: move focus to its title, as a screen reader user expects after a link.
    main.current?.querySelector<HTMLElement>('#page-title')?.focus();
  }, [route.page]);
  const signOut = async () => {
    try {
      await api.signOut();
    } finally {
      transport.setCsrf(null);
      props.signedOut();
    }
  };
  const home: Route['page'] = allowed.has('overview') ? 'overview' : allowed.has('audit') ? 'audit' : 'agent';
  const page = route.page === 'overview' && !allowed.has('overview') ? home : route.page;
  return (
    <>
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => {
          // The fragment is the console's route: move focus without changing it.
          e.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top-bar">
        <a class="product" href="#/">
          postroom
        </a>
        <nav aria-label="Console">
          <ul class="nav">
            {allowed.has('overview') && <NavItem href="#/overview" label="Overview" current={page === 'overview'} />}
            {allowed.has('audit') && <NavItem href="#/audit" label="Audit" current={page === 'audit' || page === 'audit-entry'} />}
            {allowed.has('sent') && <NavItem href="#/sent" label="Sent" current={page === 'sent' || page === 'sent-entry'} />}
            {allowed.has('jobs') && <NavItem href="#/jobs" label="Jobs" current={page === 'jobs'} />}
            {allowed.has('agent') && <NavItem href="#/agent" label="Answer" current={page === 'agent'} />}
            {allowed.has('templates') && (
              <NavItem
                href="#/templates"
                label="Canned responses"
                current={page === 'templates' || page === 'template' || page === 'templates-import'}
              />
            )}
            {allowed.has('insights') && <NavItem href="#/insights" label="Insights" current={page === 'insights'} />}
            {allowed.has('rules') && <NavItem href="#/rules" label="Rules" current={page === 'rules'} />}
            {allowed.has('notifications') && (
              <NavItem href="#/notifications" label="Notifications" current={page === 'notifications'} />
            )}
            {allowed.has('mailboxes') && <NavItem href="#/mailboxes" label="Mailboxes" current={page === 'mailboxes'} />}
            {allowed.has('versions') && <NavItem href="#/profile/versions" label="Versions" current={page === 'versions'} />}
            {allowed.has('testcases') && <NavItem href="#/testcases" label="Test cases" current={page === 'testcases'} />}
            {allowed.has('data') && <NavItem href="#/data" label="People and data" current={page === 'data'} />}
            {allowed.has('settings') && <NavItem href="#/settings" label="Settings" current={page === 'settings'} />}
            {allowed.has('feedback') && <NavItem href="#/feedback" label="Feedback" current={page === 'feedback'} />}
          </ul>
        </nav>
        <div class="account">
          <ThemeSwitch />
          <span class="account-name" title={session.account_id}>
            {session.account_id}
          </span>
          {transport.ownSignIn && (
            <button type="button" class="button button-subtle" onClick={signOut}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {!allowed.has(page) ? (
          <SectionMessage title="Page not found">There is no such page, or your role does not reach it.</SectionMessage>
        ) : (
          <Page route={route} session={session} page={page} />
        )}
      </main>
    </>
  );
}

function Page(props: { route: Route; session: Session; page: Route['page'] }) {
  const { route } = props;
  if (route.page === 'audit') return <Audit from={route.from} status={route.status} />;
  if (route.page === 'audit-entry') return <AuditEntry id={route.id} session={props.session} />;
  if (route.page === 'jobs') return <Jobs />;
  if (route.page === 'data') return <Data section={route.section} session={props.session} />;
  if (route.page === 'feedback') return <Feedback />;
  if (route.page === 'settings') return <Settings />;
  if (route.page === 'mailboxes') return <Mailboxes focus={route.name} />;
  if (route.page === 'notifications') return <Notifications />;
  if (route.page === 'versions') return <Versions />;
  if (route.page === 'testcases') return <TestCases />;
  if (route.page === 'rules') return <Rules />;
  if (route.page === 'sent') return <Sent kind={route.kind} since={route.since} />;
  if (route.page === 'sent-entry') return <SentMail id={route.id} />;
  if (route.page === 'templates') return <Templates />;
  if (route.page === 'template') return <TemplateEditor id={route.id} session={props.session} />;
  if (route.page === 'templates-import') return <TemplateImport />;
  if (route.page === 'insights') return <InsightsPage template={route.template} />;
  if (props.page === 'agent') return <Agent />;
  if (props.page === 'audit') return <Audit from="" status="" />;
  return <Overview />;
}

function NavItem(props: { href: string; label: string; current: boolean }) {
  return (
    <li>
      <a href={props.href} aria-current={props.current ? 'page' : undefined}>
        {props.label}
      </a>
    </li>
  );
}

function ThemeSwitch() {
  const [mode, setState] = useState<ColorMode>(storedMode());
  return (
    <label class="theme-switch">
      <span class="visually-hidden">Colour theme</span>
      <select
        value={mode}
        onChange={(e) => {
          const next = e.currentTarget.value as ColorMode;
          setMode(next);
          setState(next);
        }}
      >
        <option value="auto">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}
