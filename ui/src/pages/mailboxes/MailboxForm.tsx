/**
 * Adding or editing a mailbox of this site, or connecting a Google or Microsoft 365 one:
 * one form, every refusal next to its field. The password is write-only: left empty in an
 * edit, the stored one stays. Connecting goes to the provider's consent and comes back.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ErrorText } from '../../components/Failure';
import { mailboxApi, providerLabel } from '../../mailboxApi';
import type { Mailbox, MailboxInput, MailboxProvider } from '../../mailboxApi';
import { ApiFailure } from '../../transport';

export type FormMode = { kind: 'add' } | { kind: 'edit'; mailbox: Mailbox } | { kind: 'connect'; provider: MailboxProvider['name'] };

export function MailboxForm(props: {
  mode: FormMode;
  providers: MailboxProvider[];
  onDone: (tested: string | null) => void;
  onCancel: () => void;
}) {
  const { mode } = props;
  const existing = mode.kind === 'edit' ? mode.mailbox : null;
  const provider = mode.kind === 'connect' ? props.providers.find((p) => p.name === mode.provider) : undefined;
  const oauth = mode.kind === 'connect' || existing?.auth === 'xoauth2';
  const [name, setName] = useState(existing?.name ?? '');
  const [server, setServer] = useState(existing?.server ?? provider?.imap_server ?? '');
  const [port, setPort] = useState(existing ? String(existing.port) : '');
  const [security, setSecurity] = useState<string>(existing?.security ?? 'tls');
  const [user, setUser] = useState(existing?.user ?? '');
  const [password, setPassword] = useState('');
  const [folder, setFolder] = useState(existing?.folder ?? 'INBOX');
  const [after, setAfter] = useState<string>(existing?.after ?? 'flag');
  const [moveFolder, setMoveFolder] = useState(existing?.move_folder ?? '');
  const [pollSecs, setPollSecs] = useState(String(existing?.poll_interval_secs ?? 60));
  const [storeRaw, setStoreRaw] = useState(existing?.store_raw ?? true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFields({});
    const input: MailboxInput = {
      server: server.trim(),
      security,
      user: user.trim(),
      folder: folder.trim(),
      after,
      poll_interval_secs: Number(pollSecs) || 0,
      store_raw: storeRaw,
      ...(port.trim() ? { port: Number(port) } : {}),
      ...(after === 'move' ? { move_folder: moveFolder.trim() } : {}),
      ...(password && !oauth ? { password } : {}),
    };
    try {
      if (mode.kind === 'edit') {
        await mailboxApi.edit(mode.mailbox.name, input);
        props.onDone(mode.mailbox.name);
      } else if (mode.kind === 'add') {
        await mailboxApi.add({ ...input, name: name.trim() });
        props.onDone(name.trim());
      } else {
        const answer = await mailboxApi.connect(mode.provider, { ...input, name: name.trim() });
        window.location.assign(answer.authorize_url);
        return;
      }
    } catch (e) {
      if (e instanceof ApiFailure && e.fieldErrors.length) {
        setFields(Object.fromEntries(e.fieldErrors.map((f) => [f.field, f.message])));
        setError('Some fields need a change: see below each.');
      } else setError(e instanceof Error ? e.message : String(e));
    }
    setBusy(false);
  };
  const title =
    mode.kind === 'add' ? 'Add a mailbox' : mode.kind === 'edit' ? `Edit ${mode.mailbox.name}` : `Connect a ${providerLabel(mode.provider)} mailbox`;
  const field = (id: string, label: string, control: JSX.Element, key: string, hint?: string) => (
    <div class="field">
      <label for={`mailbox-${id}`}>{label}</label>
      {control}
      {hint && <span class="subtle">{hint}</span>}
      {fields[key] && (
        <span class="error-text" id={`mailbox-${id}-error`}>
          {fields[key]}
        </span>
      )}
    </div>
  );
  const described = (id: string, key: string) => (fields[key] ? { 'aria-invalid': true, 'aria-describedby': `mailbox-${id}-error` } : {});
  return (
    <form class="card stack" aria-labelledby="mailbox-form-title" onSubmit={(e) => void submit(e)}>
      <h2 id="mailbox-form-title">{title}</h2>
      {mode.kind === 'connect' && (
        <p>
          postroom sends you to {providerLabel(mode.provider)} to allow it to read the mailbox (IMAP). It keeps the refresh token the
          provider hands back, sealed; you can revoke it at the provider at any time.
        </p>
      )}
      <div class="filters">
        {field(
          'name',
          'Name',
          <input id="mailbox-name" type="text" required disabled={mode.kind === 'edit'} value={name} onInput={(e) => setName(e.currentTarget.value)} {...described('name', 'name')} />,
          'name',
          'letters, digits, . _ -',
        )}
        {field(
          'user',
          oauth ? 'Mailbox address' : 'User name',
          <input id="mailbox-user" type="text" required autoComplete="off" value={user} onInput={(e) => setUser(e.currentTarget.value)} {...described('user', 'user')} />,
          'user',
        )}
        {!oauth &&
          field(
            'password',
            'Password',
            <input
              id="mailbox-password"
              type="password"
              autoComplete="new-password"
              required={mode.kind === 'add'}
              value={password}
              placeholder={existing?.credential_set ? 'set: leave empty to keep it' : ''}
              onInput={(e) => setPassword(e.currentTarget.value)}
              {...described('password', 'password')}
            />,
            'password',
          )}
        {field(
          'server',
          'IMAP server',
          <input id="mailbox-server" type="text" required value={server} onInput={(e) => setServer(e.currentTarget.value)} {...described('server', 'server')} />,
          'server',
        )}
        {field(
          'port',
          'Port',
          <input id="mailbox-port" type="number" min={1} max={65535} value={port} placeholder="993 or 143" onInput={(e) => setPort(e.currentTarget.value)} {...described('port', 'port')} />,
          'port',
        )}
        {field(
          'security',
          'Security',
          <select id="mailbox-security" value={security} onChange={(e) => setSecurity(e.currentTarget.value)} {...described('security', 'security')}>
            <option value="tls">TLS (993)</option>
            <option value="starttls">STARTTLS (143)</option>
            <option value="plain">none (a server on this machine only)</option>
          </select>,
          'security',
        )}
        {field(
          'folder',
          'Folder read',
          <input id="mailbox-folder" type="text" value={folder} onInput={(e) => setFolder(e.currentTarget.value)} {...described('folder', 'folder')} />,
          'folder',
        )}
        {field(
          'after',
          'Once taken in',
          <select id="mailbox-after" value={after} onChange={(e) => setAfter(e.currentTarget.value)}>
            <option value="flag">mark as read</option>
            <option value="move">move to a folder</option>
            <option value="delete">delete</option>
          </select>,
          'after',
        )}
        {after === 'move' &&
          field(
            'move-folder',
            'Move to',
            <input id="mailbox-move-folder" type="text" value={moveFolder} onInput={(e) => setMoveFolder(e.currentTarget.value)} {...described('move-folder', 'move_folder')} />,
            'move_folder',
          )}
        {field(
          'interval',
          'Poll every (seconds)',
          <input id="mailbox-interval" type="number" min={1} value={pollSecs} onInput={(e) => setPollSecs(e.currentTarget.value)} {...described('interval', 'poll_interval_secs')} />,
          'poll_interval_secs',
          'when the server has no IDLE',
        )}
      </div>
      <label class="check">
        <input type="checkbox" checked={storeRaw} onChange={(e) => setStoreRaw(e.currentTarget.checked)} /> Keep the raw mail for the audit
      </label>
      <div class="actions">
        <button type="submit" class="button button-primary" disabled={busy}>
          {mode.kind === 'connect' ? `Continue to ${providerLabel(mode.provider)}` : mode.kind === 'add' ? 'Add and test' : 'Save and test'}
        </button>
        <button type="button" class="button button-subtle" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      <ErrorText error={error} />
    </form>
  );
}
