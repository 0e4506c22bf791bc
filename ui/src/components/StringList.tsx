/**
 * A list of short texts of the profile (own addresses, sender patterns, project keys): each
 * entry shown with a button to remove it and what the server refused at it, and a field to
 * add one more (Enter adds). `id` prefixes the ids: `ID-new` for the field, `ID-I-error`
 * for entry I's problems.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Problems } from './Problems';

export function StringList(props: {
  id: string;
  legend: string;
  /** What one entry is, with its article: "an address". */
  one: string;
  placeholder: string;
  values: string[];
  change: (values: string[]) => void;
  /** The server's messages at entry `index`. */
  problems: (index: number) => string[];
  /** Shown under the list: a tester of its patterns, a hint. */
  children?: ComponentChildren;
}) {
  const [adding, setAdding] = useState('');
  const add = () => {
    const value = adding.trim();
    if (!value) return;
    props.change([...props.values, value]);
    setAdding('');
  };
  return (
    <fieldset class="string-list">
      <legend>{props.legend}</legend>
      {props.values.length === 0 ? (
        <p class="subtle">None.</p>
      ) : (
        <ul>
          {props.values.map((value, i) => {
            const problems = props.problems(i);
            return (
              <li key={`${value}-${i}`}>
                <code class="break" aria-describedby={problems.length ? `${props.id}-${i}-error` : undefined}>
                  {value}
                </code>{' '}
                <button type="button" class="button button-subtle" onClick={() => props.change(props.values.filter((_, j) => j !== i))}>
                  Remove<span class="visually-hidden"> {value}</span>
                </button>
                <Problems id={`${props.id}-${i}-error`} messages={problems} />
              </li>
            );
          })}
        </ul>
      )}
      <div class="filters">
        <div class="field">
          <label for={`${props.id}-new`}>Add {props.one}</label>
          <input
            id={`${props.id}-new`}
            type="text"
            placeholder={props.placeholder}
            value={adding}
            onInput={(e) => setAdding(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                add();
              }
            }}
          />
        </div>
        <button type="button" class="button" onClick={add}>
          Add<span class="visually-hidden"> {props.one}</span>
        </button>
      </div>
      {props.children}
    </fieldset>
  );
}
