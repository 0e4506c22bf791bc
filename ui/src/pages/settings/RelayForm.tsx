/**
 * The site's own SMTP relay, for an instance whose `postroom.toml` sets no `[outbound]`: its
 * mail then leaves through it. The password is sealed with the site's key; left empty, the
 * stored one stays.
 */
import { useState } from 'preact/hooks';
import { dataApi } from '../../api';
import type { OutboundSettings, RelaySecurity } from '../../api';
import { ErrorText, useSubmit } from '../../components/Failure';

export function RelayForm(props: { relay: OutboundSettings['relay']; onSaved: () => void }) {
  const relay = props.relay;
  const [host, setHost] = useState(relay?.host ?? '');
  const [port, setPort] = useState(relay ? String(relay.port) : '');
  const [security, setSecurity] = useState<RelaySecurity>(relay?.security ?? 'starttls');
  const [username, setUsername] = useState(relay?.username ?? '');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    await dataApi.setOutbound({
      relay: {
        host: host.trim(),
        security,
        ...(port.trim() ? { port: Number(port) } : {}),
        ...(username.trim() ? { username: username.trim() } : {}),
        ...(password ? { password } : {}),
      },
    });
    setPassword('');
    props.onSaved();
  });
  const remove = useSubmit(async () => {
    await dataApi.setOutbound({ relay: null });
    props.onSaved();
  });
  return (
    <form class="stack" aria-labelledby="relay-title" onSubmit={submit}>
      <h3 id="relay-title">This site's own SMTP relay</h3>
      <p>
        postroom.toml sets no <code>[outbound]</code>: this site's mail leaves through the relay given here, or is not sent. It
        needs the site's bounce address above.
      </p>
      <div class="filters">
        <div class="field">
          <label for="relay-host">Host</label>
          <input id="relay-host" type="text" required value={host} onInput={(e) => setHost(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="relay-port">Port</label>
          <input id="relay-port" type="number" min={1} max={65535} value={port} placeholder="the usual one" onInput={(e) => setPort(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="relay-security">Security</label>
          <select id="relay-security" value={security} onChange={(e) => setSecurity(e.currentTarget.value as RelaySecurity)}>
            <option value="starttls">STARTTLS (587)</option>
            <option value="tls">TLS (465)</option>
            <option value="plain">none (to this machine only)</option>
          </select>
        </div>
        <div class="field">
          <label for="relay-username">User name</label>
          <input id="relay-username" type="text" autoComplete="off" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="relay-password">Password</label>
          <input
            id="relay-password"
            type="password"
            autoComplete="new-password"
            value={password}
            placeholder={relay?.password_set ? 'set: leave empty to keep it' : ''}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
      </div>
      <div class="actions">
        <button type="submit" class="button button-primary" disabled={busy || !host.trim()}>
          Save the relay
        </button>
        {relay && (
          <button type="button" class="button" disabled={remove.busy} onClick={(e) => void remove.submit(e)}>
            Remove the relay
          </button>
        )}
      </div>
      <ErrorText error={error ?? remove.error} />
    </form>
  );
}
