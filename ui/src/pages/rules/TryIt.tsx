/**
 * "Try it": a pasted or uploaded mail run through the dry run under the profile as edited
 * and under the profile in force, side by side, with the fields of the decision that
 * differ. Nothing is stored or sent; mistakes of the edited profile are shown at their
 * fields (the page's `refused`).
 */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { errorsByPath, profileApi } from '../../profileApi';
import type { Decision, Profile, Tried } from '../../profileApi';
import { Problems } from '../../components/Problems';
import { ApiFailure } from '../../transport';

const show = (value: unknown) => (value === null || value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value));

function bytesToBase64(bytes: Uint8Array) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function DecisionView(props: { title: string; id: string; decision: Decision | null; none: string }) {
  const d = props.decision;
  return (
    <section class="card try-side" aria-labelledby={`${props.id}-title`} data-testid={props.id}>
      <h3 id={`${props.id}-title`}>{props.title}</h3>
      {!d ? (
        <p class="subtle">{props.none}</p>
      ) : (
        <>
          <p>
            <span class="lozenge lozenge-inprogress" data-testid={`${props.id}-action`}>
              {d.action.kind}
            </span>{' '}
            {d.action.reason}
          </p>
          <dl class="facts">
            {Object.entries(d.action)
              .filter(([k]) => k !== 'kind' && k !== 'reason')
              .map(([k, v]) => (
                <Fragment key={k}>
                  <dt>{k}</dt>
                  <dd class="break">{show(v)}</dd>
                </Fragment>
              ))}
            <dt>classification</dt>
            <dd>
              {d.classification.kind} ({d.classification.reason})
            </dd>
          </dl>
          <details class="report-details">
            <summary>Report ({d.report.length} lines)</summary>
            <ol class="report">
              {d.report.map((line, i) => (
                <li key={i}>{line}</li>
              ))}
            </ol>
          </details>
        </>
      )}
    </section>
  );
}

export function TryIt(props: { draft: Profile; refused: (errors: Record<string, string[]>) => void }) {
  const [text, setText] = useState('');
  const [upload, setUpload] = useState<{ name: string; base64: string; size: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState<Tried | null>(null);
  const [problems, setProblems] = useState<string[]>([]);

  const choose = async (file: File | undefined) => {
    if (!file) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    setUpload({ name: file.name, base64: bytesToBase64(bytes), size: bytes.length });
    setText('');
  };
  const run = async () => {
    setBusy(true);
    setProblems([]);
    try {
      const mail = upload ? { mail_base64: upload.base64 } : { mail: text };
      setTried(await profileApi.tryMail(mail, props.draft));
      props.refused({});
    } catch (e) {
      setTried(null);
      const byPath = errorsByPath(e);
      const mailPaths = ['mail', 'mail_base64', '.'];
      const own = Object.entries(byPath).filter(([p]) => mailPaths.includes(p));
      const profile = Object.fromEntries(Object.entries(byPath).filter(([p]) => !mailPaths.includes(p)));
      const messages = own.flatMap(([, m]) => m);
      if (Object.keys(profile).length > 0) {
        props.refused(profile);
        messages.push('The edited profile has mistakes: each is shown at its field above.');
      }
      if (e instanceof ApiFailure && e.status === 413) messages.splice(0, messages.length, e.message);
      setProblems(messages);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="try-title" id="try">
      <h2 id="try-title">Try it</h2>
      <p class="subtle">
        Paste a mail (its headers and body, as an .eml file holds it) or upload one, and see what the profile as edited decides, beside what the
        profile in force decides. Nothing is stored or sent; issues and Message-IDs are not looked up.
      </p>
      <div class="field field-wide">
        <label for="try-mail">Raw mail</label>
        <textarea
          id="try-mail"
          rows={8}
          class="code-input"
          value={text}
          placeholder={'From: Ann <ann@customer.example>\nTo: support@example.com\nSubject: My invoice is wrong\n\nHello, …'}
          aria-describedby={problems.length ? 'try-error' : undefined}
          onInput={(e) => {
            setText(e.currentTarget.value);
            setUpload(null);
          }}
        />
      </div>
      <div class="filters">
        <div class="field">
          <label for="try-file">Or upload an .eml file</label>
          <input id="try-file" type="file" accept=".eml,message/rfc822,text/plain" onChange={(e) => void choose(e.currentTarget.files?.[0])} />
        </div>
        <button type="button" class="button button-primary" disabled={busy || (!upload && text.trim() === '')} onClick={() => void run()}>
          Try it
        </button>
      </div>
      {upload && (
        <p class="subtle">
          Uploaded: {upload.name} ({upload.size} bytes)
        </p>
      )}
      <Problems id="try-error" messages={problems} />
      {tried && (
        <div aria-live="polite">
          <p>
            <strong>{tried.mail.subject ?? '(no subject)'}</strong> from {tried.mail.from.address ?? '(no valid address)'}
            {tried.mail.attachments.length > 0 && `, attachments: ${tried.mail.attachments.join(', ')}`}
          </p>
          <div class="try-sides">
            <DecisionView title="As edited" id="try-candidate" decision={tried.candidate} none="No profile was sent." />
            <DecisionView
              title={tried.version ? `In force (version ${tried.version})` : 'In force'}
              id="try-in-force"
              decision={tried.in_force}
              none="No profile is in force: mail waits until one is saved."
            />
          </div>
          <h3>What changes</h3>
          {tried.candidate && tried.in_force && tried.differs.length === 0 && <p data-testid="try-same">Both decide the same.</p>}
          {tried.differs.length > 0 && (
            <div class="table-scroll">
              <table class="dynamic-table" data-testid="try-differs">
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col">In force</th>
                    <th scope="col">As edited</th>
                  </tr>
                </thead>
                <tbody>
                  {tried.differs.map((c) => (
                    <tr key={c.field}>
                      <th scope="row">
                        <code>{c.field}</code>
                      </th>
                      <td class="break">{show(c.expected)}</td>
                      <td class="break">{show(c.actual)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {tried.notes.length > 0 && (
            <ul class="subtle">
              {tried.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
