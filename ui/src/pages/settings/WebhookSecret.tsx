/**
 * The webhook secret Jira signs this site's deliveries with: whether one is set, since when
 * and where from; rotated here (after a confirmation, since Jira's webhook stops working
 * until it has the new one), the new secret shown once with the steps to enter it in Jira.
 */
import { useState } from 'preact/hooks';
import { dataApi } from '../../api';
import type { RotatedSecret } from '../../api';
import { ErrorText, useSubmit } from '../../components/Failure';
import { Show, useLoad } from '../../components/Load';
import { when } from '../../format';
import { Source } from './Source';

export function WebhookSecret() {
  const [loaded, reload] = useLoad(dataApi.webhookSecret, []);
  const [confirming, setConfirming] = useState(false);
  const [rotated, setRotated] = useState<RotatedSecret | null>(null);
  const { busy, error, submit } = useSubmit(async () => {
    setRotated(await dataApi.rotateWebhookSecret());
    setConfirming(false);
    reload();
  });
  return (
    <section class="card" aria-labelledby="webhook-title">
      <h2 id="webhook-title">Webhook secret</h2>
      <Show loaded={loaded}>
        {(info) => (
          <>
            <dl class="facts">
              <dt>Secret</dt>
              <dd>{info.set ? 'set (never shown again)' : 'not set: deliveries are refused'}</dd>
              <dt>Where from</dt>
              <dd>{info.source ? <Source source={info.source} tomlKey={info.key} /> : '—'}</dd>
              <dt>Made or rotated</dt>
              <dd>{when(info.rotated_at_ms)}</dd>
              <dt>Jira posts to</dt>
              <dd>
                <code class="break">{info.url}</code>
              </dd>
              <dt>Events</dt>
              <dd>{info.events.join(', ')}</dd>
            </dl>
            {info.rotatable && !confirming && (
              <button type="button" class="button" onClick={() => setConfirming(true)}>
                Rotate the secret…
              </button>
            )}
            {confirming && (
              <form class="stack" aria-label="Rotate the webhook secret" onSubmit={submit}>
                <div class="section-message section-message-warning" role="note">
                  <p>
                    From now on, deliveries signed with the current secret are refused (401): Jira's notifications stop until its
                    webhook has the new secret.
                  </p>
                </div>
                <div class="actions">
                  <button type="submit" class="button button-danger" disabled={busy}>
                    Rotate now
                  </button>
                  <button type="button" class="button" onClick={() => setConfirming(false)}>
                    Cancel
                  </button>
                </div>
              </form>
            )}
            <ErrorText error={error} />
            {rotated && (
              <div class="section-message section-message-success" role="status">
                <p>The new secret, shown this once. Enter it in Jira's webhook now:</p>
                <div class="field field-wide">
                  <label for="webhook-new-secret">New secret</label>
                  <input id="webhook-new-secret" class="secret" type="text" readOnly value={rotated.secret} onFocus={(e) => e.currentTarget.select()} />
                </div>
                <ol>
                  {rotated.steps.map((step) => (
                    <li key={step}>{step}</li>
                  ))}
                </ol>
              </div>
            )}
          </>
        )}
      </Show>
    </section>
  );
}
