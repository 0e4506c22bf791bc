/**
 * One notification rule as a form: its name, the projects it covers (none: all), the
 * events it wants and who is told — the issue's reporter, participants, watchers and
 * assignee, members of Jira groups, fixed addresses — with buttons to move it up or
 * down (the first rule naming a person decides their mail's words) and to remove it.
 */
import { useState } from 'preact/hooks';
import { errorsAt } from '../../profileApi';
import type { NotificationRule } from '../../profileApi';
import type { Keyed } from '../Notifications';
import { Problems } from '../../components/Problems';
import { RuleActions } from '../../components/RuleActions';

const PEOPLE: { value: string; label: string }[] = [
  { value: 'reporter', label: 'Reporter' },
  { value: 'participants', label: 'Participants (e-mail-only people)' },
  { value: 'watchers', label: 'Watchers' },
  { value: 'assignee', label: 'Assignee' },
];

const EVENT_LABELS: Record<string, string> = {
  issue_created: 'Issue created',
  comment_added: 'Comment added',
  comment_edited: 'Comment edited',
  status_changed: 'Status changed',
  resolved: 'Resolved',
  assignee_changed: 'Assignee changed',
  priority_changed: 'Priority changed',
};

/** The readable name of an event kind. */
export const eventLabel = (kind: string) => EVENT_LABELS[kind] ?? kind;

const list = (text: string) =>
  text
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

const prefixed = (to: string[], prefix: string) => to.filter((t) => t.startsWith(prefix)).map((t) => t.slice(prefix.length));

export function RuleCard(props: {
  keyed: Keyed;
  index: number;
  count: number;
  events: string[];
  errors: Record<string, string[]>;
  change: (part: Partial<NotificationRule>) => void;
  move: (by: number) => void;
  remove: () => void;
  editTemplates: () => void;
  templatesOpen: boolean;
}) {
  const { rule, id } = props.keyed;
  const path = `rules[${props.index}]`;
  const at = (part: string) => errorsAt(props.errors, `${path}.${part}`);
  const [projects, setProjects] = useState((rule.projects ?? []).join(', '));
  const [groups, setGroups] = useState(prefixed(rule.to, 'group:').join(', '));
  const [addresses, setAddresses] = useState(prefixed(rule.to, 'address:').join(', '));
  const fixed = rule.to.filter((t) => !t.startsWith('group:') && !t.startsWith('address:'));
  const recipients = (people: string[], groupText: string, addressText: string) => [
    ...people,
    ...list(groupText).map((g) => `group:${g}`),
    ...list(addressText).map((a) => `address:${a}`),
  ];
  const own = `rule-${id}`;
  const title = rule.name?.trim() || `Rule ${props.index + 1}`;
  const templated = [rule.subject, rule.text, rule.html].filter((t) => t && t.trim()).length;
  const templateProblems = ['subject', 'text', 'html'].flatMap((p) => at(p));
  const described = (part: string, hint?: string) =>
    [hint, at(part).length ? `${own}-${part}-error` : undefined].filter(Boolean).join(' ') || undefined;
  return (
    <section class="card rule-card" aria-labelledby={`${own}-title`}>
      <div class="rule-head">
        <h3 id={`${own}-title`}>
          {props.index + 1}. {title}
        </h3>
        <RuleActions title={title} index={props.index} count={props.count} move={props.move} remove={props.remove} />
      </div>
      <div class="editor-row">
        <div class="field">
          <label for={`${own}-name`}>Name</label>
          <input
            id={`${own}-name`}
            type="text"
            value={rule.name ?? ''}
            aria-invalid={at('name').length ? true : undefined}
            aria-describedby={described('name')}
            onInput={(e) => props.change({ name: e.currentTarget.value })}
          />
          <Problems id={`${own}-name-error`} messages={at('name')} />
        </div>
        <div class="field">
          <label for={`${own}-projects`}>Projects, separated by commas</label>
          <input
            id={`${own}-projects`}
            type="text"
            placeholder="SUP, OPS"
            value={projects}
            aria-invalid={at('projects').length ? true : undefined}
            aria-describedby={described('projects', `${own}-projects-hint`)}
            onInput={(e) => {
              setProjects(e.currentTarget.value);
              props.change({ projects: list(e.currentTarget.value) });
            }}
          />
          <p id={`${own}-projects-hint`} class="subtle">
            None: every project.
          </p>
          <Problems id={`${own}-projects-error`} messages={at('projects')} />
        </div>
      </div>
      <fieldset class="choice" aria-describedby={described('events')}>
        <legend>Events</legend>
        {props.events.map((kind) => (
          <label key={kind} class="check">
            <input
              type="checkbox"
              checked={rule.events.includes(kind)}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                props.change({ events: on ? [...rule.events, kind] : rule.events.filter((k) => k !== kind) });
              }}
            />
            {eventLabel(kind)}
          </label>
        ))}
        <Problems id={`${own}-events-error`} messages={at('events')} />
      </fieldset>
      <fieldset class="choice" aria-describedby={described('to')}>
        <legend>Who is told</legend>
        {PEOPLE.map((who) => (
          <label key={who.value} class="check">
            <input
              type="checkbox"
              checked={fixed.includes(who.value)}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                const people = on ? [...fixed, who.value] : fixed.filter((f) => f !== who.value);
                props.change({ to: recipients(people, groups, addresses) });
              }}
            />
            {who.label}
          </label>
        ))}
        <div class="editor-row">
          <div class="field">
            <label for={`${own}-groups`}>Members of Jira groups, separated by commas</label>
            <input
              id={`${own}-groups`}
              type="text"
              placeholder="jira-servicedesk-users"
              value={groups}
              onInput={(e) => {
                setGroups(e.currentTarget.value);
                props.change({ to: recipients(fixed, e.currentTarget.value, addresses) });
              }}
            />
          </div>
          <div class="field">
            <label for={`${own}-addresses`}>Fixed addresses, separated by commas</label>
            <input
              id={`${own}-addresses`}
              type="text"
              placeholder="desk@example.com"
              value={addresses}
              aria-invalid={at('to').length ? true : undefined}
              aria-describedby={described('to')}
              onInput={(e) => {
                setAddresses(e.currentTarget.value);
                props.change({ to: recipients(fixed, groups, e.currentTarget.value) });
              }}
            />
          </div>
        </div>
        <Problems id={`${own}-to-error`} messages={at('to')} />
      </fieldset>
      <div class="rule-templates">
        <p class="subtle">
          {templated === 0 ? 'Words: postroom’s default subject, text and HTML.' : `Words: ${templated} of 3 parts are the rule’s own.`}
        </p>
        <Problems id={`${own}-templates-error`} messages={templateProblems} />
        <button type="button" class="button" aria-expanded={props.templatesOpen} onClick={props.editTemplates}>
          Edit the templates<span class="visually-hidden"> ({title})</span>
        </button>
      </div>
    </section>
  );
}
