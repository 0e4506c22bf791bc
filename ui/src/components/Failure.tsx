/** A form's request: busy while it runs, and its failure said in words next to the form. */
import { useState } from 'preact/hooks';
import { ApiFailure } from '../transport';

/** The API's words for a failure: its field errors when it named fields, else its message. */
export function failureText(e: unknown): string {
  if (e instanceof ApiFailure) return e.fieldErrors.length ? e.fieldErrors.map((f) => f.message).join('; ') : e.message;
  return e instanceof Error ? e.message : String(e);
}

/** The failure of the form's last request, announced; nothing when there is none. */
export function ErrorText(props: { error: string | null }) {
  if (!props.error) return null;
  return (
    <p class="error-text" role="alert">
      {props.error}
    </p>
  );
}

/**
 * Runs `action` when the form is submitted: `busy` meanwhile, and `error` holds its
 * failure in words until the next submit.
 */
export function useSubmit(action: () => Promise<void>): { busy: boolean; error: string | null; submit: (event: Event) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(failureText(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}
