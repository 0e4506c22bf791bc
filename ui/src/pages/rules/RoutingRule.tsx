/**
 * One routing rule as a form: switched on or off, its name, the conditions of its `match`
 * (recipients and senders as address patterns, the subject and headers as regexes, each
 * with its tester; the classification and authenticity) and what it decides (`then`),
 * with buttons to move it up or down (the first matching rule decides) and to remove it.
 */
import { useContext, useState } from 'preact/hooks';
import { errorsAt } from '../../profileApi';
import { RuleActions } from '../../components/RuleActions';
import { StringList } from '../../components/StringList';
import { Errors, SelectField, TextField, idOf, listAt, objectAt, setIn, textAt } from './fields';
import type { Json } from './fields';
import { AddressTester, RegexTester } from './Tester';
import { ThenEditor } from './ThenEditor';

const KINDS = [
  ['human', 'Human'],
  ['auto_reply', 'Automatic answer'],
  ['bounce', 'Bounce'],
  ['list', 'Mailing list'],
  ['spam', 'Spam'],
  ['loop', 'Loop'],
] as const;

export function RoutingRule(props: {
  rule: Json;
  index: number;
  count: number;
  change: (next: Json) => void;
  move: (by: number) => void;
  remove: () => void;
}) {
  const { rule, index } = props;
  const errors = useContext(Errors);
  const path = `rules[${index}]`;
  const match = objectAt(rule, 'match');
  const set = (keys: (string | number)[], next: unknown) => props.change(setIn(rule, keys, next) as Json);
  const title = textAt(rule, 'name').trim() || `Rule ${index + 1}`;
  const enabled = rule.enabled !== false;
  const own = idOf(path);
  const addresses = (key: 'recipient' | 'sender', legend: string, one: string, placeholder: string) => (
    <StringList
      id={idOf(`${path}.match.${key}`)}
      legend={legend}
      one={one}
      placeholder={placeholder}
      values={listAt(match, key)}
      change={(values) => set(['match', key], values)}
      problems={(i) => errorsAt(errors, `${path}.match.${key}[${i}]`)}
    >
      <AddressTester id={idOf(`${path}.match.${key}-test`)} patterns={listAt(match, key)} label={`${legend}, ${title}`} />
    </StringList>
  );
  return (
    <section class={enabled ? 'card rule-card' : 'card rule-card rule-off'} aria-labelledby={`${own}-title`}>
      <div class="rule-head">
        <h3 id={`${own}-title`}>
          {index + 1}. {title}
          {!enabled && <span class="lozenge"> Off</span>}
        </h3>
        <RuleActions title={title} index={index} count={props.count} move={props.move} remove={props.remove} />
      </div>
      <div class="editor-row">
        <TextField path={`${path}.name`} label="Name" value={textAt(rule, 'name')} hint="Shown in each mail’s report." change={(v) => set(['name'], v.trim() === '' ? null : v)} />
        <div class="field">
          <label class="check check-plain">
            <input id={`${own}-enabled`} type="checkbox" checked={enabled} onChange={(e) => set(['enabled'], e.currentTarget.checked ? undefined : false)} />
            Switched on<span class="visually-hidden"> ({title})</span>
          </label>
          <p class="subtle">A rule switched off is kept and checked, but never decides.</p>
        </div>
      </div>
      <h4>When</h4>
      <p class="subtle">Every condition given must hold; none: every mail.</p>
      {addresses('recipient', 'Recipient is one of', 'a recipient pattern', 'billing@example.com')}
      {addresses('sender', 'Sender is one of', 'a sender pattern', '*@partner.example')}
      <TextField
        path={`${path}.match.subject`}
        label="Subject (regex, searched)"
        placeholder="(?i)\b(outage|down)\b"
        hint="Case-sensitive unless it starts with (?i)."
        value={textAt(match, 'subject')}
        change={(v) => set(['match', 'subject'], v === '' ? null : v)}
        wide
      >
        <RegexTester id={idOf(`${path}.match.subject-test`)} kind="regex" pattern={textAt(match, 'subject')} label={`subject, ${title}`} />
      </TextField>
      <Headers path={`${path}.match.headers`} value={objectAt(match, 'headers')} title={title} change={(v) => set(['match', 'headers'], v)} />
      <fieldset class="choice">
        <legend>Classification is one of (none: any)</legend>
        {KINDS.map(([kind, label]) => {
          const kinds = listAt(match, 'classification');
          return (
            <label key={kind} class="check">
              <input
                type="checkbox"
                checked={kinds.includes(kind)}
                onChange={(e) => set(['match', 'classification'], e.currentTarget.checked ? [...kinds, kind] : kinds.filter((k) => k !== kind))}
              />
              {label}
            </label>
          );
        })}
      </fieldset>
      <div class="editor-row">
        <SelectField
          path={`${path}.match.authenticity`}
          label="Sender authenticity"
          value={textAt(match, 'authenticity')}
          unset="Any"
          options={[
            ['pass', 'Passed'],
            ['fail', 'Failed'],
            ['none', 'Not checked'],
          ]}
          change={(v) => set(['match', 'authenticity'], v || null)}
        />
      </div>
      <h4>Then</h4>
      <ThenEditor path={`${path}.then`} value={objectAt(rule, 'then')} isDefault={false} change={(v) => set(['then'], v)} />
    </section>
  );
}

/** `match.headers`: header name → regex searched in any field of that name. */
function Headers(props: { path: string; value: Json; title: string; change: (next: Json) => void }) {
  const [rows, setRows] = useState<[string, string][]>(() => Object.entries(props.value).map(([k, v]) => [k, String(v)]));
  const update = (next: [string, string][]) => {
    setRows(next);
    const map: Json = {};
    for (const [name, regex] of next) if (name.trim()) map[name.trim()] = regex;
    props.change(map);
  };
  return (
    <fieldset class="string-list">
      <legend>Headers (regex searched in any field of that name)</legend>
      {rows.length === 0 && <p class="subtle">None.</p>}
      {rows.map(([name, regex], i) => {
        const path = `${props.path}.${name.trim() || `#${i}`}`;
        const id = idOf(`${props.path}-${i}`);
        return (
          <div key={i} class="editor-row header-row">
            <div class="field">
              <label for={`${id}-name`}>Header name</label>
              <input id={`${id}-name`} type="text" placeholder="X-Partner-Ticket" value={name} onInput={(e) => update(rows.map((r, j) => (j === i ? [e.currentTarget.value, r[1]] : r)))} />
            </div>
            <TextField path={path} label="Regex" value={regex} change={(v) => update(rows.map((r, j) => (j === i ? [r[0], v] : r)))}>
              <RegexTester id={`${id}-test`} kind="regex" pattern={regex} label={`header ${name}, ${props.title}`} />
            </TextField>
            <button type="button" class="button button-subtle" onClick={() => update(rows.filter((_, j) => j !== i))}>
              Remove<span class="visually-hidden"> header {name}</span>
            </button>
          </div>
        );
      })}
      <button type="button" class="button" onClick={() => setRows([...rows, ['', '']])}>
        Add a header condition<span class="visually-hidden"> ({props.title})</span>
      </button>
    </fieldset>
  );
}
