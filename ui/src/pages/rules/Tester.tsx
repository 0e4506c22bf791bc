/**
 * The regex tester beside every pattern of the profile: sample text in, match or no match
 * and the groups out. The server tries the pattern (`POST /profile/regex`) with the regex
 * engine the mail will meet: the browser's `RegExp` reads another language (no leading
 * `(?i)`, no `(?P<name>…)`, lookaround the profile refuses).
 */
import { useEffect, useState } from 'preact/hooks';
import { profileApi } from '../../profileApi';
import type { PatternKind, SampleResult } from '../../profileApi';
import { ApiFailure } from '../../transport';

/** Calls `run` once `deps` stood still for a moment, while `active`. */
function useSettled(active: boolean, deps: unknown[], run: () => () => void) {
  useEffect(() => {
    if (!active) return undefined;
    let cancel = () => {};
    const timer = window.setTimeout(() => (cancel = run()), 250);
    return () => {
      window.clearTimeout(timer);
      cancel();
    };
  }, [active, ...deps]);
}

const why = (e: unknown) =>
  e instanceof ApiFailure && e.fieldErrors.length ? e.fieldErrors.map((f) => f.message).join('; ') : e instanceof Error ? e.message : String(e);

function Verdict(props: { matched: boolean }) {
  return <span class={props.matched ? 'lozenge lozenge-success' : 'lozenge'}>{props.matched ? 'Match' : 'No match'}</span>;
}

/** The tester of one regex field (`regex` or `issue_key`). */
export function RegexTester(props: { id: string; kind: PatternKind; pattern: string; label: string }) {
  const [open, setOpen] = useState(false);
  const [samples, setSamples] = useState('');
  const [answer, setAnswer] = useState<{ results: SampleResult[]; lines: string[] } | { error: string } | null>(null);
  const lines = samples.split('\n').slice(0, 20);
  useSettled(open && props.pattern.trim() !== '', [props.pattern, samples], () => {
    let current = true;
    profileApi.regex(props.kind, props.pattern, lines).then(
      (r) => current && setAnswer({ results: r.samples, lines }),
      (e: unknown) => current && setAnswer({ error: why(e) }),
    );
    return () => {
      current = false;
    };
  });
  return (
    <details class="tester" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        Test this pattern<span class="visually-hidden"> ({props.label})</span>
      </summary>
      <div class="field field-wide">
        <label for={`${props.id}-samples`}>Sample text, one per line</label>
        <textarea id={`${props.id}-samples`} rows={3} value={samples} onInput={(e) => setSamples(e.currentTarget.value)} />
      </div>
      <div aria-live="polite" data-testid={`${props.id}-results`}>
        {props.pattern.trim() === '' && <p class="subtle">Write a pattern to test it.</p>}
        {answer && 'error' in answer && <p class="error-text">{answer.error}</p>}
        {answer && 'results' in answer && (
          <ol class="tester-results">
            {answer.results.map((r, i) => (
              <li key={i}>
                <Verdict matched={r.matched} /> <code class="break">{answer.lines[i] || '(empty line)'}</code>
                {r.matches.length > 1 && <span class="subtle"> — {r.matches.length} matches</span>}
                {r.matched && r.groups.length > 1 && (
                  <ul class="tester-groups">
                    {r.groups.slice(1).map((g) => (
                      <li key={g.index}>
                        Group {g.name ?? g.index}: <code class="break">{g.text ?? '(no part in the match)'}</code>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
        )}
      </div>
    </details>
  );
}

/** The tester of a list of address patterns: one address, tried on each pattern. */
export function AddressTester(props: { id: string; patterns: string[]; label: string }) {
  const [open, setOpen] = useState(false);
  const [address, setAddress] = useState('');
  const [answer, setAnswer] = useState<{ pattern: string; result: SampleResult | null; error: string | null }[]>([]);
  useSettled(open && address.trim() !== '', [props.patterns.join('\n'), address], () => {
    let current = true;
    Promise.all(
      props.patterns.map((pattern) =>
        profileApi.regex('address', pattern, [address]).then(
          (r) => ({ pattern, result: r.samples[0] ?? null, error: null }),
          (e: unknown) => ({ pattern, result: null, error: why(e) }),
        ),
      ),
    ).then((all) => current && setAnswer(all));
    return () => {
      current = false;
    };
  });
  return (
    <details class="tester" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        Test these patterns<span class="visually-hidden"> ({props.label})</span>
      </summary>
      <div class="field">
        <label for={`${props.id}-address`}>An address</label>
        <input id={`${props.id}-address`} type="text" placeholder="ann@customer.example" value={address} onInput={(e) => setAddress(e.currentTarget.value)} />
      </div>
      <div aria-live="polite" data-testid={`${props.id}-results`}>
        {props.patterns.length === 0 && <p class="subtle">No pattern yet.</p>}
        {address.trim() !== '' && (
          <ul class="tester-results">
            {answer.map((a) => (
              <li key={a.pattern}>
                {a.result ? <Verdict matched={a.result.matched} /> : null} <code class="break">{a.pattern}</code>
                {a.result?.problem && <span class="error-text"> {a.result.problem}</span>}
                {a.result && !a.result.problem && a.result.tried_on !== address.trim() && (
                  <span class="subtle"> (tried on {a.result.tried_on})</span>
                )}
                {a.error && <span class="error-text"> {a.error}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
    </details>
  );
}
