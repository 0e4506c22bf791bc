/**
 * The Rules page's form parts: each field knows its JSON path in the profile, takes its id
 * from it and shows the server's messages at that path (from `Errors`), so a refused save
 * lands at the field that caused it. Values are written back with `setIn`.
 */
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useContext, useState } from 'preact/hooks';
import { errorsAt } from '../../profileApi';
import { Problems } from '../../components/Problems';

/** The last refused save's messages by JSON path. */
export const Errors = createContext<Record<string, string[]>>({});

/** The id of the field at `path`: `rules[0].match.subject` → `f-rules-0-match-subject`. */
export const idOf = (path: string) => `f-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}`;

export type Json = Record<string, unknown>;

/** `value` with `value[keys…]` replaced by `next` (removed when undefined); nothing else is copied. */
export function setIn(value: unknown, keys: (string | number)[], next: unknown): unknown {
  const [key, ...rest] = keys;
  if (key === undefined) return next;
  if (typeof key === 'number') {
    const list = Array.isArray(value) ? [...(value as unknown[])] : [];
    list[key] = setIn(list[key], rest, next);
    return list;
  }
  const object: Json = value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Json) } : {};
  const inner = setIn(object[key], rest, next);
  if (inner === undefined) return Object.fromEntries(Object.entries(object).filter(([k]) => k !== key));
  object[key] = inner;
  return object;
}

/** The object at `value[key]`, or an empty one. */
export const objectAt = (value: unknown, key: string): Json => {
  const inner = value && typeof value === 'object' ? (value as Json)[key] : undefined;
  return inner && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Json) : {};
};

export const textAt = (value: Json, key: string): string => (typeof value[key] === 'string' ? (value[key] as string) : '');
export const listAt = (value: Json, key: string): string[] =>
  Array.isArray(value[key]) ? (value[key] as unknown[]).filter((v): v is string => typeof v === 'string') : [];

/** Comma-separated text as a list, and back. */
export const splitList = (text: string) =>
  text
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

function described(path: string, hint: boolean, problems: string[]) {
  const id = idOf(path);
  return [hint ? `${id}-hint` : '', problems.length ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

/** A field's hint and the server's messages at it, under the ids `described` names. */
function Help(props: { id: string; hint: string | undefined; problems: string[] }) {
  return (
    <>
      {props.hint && (
        <p id={`${props.id}-hint`} class="subtle">
          {props.hint}
        </p>
      )}
      <Problems id={`${props.id}-error`} messages={props.problems} />
    </>
  );
}

function useProblems(path: string) {
  return errorsAt(useContext(Errors), path);
}

/** A text (or number) input. `multiline` makes it a textarea. */
export function TextField(props: {
  path: string;
  label: string;
  value: string;
  change: (value: string) => void;
  hint?: string;
  placeholder?: string;
  type?: 'text' | 'number' | 'email';
  multiline?: boolean;
  wide?: boolean;
  children?: ComponentChildren;
}) {
  const problems = useProblems(props.path);
  const id = idOf(props.path);
  const common = {
    id,
    value: props.value,
    placeholder: props.placeholder,
    'aria-invalid': problems.length ? true : undefined,
    'aria-describedby': described(props.path, Boolean(props.hint), problems),
  };
  return (
    <div class={props.wide ? 'field field-wide' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={6} onInput={(e) => props.change(e.currentTarget.value)} />
      ) : (
        <input {...common} type={props.type ?? 'text'} onInput={(e) => props.change(e.currentTarget.value)} />
      )}
      <Help id={id} hint={props.hint} problems={problems} />
      {props.children}
    </div>
  );
}

/** A choice among values; `''` is "not set" when `unset` names it. */
export function SelectField(props: {
  path: string;
  label: string;
  value: string;
  options: readonly (readonly [string, string])[];
  unset?: string;
  change: (value: string) => void;
  hint?: string;
}) {
  const problems = useProblems(props.path);
  const id = idOf(props.path);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        aria-invalid={problems.length ? true : undefined}
        aria-describedby={described(props.path, Boolean(props.hint), problems)}
        onChange={(e) => props.change(e.currentTarget.value)}
      >
        {props.unset !== undefined && <option value="">{props.unset}</option>}
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <Help id={id} hint={props.hint} problems={problems} />
    </div>
  );
}

/** A yes/no setting. */
export function CheckField(props: { path: string; label: string; checked: boolean; change: (on: boolean) => void; hint?: string }) {
  const problems = useProblems(props.path);
  const id = idOf(props.path);
  return (
    <div class="field">
      <label class="check check-plain">
        <input
          id={id}
          type="checkbox"
          checked={props.checked}
          aria-describedby={described(props.path, Boolean(props.hint), problems)}
          onChange={(e) => props.change(e.currentTarget.checked)}
        />
        {props.label}
      </label>
      <Help id={id} hint={props.hint} problems={problems} />
    </div>
  );
}

/** An optional yes/no (`null`: the profile's default decides). */
export function TriField(props: { path: string; label: string; value: unknown; change: (value: boolean | null) => void; unset: string }) {
  return (
    <SelectField
      path={props.path}
      label={props.label}
      value={props.value === true ? 'yes' : props.value === false ? 'no' : ''}
      unset={props.unset}
      options={[
        ['yes', 'Yes'],
        ['no', 'No'],
      ]}
      change={(v) => props.change(v === 'yes' ? true : v === 'no' ? false : null)}
    />
  );
}

/** The text of an optional number, and the value it stands for (empty: not set). */
export const numberText = (value: unknown) => (typeof value === 'number' ? String(value) : '');
export const numberOf = (text: string): number | null => (text.trim() === '' || Number.isNaN(Number(text)) ? null : Number(text));

/** Every message at `path` or below, for a card's or section's summary. */
export function SectionProblems(props: { path: string; id: string }) {
  const errors = useContext(Errors);
  const messages = Object.entries(errors)
    .filter(([at]) => at === props.path)
    .flatMap(([, m]) => m);
  return <Problems id={props.id} messages={messages} />;
}

/** A list written as comma-separated text (labels, components, content types). */
export function CommaField(props: { path: string; label: string; value: string[] | null; change: (value: string[] | null) => void; hint?: string; placeholder?: string }) {
  const [text, setText] = useState((props.value ?? []).join(', '));
  return (
    <TextField
      path={props.path}
      label={props.label}
      value={text}
      {...(props.hint ? { hint: props.hint } : {})}
      {...(props.placeholder ? { placeholder: props.placeholder } : {})}
      change={(next) => {
        setText(next);
        const list = splitList(next);
        props.change(list.length ? list : null);
      }}
    />
  );
}
