/**
 * What the server refused at one field, announced and tied to the field by its id; a
 * message that names a line ("line 2", "line 2, column 5") is followed by that line of the
 * source, numbered, so the author sees where without counting.
 */

/** The 1-based line a message names, or null. */
export function lineIn(text: string): number | null {
  const found = /line (\d+)/.exec(text);
  return found ? Number(found[1]) : null;
}

export function Problems(props: { id: string; messages: string[]; source?: string | undefined }) {
  if (props.messages.length === 0) return null;
  const lines = props.source?.split('\n') ?? [];
  return (
    <div id={props.id} role="alert">
      <ul class="field-errors">
        {props.messages.map((text, i) => {
          const line = lineIn(text);
          const source = line !== null ? lines[line - 1] : undefined;
          return (
            <li key={i} class="error-text">
              {text}
              {source !== undefined && (
                <code class="error-line">
                  <span class="error-line-number">{line}</span> {source}
                </code>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

