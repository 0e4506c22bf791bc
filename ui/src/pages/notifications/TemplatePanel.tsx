/**
 * One rule's templates — subject, text and HTML; empty means postroom's default, which is
 * shown — with the variables beside them (a click inserts one where the cursor was), a
 * live preview rendered by postroom's own notification renderer for an issue (fetched from
 * Jira when asked) or the built-in example and an event kind, at phone and desktop width
 * side by side in frames with no permission at all, and a test mail to one address.
 * Nothing of a preview is stored; a template that cannot compile is shown at its part
 * with the line and the reason.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useFlags } from '../../components/Flags';
import { failureText } from '../../components/Failure';
import { errorsAt, errorsByPath, profileApi } from '../../profileApi';
import type { Defaults, NotificationRule, Preview, PreviewRequest } from '../../profileApi';
import { Problems } from '../../components/Problems';
import { eventLabel } from './RuleCard';

type Part = 'subject' | 'text' | 'html';

const PARTS: { part: Part; label: string }[] = [
  { part: 'subject', label: 'Subject' },
  { part: 'text', label: 'Plain text' },
  { part: 'html', label: 'HTML (values are HTML-escaped)' },
];

export function TemplatePanel(props: {
  rule: NotificationRule;
  index: number;
  defaults: Defaults;
  errors: Record<string, string[]>;
  change: (part: Partial<NotificationRule>) => void;
  close: () => void;
  /** Whether the page's save is running. */
  busy: boolean;
}) {
  const { rule, defaults } = props;
  const [event, setEvent] = useState(rule.events[0] ?? defaults.events[0] ?? 'comment_added');
  const [source, setSource] = useState<'example' | 'issue'>('example');
  const [issue, setIssue] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewErrors, setPreviewErrors] = useState<Record<string, string[]>>({});
  const [filter, setFilter] = useState('');
  const last = useRef<Part>('text');
  const areas = { subject: useRef<HTMLInputElement>(null), text: useRef<HTMLTextAreaElement>(null), html: useRef<HTMLTextAreaElement>(null) };
  const asked = useRef(0);

  const request = (): PreviewRequest => ({
    event,
    ...(source === 'example' ? { example: true } : { issue_key: issue.trim() }),
    subject: rule.subject ?? '',
    text: rule.text ?? '',
    html: rule.html ?? '',
  });

  useEffect(() => {
    if (source === 'issue' && !issue.trim()) {
      setPreview(null);
      setPreviewErrors({});
      return;
    }
    const ask = ++asked.current;
    const timer = window.setTimeout(() => {
      profileApi.preview(request()).then(
        (shown) => {
          if (ask !== asked.current) return;
          setPreview(shown);
          setPreviewErrors({});
        },
        (e: unknown) => {
          if (ask !== asked.current) return;
          setPreview(null);
          setPreviewErrors(errorsByPath(e));
        },
      );
    }, 400);
    return () => window.clearTimeout(timer);
  }, [event, source, issue, rule.subject, rule.text, rule.html]);

  const insert = (variable: string) => {
    const part = last.current;
    const field = areas[part].current;
    const value = rule[part] ?? '';
    const text = `{{ ${variable} }}`;
    const at = field?.selectionStart ?? value.length;
    const end = field?.selectionEnd ?? at;
    props.change({ [part]: value.slice(0, at) + text + value.slice(end) });
    window.setTimeout(() => {
      field?.focus();
      field?.setSelectionRange(at + text.length, at + text.length);
    }, 0);
  };

  const title = rule.name?.trim() || `Rule ${props.index + 1}`;
  const problemsOf = (part: string) => [...errorsAt(props.errors, `rules[${props.index}].${part}`), ...(previewErrors[part] ?? [])];
  const elsewhere = Object.entries(previewErrors)
    .filter(([field]) => !['subject', 'text', 'html'].includes(field))
    .flatMap(([, messages]) => messages);
  return (
    <section class="card template-panel" aria-labelledby="templates-title">
      <div class="rule-head">
        <h2 id="templates-title" tabIndex={-1}>
          Templates of “{title}”
        </h2>
        <button type="button" class="button button-subtle" onClick={props.close}>
          Close the templates
        </button>
      </div>
      <div class="editor-grid">
        <div class="editor-form">
          {PARTS.map(({ part, label }) => {
            const problems = problemsOf(part);
            const common = {
              id: `template-${part}`,
              value: rule[part] ?? '',
              placeholder: 'Empty: postroom’s default (below)',
              'aria-invalid': problems.length ? true : undefined,
              'aria-describedby': problems.length ? `template-${part}-error` : undefined,
              onFocus: () => (last.current = part),
            };
            return (
              <div key={part} class={part === 'subject' ? 'field' : 'field field-body'}>
                <label for={`template-${part}`}>{label}</label>
                {part === 'subject' ? (
                  <input ref={areas.subject} type="text" {...common} onInput={(e) => props.change({ subject: e.currentTarget.value })} />
                ) : (
                  <textarea
                    ref={areas[part]}
                    rows={8}
                    spellcheck={false}
                    {...common}
                    onInput={(e) => props.change({ [part]: e.currentTarget.value })}
                  />
                )}
                <Problems id={`template-${part}-error`} messages={problems} source={rule[part] ?? defaults[part]} />
                <details class="default-template">
                  <summary>postroom’s default {part === 'subject' ? 'subject' : part === 'text' ? 'text' : 'HTML'}</summary>
                  <pre tabIndex={0} role="region" aria-label={`postroom’s default ${part}`}>
                    {defaults[part]}
                  </pre>
                  <button type="button" class="button button-subtle" onClick={() => props.change({ [part]: defaults[part] })}>
                    Start from the default
                  </button>
                </details>
              </div>
            );
          })}
        </div>
        <div class="editor-side">
          <section aria-labelledby="notify-variables-title">
            <h3 id="notify-variables-title">Variables</h3>
            <div class="field">
              <label for="notify-variables-filter">Find a variable</label>
              <input id="notify-variables-filter" type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
            </div>
            <ul class="variable-list" aria-label="Insert a variable where the cursor was">
              {defaults.variables
                .filter((v) => v.toLowerCase().includes(filter.trim().toLowerCase()))
                .map((v) => (
                  <li key={v}>
                    <button type="button" class="button button-subtle variable" onClick={() => insert(v)}>
                      <code>{v}</code>
                    </button>
                  </li>
                ))}
            </ul>
          </section>
        </div>
      </div>
      <section class="preview-controls" aria-labelledby="notify-preview-title">
        <h3 id="notify-preview-title">Preview</h3>
        <div class="editor-row">
          <div class="field">
            <label for="notify-preview-event">Event</label>
            <select id="notify-preview-event" value={event} onChange={(e) => setEvent(e.currentTarget.value)}>
              {defaults.events.map((kind) => (
                <option key={kind} value={kind}>
                  {eventLabel(kind)}
                </option>
              ))}
            </select>
          </div>
          <fieldset class="choice">
            <legend>Render for</legend>
            <label class="check">
              <input type="radio" name="notify-preview-source" checked={source === 'example'} onChange={() => setSource('example')} />
              The built-in example
            </label>
            <label class="check">
              <input type="radio" name="notify-preview-source" checked={source === 'issue'} onChange={() => setSource('issue')} />
              An issue of this site
            </label>
          </fieldset>
          {source === 'issue' && (
            <div class="field">
              <label for="notify-preview-issue">Issue key (fetched from Jira)</label>
              <input
                id="notify-preview-issue"
                type="text"
                placeholder="SUP-12"
                autoComplete="off"
                value={issue}
                aria-invalid={previewErrors.issue_key ? true : undefined}
                aria-describedby={previewErrors.issue_key ? 'notify-preview-issue-error' : undefined}
                onInput={(e) => setIssue(e.currentTarget.value)}
              />
              <Problems id="notify-preview-issue-error" messages={previewErrors.issue_key ?? []} />
            </div>
          )}
        </div>
        <div aria-live="polite">
          {elsewhere.length > 0 && elsewhere.filter((m) => !previewErrors.issue_key?.includes(m)).map((m, i) => <p key={i} class="error-text">{m}</p>)}
          {!preview && Object.keys(previewErrors).length === 0 && <p class="subtle">Name an issue, or render the example.</p>}
        </div>
        {preview && <Rendered preview={preview} />}
      </section>
      <div class="picker-actions">
        <button type="submit" form="notify-form" class="button button-primary" disabled={props.busy}>
          Save notifications
        </button>
        <span class="subtle">Saves every rule, these templates with them.</span>
      </div>
      <TestMail request={request} />
    </section>
  );
}

