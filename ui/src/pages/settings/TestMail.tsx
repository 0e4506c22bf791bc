/**
 * Send a test: one short plain message through the site's transport in force, with its
 * identity, and what the server said at which step. It is on the Sent page too.
 */
import { useState } from 'preact/hooks';
import { dataApi } from '../../api';
import type { TestMailAnswer } from '../../api';
import { ErrorText, useSubmit } from '../../components/Failure';

const STEPS: Record<string, string> = {
  connect: 'connecting',
  tls: 'TLS',
  login: 'login',
  sender: 'the sender (MAIL FROM)',
  recipient: 'the recipient (RCPT TO)',
  data: 'the message (DATA)',
  settings: 'the settings',
  local: 'writing it out',
};

export function TestMail() {
  const [to, setTo] = useState('');
  const [answer, setAnswer] = useState<TestMailAnswer | null>(null);
  const { busy, error, submit } = useSubmit(async () => {
    setAnswer(null);
    setAnswer(await dataApi.testMail(to.trim()));
  });
  return (
    <form class="stack" aria-labelledby="test-mail-title" onSubmit={submit}>
      <h3 id="test-mail-title">Send a test</h3>
      <p>One short message to one address, as this site's notifications leave. Ten an hour at most.</p>
      <div class="filters">
        <div class="field">
          <label for="test-mail-to">To</label>
          <input id="test-mail-to" type="email" required value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </div>
        <button type="submit" class="button button-primary" disabled={busy || !to.trim()}>
          Send a test
        </button>
      </div>
      <ErrorText error={error} />
      {answer && <Answer answer={answer} />}
    </form>
  );
}

function Answer(props: { answer: TestMailAnswer }) {
  const { answer } = props;
  if (answer.outcome === 'accepted')
    return (
      <div class="section-message section-message-success" role="status">
        <p>
          Accepted: <span class="break">{answer.reply}</span>
        </p>
      </div>
    );
  const step = answer.step ? (STEPS[answer.step] ?? answer.step) : 'an unknown step';
  return (
    <div class="section-message section-message-error" role="status">
      <p>
        Not sent ({answer.outcome}) at {step}
        {answer.code !== null && `: ${answer.code}`} — <span class="break">{answer.reply}</span>
      </p>
    </div>
  );
}
