/**
 * A mailbox test's steps as they come: each DNS, TCP, TLS, authentication and folder step
 * with its outcome, the failing one named with what the server said.
 */
import type { MailboxTest, StepStatus } from '../../mailboxApi';

const STEPS = [
  ['dns', 'DNS'],
  ['tcp', 'TCP'],
  ['tls', 'TLS'],
  ['authentication', 'authentication'],
  ['folder', 'folder'],
] as const;

const WORDS: Record<StepStatus | 'running', string> = {
  ok: 'passed',
  failed: 'failed',
  skipped: 'skipped (no TLS: a server on this machine)',
  not_reached: 'not reached',
  running: 'checking…',
};

const LOZENGE: Record<StepStatus | 'running', string> = {
  ok: 'success',
  failed: 'removed',
  skipped: 'default',
  not_reached: 'default',
  running: 'inprogress',
};

export function TestSteps(props: { name: string; test: MailboxTest | 'running' | string }) {
  const { test } = props;
  if (typeof test === 'string' && test !== 'running')
    return (
      <p class="error-text" role="alert">
        {test}
      </p>
    );
  const result = test === 'running' ? null : test;
  const title = result === null ? `Testing ${props.name}…` : result.ok ? `${props.name}: every step passed` : `${props.name}: the test failed`;
  return (
    <div class="test-steps" role="status" aria-live="polite">
      <p>
        <strong>{title}</strong>
      </p>
      <ol class="steps">
        {STEPS.map(([step, label]) => {
          const found = result?.steps.find((s) => s.step === step);
          const status: StepStatus | 'running' = found ? found.status : 'running';
          return (
            <li key={step} data-step={step} data-status={status}>
              <span class={`lozenge lozenge-${LOZENGE[status]}`}>{label}</span> {WORDS[status]}
              {found?.detail && <span class="break"> — {found.detail}</span>}
            </li>
          );
        })}
      </ol>
      {result && !result.ok && result.failed_step === null && result.error && <p class="error-text">{result.error}</p>}
      {result?.ok && (
        <p>
          {result.waiting ?? 0} message(s) waiting; {result.idle ? 'the server pushes new mail (IDLE)' : 'polled at its interval (no IDLE)'}.
        </p>
      )}
    </div>
  );
}
