/** A failed request said in words, next to the form that made it. */
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
