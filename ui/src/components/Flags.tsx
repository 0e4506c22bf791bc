/**
 * ADS flags: the outcome of an action (success or error) in the corner of the screen,
 * announced to screen readers, dismissed by the reader or after a while.
 */
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useCallback, useContext, useState } from 'preact/hooks';

export interface Flag {
  id: number;
  kind: 'success' | 'error';
  title: string;
  description?: string;
}

type Show = (flag: Omit<Flag, 'id'>) => void;

const FlagContext = createContext<Show>(() => undefined);

let next = 1;

export function FlagProvider(props: { children: ComponentChildren }) {
  const [flags, setFlags] = useState<Flag[]>([]);
  const dismiss = useCallback((id: number) => setFlags((all) => all.filter((f) => f.id !== id)), []);
  const show = useCallback<Show>(
    (flag) => {
      const id = next++;
      setFlags((all) => [...all, { ...flag, id }]);
      if (flag.kind === 'success') window.setTimeout(() => dismiss(id), 8000);
    },
    [dismiss],
  );
  return (
    <FlagContext.Provider value={show}>
      {props.children}
      <div class="flags" role="region" aria-label="Notifications">
        {flags.map((flag) => (
          <div key={flag.id} class={`flag flag-${flag.kind}`} role={flag.kind === 'error' ? 'alert' : 'status'}>
            <span class="flag-icon" aria-hidden="true">
              {flag.kind === 'success' ? '✓' : '!'}
            </span>
            <div class="flag-body">
              <p class="flag-title">{flag.title}</p>
              {flag.description && <p class="flag-description">{flag.description}</p>}
            </div>
            <button type="button" class="button button-subtle" onClick={() => dismiss(flag.id)} aria-label={`Dismiss: ${flag.title}`}>
              ×
            </button>
          </div>
        ))}
      </div>
    </FlagContext.Provider>
  );
}

export function useFlags(): Show {
  return useContext(FlagContext);
}
