/** Signing in: through Jira (OAuth), or with a one-time link an administrator printed. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { Session } from '../api';
import { PageHeader } from '../components/PageHeader';
import { SectionMessage } from '../components/Load';
import { ApiFailure } from '../transport';

export function SignIn(props: { refused: string | null }) {
  return (
    <main id="main" class="signin">
      <PageHeader title="Sign in to postroom" />
      {props.refused && <SectionMessage title="You were not signed in">{props.refused}</SectionMessage>}
      <p>postroom signs you in through the Jira site it serves; what you may see follows your roles there.</p>
      <p>
        <a class="button button-primary" href="/auth/signin">
          Sign in with Jira
        </a>
      </p>
      <p class="subtle">
        No Jira sign-in configured yet? An administrator can print a one-time sign-in link with{' '}
        <code>postroom console link --account-id ID</code>.
      </p>
    </main>
  );
}

/**
 * Trades a one-time link's token for a session. The token is in the URL's fragment, which
 * the browser never sends, so it appears in no server or proxy log; it is taken out of the
 * address bar and history at once.
 */
export function LinkSignIn(props: { token: string; signedIn: (s: Session) => void }) {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    window.history.replaceState(null, '', '/#/');
    api.signInWithLink(props.token).then(props.signedIn, (e: unknown) =>
      setError(e instanceof ApiFailure ? e.message : String(e)),
    );
  }, [props.token]);
  return error ? <SignIn refused={error} /> : <p class="loading" role="status">Signing in…</p>;
}
