/**
 * One message postroom sent: its recipient, subject, issue and event, its status with the
 * reason when it was skipped, failed or bounced, the message as it went out (in a frame
 * with no permission at all) and its MIME to download, while they are kept (7 days).
 */
import { api } from '../api';
import type { SentEntry } from '../api';
import { Lozenge } from '../components/Lozenge';
import { Show, useLoad } from '../components/Load';
import { PageHeader } from '../components/PageHeader';
import { when } from '../format';

export function SentMail(props: { id: string }) {
  const [loaded] = useLoad(() => api.sentEntry(props.id), [props.id]);
  return (
    <>
      <PageHeader title="Sent message" crumbs={[{ label: 'Sent mail', href: '#/sent' }]} />
      <Show loaded={loaded}>{(entry) => <Message entry={entry} />}</Show>
    </>
  );
}

function Message(props: { entry: SentEntry }) {
  const { entry } = props;
  // Inside Jira the browser cannot open postroom's own addresses: no frame or download there.
  const mime = api.sentMimeHref(entry.id);
  const html = api.sentHtmlHref(entry.id);
  return (
    <>
      <section class="card" aria-labelledby="sent-facts-title">
        <h2 id="sent-facts-title">What was sent</h2>
        <dl class="facts">
          <dt>To</dt>
          <dd>{entry.to ?? '—'}</dd>
          <dt>Subject</dt>
          <dd>{entry.subject ?? '—'}</dd>
          <dt>Kind</dt>
          <dd>{entry.kind}</dd>
          <dt>Issue</dt>
          <dd>{entry.issue_key ?? '—'}</dd>
          <dt>Event</dt>
          <dd>{entry.event ?? '—'}</dd>
          <dt>Status</dt>
          <dd>
            <Lozenge status={entry.status} /> {entry.detail && <span class="error-text">{entry.detail}</span>}
          </dd>
          <dt>Queued</dt>
          <dd>{when(entry.created_at_ms)}</dd>
          <dt>Sent</dt>
          <dd>{when(entry.sent_at_ms)}</dd>
        </dl>
        {entry.notes.length > 0 && (
          <ul>
            {entry.notes.map((note, i) => (
              <li key={i}>{note}</li>
            ))}
          </ul>
        )}
        {entry.mime_kept && mime && (
          <a class="button" href={mime} download={`${entry.id}.eml`}>
            Download MIME
          </a>
        )}
      </section>
      <section class="card" aria-labelledby="sent-message-title">
        <h2 id="sent-message-title">As it went out</h2>
        {!entry.mime_kept ? (
          <p>The message itself is kept 7 days after it was sent, and only for notifications.</p>
        ) : html === null ? (
          <p>The message can be shown in postroom&apos;s own console, not inside Jira.</p>
        ) : (
          <iframe class="mail-frame" sandbox="" src={html} title="The message as it went out" />
        )}
      </section>
    </>
  );
}
