/**
 * Erasing this site: everything postroom holds for it goes, its data key first, so that
 * no copy (a backup included) can be read again. A site installed from Jira Cloud leaves
 * by uninstalling the app; the self-hosted site `default` is emptied and stays connected.
 */
import { useState } from 'preact/hooks';
import { api, dataApi } from '../../api';
import type { SiteErased } from '../../api';
import { Show, useLoad } from '../../components/Load';
import { ErrorText, useSubmit } from '../../components/Failure';

export function EraseSite(props: { tenant: string }) {
  const [loaded] = useLoad(api.overview, []);
  const [typed, setTyped] = useState('');
  const [done, setDone] = useState<SiteErased | null>(null);
  const { busy, error, submit: erase } = useSubmit(async () => setDone(await dataApi.eraseSite(typed.trim())));
  if (done)
    return (
      <div class="section-message section-message-success" role="status">
        <p>
          {done.emptied
            ? `Site ${done.tenant} is emptied: ${done.rows} records and ${done.blobs} stored files deleted, its key destroyed. It stays connected to Jira, with nothing else.`
            : `Site ${done.tenant} is erased: ${done.rows} records and ${done.blobs} stored files deleted, its key destroyed.`}{' '}
          Your session went with it.
        </p>
        <button type="button" class="button" onClick={() => window.location.reload()}>
          Sign in again
        </button>
      </div>
    );
  return (
    <Show loaded={loaded}>
      {(overview) => {
        const installed = overview.forge && overview.forge.uninstalled_at_ms === null;
        if (installed)
          return (
            <div class="section-message section-message-warning" role="note">
              <p>
                This site uses postroom through its app in Jira Cloud. To leave, uninstall the app in Jira (Apps, Manage apps):
                postroom then keeps the site's data for a while in case it is installed again, and erases it after that — or
                here, at once, once the app is uninstalled.
              </p>
            </div>
          );
        const selfHosted = props.tenant === 'default';
        return (
          <form class="stack danger-zone" aria-labelledby="erase-site-title" onSubmit={erase}>
            <h3 id="erase-site-title">Erase everything postroom holds for {props.tenant}</h3>
            <p>
              Mail taken in and its reports, mail sent, threading, templates, tokens, sessions, settings: all of it, now and for
              good. Its data key is destroyed first, so no backup of it can be read either. Jira keeps its issues.
            </p>
            <p>
              {selfHosted
                ? 'This is the self-hosted site: it is emptied, not removed — it stays connected to Jira as configured, with nothing else.'
                : 'The site is removed from this postroom.'}{' '}
              Everyone signed in to it, you included, is signed out.
            </p>
            <div class="field">
              <label for="erase-site-confirm">Type {props.tenant} to confirm</label>
              <input id="erase-site-confirm" type="text" autoComplete="off" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
            </div>
            <ErrorText error={error} />
            <div>
              <button type="submit" class="button button-danger" disabled={busy || typed.trim() !== props.tenant}>
                Erase this site's data
              </button>
            </div>
          </form>
        );
      }}
    </Show>
  );
}
