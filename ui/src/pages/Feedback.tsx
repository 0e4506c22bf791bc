/**
 * Feedback to the people who run this postroom: sent to their chat as an operator event.
 * Your address goes along only when you tick the box and give it.
 */
import { useState } from 'preact/hooks';
import { dataApi } from '../api';
import { useFlags } from '../components/Flags';
import { PageHeader } from '../components/PageHeader';
import { ErrorText, useSubmit } from '../components/Failure';

const MAX = 4000;

export function Feedback() {
  const [text, setText] = useState('');
  const [include, setInclude] = useState(false);
  const [address, setAddress] = useState('');
  const flag = useFlags();
  const { busy, error, submit: send } = useSubmit(async () => {
    await dataApi.feedback(text.trim(), include ? address.trim() : null);
    flag({
      kind: 'success',
      title: 'Thank you: your feedback is on its way',
      description: include ? 'They can answer you at the address you gave.' : 'It carries no address of yours.',
    });
    setText('');
  });
  return (
    <>
      <PageHeader title="Feedback" />
      <form class="stack card" aria-label="Send feedback" onSubmit={send}>
        <p>
          Tell the people who run this postroom what works, what does not, what you miss. They see your site's address and
          these words — nothing else unless you tick the box below.
        </p>
        <div class="field field-wide">
          <label for="feedback-text">Your feedback</label>
          <textarea
            id="feedback-text"
            rows={6}
            required
            maxLength={MAX}
            aria-describedby="feedback-count"
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
          />
          <span id="feedback-count" class="subtle">
            {text.length} of {MAX} characters
          </span>
        </div>
        <label class="check">
          <input type="checkbox" checked={include} onChange={(e) => setInclude(e.currentTarget.checked)} /> Include my address so
          you can answer
        </label>
        {include && (
          <div class="field">
            <label for="feedback-address">Your address</label>
            <input id="feedback-address" type="email" required autoComplete="email" value={address} onInput={(e) => setAddress(e.currentTarget.value)} />
          </div>
        )}
        <ErrorText error={error} />
        <div>
          <button type="submit" class="button button-primary" disabled={busy || !text.trim() || (include && !address.trim())}>
            Send feedback
          </button>
        </div>
      </form>
    </>
  );
}