/** The rendered words: the subject, the HTML at phone and desktop width, the text part. */
function Rendered(props: { preview: Preview }) {
  const { preview } = props;
  const href = profileApi.previewHref(preview);
  return (
    <div class="rendered" data-testid="notify-preview">
      <dl class="facts">
        <dt>Issue</dt>
        <dd>{preview.issue_key}</dd>
        <dt>Subject</dt>
        <dd data-testid="preview-subject">{preview.subject}</dd>
      </dl>
      {preview.fell_back.length > 0 && (
        <p class="error-text">
          These parts failed while rendering for this issue, so postroom’s default was used, as a notification would:{' '}
          {preview.fell_back.join(', ')}.
        </p>
      )}
      {href === null ? (
        <p class="subtle">The HTML can be shown in postroom’s own console, not inside Jira.</p>
      ) : (
        <div class="preview-frames">
          {[
            { width: 375, label: 'Phone (375 px)', fit: 'preview-phone' },
            { width: 1024, label: 'Desktop (1024 px, shown at 3/4 size)', fit: 'preview-desktop' },
          ].map((screen) => (
            <figure key={screen.width} class={`preview-frame ${screen.fit}`}>
              <figcaption>{screen.label}</figcaption>
              <div class="preview-scroll" tabIndex={0} role="region" aria-label={`The HTML part at ${screen.label}`}>
                <iframe
                  class="notify-frame"
                  sandbox=""
                  src={href}
                  width={screen.width}
                  height={640}
                  title={`The HTML part at ${screen.label}`}
                  data-width={screen.width}
                />
              </div>
            </figure>
          ))}
        </div>
      )}
      <h4>Plain text</h4>
      <pre class="preview-text" data-testid="preview-text" tabIndex={0} role="region" aria-label="The plain text part">
        {preview.text}
      </pre>
    </div>
  );
}

/** Sends what the preview shows to one address, through the site's real transport. */
function TestMail(props: { request: () => PreviewRequest }) {
  const flag = useFlags();
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const send = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setSent(null);
    try {
      const queued = await profileApi.test({ ...props.request(), to: to.trim() });
      setSent(queued.id);
      flag({ kind: 'success', title: `Test queued for ${to.trim()}` });
    } catch (e) {
      setProblem(failureText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="test-mail" onSubmit={send} aria-label="Send a test" noValidate>
      <h3>Send a test</h3>
      <p class="subtle">What the preview shows, to one address, through this site’s mail transport; it shows on the Sent page. Ten an hour.</p>
      <div class="filters">
        <div class="field">
          <label for="notify-test-to">To</label>
          <input
            id="notify-test-to"
            type="email"
            autoComplete="email"
            value={to}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? 'notify-test-error' : undefined}
            onInput={(e) => setTo(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="button button-primary" disabled={busy || !to.trim()}>
          Send the test
        </button>
      </div>
      <Problems id="notify-test-error" messages={problem ? [problem] : []} />
      {sent && (
        <p role="status">
          Queued. <a href={`#/sent/${encodeURIComponent(sent)}`}>See it on the Sent page</a>.
        </p>
      )}
    </form>
  );
}
