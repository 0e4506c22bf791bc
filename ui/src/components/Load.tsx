/** Loading one API answer for a page, and showing the wait or the failure the ADS way. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiFailure } from '../transport';

export type Loaded<T> = { state: 'loading' } | { state: 'failed'; error: ApiFailure } | { state: 'ready'; value: T };

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setLoaded({ state: 'ready', value }),
      (error: unknown) =>
        current && setLoaded({ state: 'failed', error: error instanceof ApiFailure ? error : new ApiFailure(0, String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return [loaded, reload];
}

export function Show<T>(props: { loaded: Loaded<T>; children: (value: T) => ComponentChildren }) {
  const { loaded } = props;
  if (loaded.state === 'loading')
    return (
      <p class="loading" role="status">
        Loading…
      </p>
    );
  if (loaded.state === 'failed') return <SectionMessage title="This could not be loaded">{loaded.error.message}</SectionMessage>;
  return <>{props.children(loaded.value)}</>;
}

/** The ADS section message, in its error appearance. */
export function SectionMessage(props: { title: string; children: ComponentChildren }) {
  return (
    <section class="section-message section-message-error" aria-labelledby="section-message-title">
      <h2 id="section-message-title">{props.title}</h2>
      <p>{props.children}</p>
    </section>
  );
}
