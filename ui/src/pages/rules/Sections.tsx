/**
 * The profile's sections beside the routing rules, each a card of forms: own addresses,
 * directives, threading, people, the checks that turn mail into held or spam mail, the
 * acknowledgement and notice templates, and bounces. Every pattern has its tester.
 */
import { useContext } from 'preact/hooks';
import { errorsAt } from '../../profileApi';
import { StringList } from '../../components/StringList';
import { CheckField, Errors, SelectField, TextField, idOf, listAt, numberOf, numberText, objectAt, textAt } from './fields';
import type { Json } from './fields';
import { AddressTester, RegexTester } from './Tester';

type Set = (keys: (string | number)[], next: unknown) => void;

interface SectionProps {
  profile: Json;
  set: Set;
}

/** A card with a title, an id to link to and an intro. */
function Card(props: { id: string; title: string; intro: string; children: preact.ComponentChildren }) {
  return (
    <section class="card" aria-labelledby={`${props.id}-title`} id={props.id}>
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      <p class="subtle">{props.intro}</p>
      {props.children}
    </section>
  );
}

/** A list of strings of the profile at `path` (dotted keys). */
function List(props: { path: string; legend: string; one: string; placeholder: string; value: string[]; change: (v: string[]) => void; tester?: 'address' }) {
  const errors = useContext(Errors);
  const id = idOf(props.path);
  return (
    <StringList id={id} legend={props.legend} one={props.one} placeholder={props.placeholder} values={props.value} change={props.change} problems={(i) => errorsAt(errors, `${props.path}[${i}]`)}>
      {props.tester === 'address' && <AddressTester id={`${id}-test`} patterns={props.value} label={props.legend} />}
    </StringList>
  );
}

const optionalText = (v: string) => (v.trim() === '' ? null : v);

export function OwnSection({ profile, set }: SectionProps) {
  const own = objectAt(profile, 'own');
  return (
    <Card id="own" title="Own addresses" intro="Mail to these addresses (and to any address of these domains) is this site’s; no other mail is taken in. support+SUP-12@… counts as support@….">
      <List path="own.addresses" legend="Addresses" one="an address" placeholder="support@example.com" value={listAt(own, 'addresses')} change={(v) => set(['own', 'addresses'], v)} />
      <List path="own.domains" legend="Domains (every address in them)" one="a domain" placeholder="help.example.com" value={listAt(own, 'domains')} change={(v) => set(['own', 'domains'], v)} />
      <CheckField path="own.accept_any_recipient" label="Accept mail whatever it is addressed to (only for trying postroom out)" checked={own.accept_any_recipient === true} change={(on) => set(['own', 'accept_any_recipient'], on)} />
    </Card>
  );
}

export function DirectivesSection({ profile, set }: SectionProps) {
  const d = objectAt(profile, 'directives');
  const aliases = Object.entries(objectAt(d, 'aliases')).map(([k, v]) => `${k}=${String(v)}`);
  return (
    <Card id="directives" title="Directives" intro="#name=value lines at the top of a mail’s body (#priority=High), obeyed only for these senders when their authenticity passed.">
      <CheckField path="directives.enabled" label="Read directives" checked={d.enabled === true} change={(on) => set(['directives', 'enabled'], on)} />
      <List path="directives.allowed_senders" legend="Senders whose directives are obeyed" one="a sender pattern" placeholder="*@example.com" value={listAt(d, 'allowed_senders')} change={(v) => set(['directives', 'allowed_senders'], v)} tester="address" />
      <List path="directives.custom_fields" legend="Custom fields that may be set by name" one="a custom field" placeholder="Customer" value={listAt(d, 'custom_fields')} change={(v) => set(['directives', 'custom_fields'], v)} />
      <List
        path="directives.aliases"
        legend="Other names (alias=directive)"
        one="an alias"
        placeholder="prio=priority"
        value={aliases}
        change={(v) => {
          const map: Json = {};
          for (const entry of v) {
            const [name, ...target] = entry.split('=');
            if (name?.trim()) map[name.trim()] = target.join('=').trim();
          }
          set(['directives', 'aliases'], map);
        }}
      />
    </Card>
  );
}

const METHODS = [
  ['directive', '#issue=KEY directive'],
  ['sub_address', 'Sub-address (support+SUP-12@…)'],
  ['in_reply_to', 'In-Reply-To'],
  ['references', 'References'],
  ['subject', 'Issue key in the subject'],
  ['foreign_key', 'Partner’s ticket number'],
] as const;

export function ThreadingSection({ profile, set }: SectionProps) {
  const t = objectAt(profile, 'threading');
  const order = Array.isArray(t.order) ? listAt(t, 'order') : METHODS.map(([m]) => m as string);
  const move = (i: number, by: number) => {
    const next = [...order];
    const [taken] = next.splice(i, 1);
    if (taken) next.splice(i + by, 0, taken);
    set(['threading', 'order'], next);
  };
  const errors = useContext(Errors);
  const label = (m: string) => METHODS.find(([k]) => k === m)?.[1] ?? m;
  return (
    <Card id="threading" title="Threading" intro="How a mail finds the issue it belongs to: the methods are tried first to last; one switched off is never tried.">
      <h3>Methods, in order</h3>
      <ol class="method-list">
        {order.map((m, i) => (
          <li key={m}>
            <span>{label(m)}</span>
            <button type="button" class="button button-subtle" disabled={i === 0} onClick={() => move(i, -1)}>
              Move up<span class="visually-hidden"> ({label(m)})</span>
            </button>
            <button type="button" class="button button-subtle" disabled={i === order.length - 1} onClick={() => move(i, 1)}>
              Move down<span class="visually-hidden"> ({label(m)})</span>
            </button>
            <button type="button" class="button button-subtle" onClick={() => set(['threading', 'order'], order.filter((o) => o !== m))}>
              Switch off<span class="visually-hidden"> ({label(m)})</span>
            </button>
            {errorsAt(errors, `threading.order[${i}]`).map((e) => (
              <span key={e} class="error-text">
                {' '}
                {e}
              </span>
            ))}
          </li>
        ))}
      </ol>
      {METHODS.filter(([m]) => !order.includes(m)).map(([m, l]) => (
        <button key={m} type="button" class="button" onClick={() => set(['threading', 'order'], [...order, m])}>
          Switch on: {l}
        </button>
      ))}
      <List path="threading.project_keys" legend="Project keys postroom knows (none: any key of the pattern)" one="a project key" placeholder="SUP" value={listAt(t, 'project_keys')} change={(v) => set(['threading', 'project_keys'], v)} />
      <TextField path="threading.key_pattern" label="What an issue key looks like (regex)" value={textAt(t, 'key_pattern')} hint="Used when no project key is listed." change={(v) => set(['threading', 'key_pattern'], v)} wide>
        <RegexTester id="f-threading-key_pattern-test" kind="issue_key" pattern={textAt(t, 'key_pattern')} label="issue key pattern" />
      </TextField>
      <TextField path="threading.foreign_key" label="A partner’s ticket number in the subject (regex)" placeholder="INC[0-9]{7}" value={textAt(t, 'foreign_key')} change={(v) => set(['threading', 'foreign_key'], optionalText(v))} wide>
        <RegexTester id="f-threading-foreign_key-test" kind="regex" pattern={textAt(t, 'foreign_key')} label="partner’s ticket number" />
      </TextField>
    </Card>
  );
}

export function PeopleSection({ profile, set }: SectionProps) {
  const p = objectAt(profile, 'people');
  const create = objectAt(p, 'create');
  return (
    <Card id="people" title="People" intro="Who ends up on an issue, who may open one by mail, and what a reply from someone not on the issue does.">
      <div class="editor-row">
        <CheckField path="people.participants" label="Other recipients join the issue" checked={p.participants !== false} change={(on) => set(['people', 'participants'], on)} />
        <TextField path="people.max_participants" label="At most this many per mail" type="number" value={numberText(p.max_participants ?? 10)} change={(v) => set(['people', 'max_participants'], numberOf(v) ?? 10)} />
        <TextField path="people.email_field" label="Text field for people without a Jira account" value={textAt(p, 'email_field')} hint="Empty: named only in the comment." change={(v) => set(['people', 'email_field'], optionalText(v))} />
      </div>
      <CheckField path="people.jsm_customers" label="On service projects, make senders without an account customers" checked={p.jsm_customers === true} change={(on) => set(['people', 'jsm_customers'], on)} />
      <h3>Who may open an issue</h3>
      <List path="people.create.allow" legend="Allowed senders (none: everyone)" one="an allowed sender" placeholder="*@customer.example" value={listAt(create, 'allow')} change={(v) => set(['people', 'create', 'allow'], v)} tester="address" />
      <List path="people.create.deny" legend="Refused senders" one="a refused sender" placeholder="re:^noreply@" value={listAt(create, 'deny')} change={(v) => set(['people', 'create', 'deny'], v)} tester="address" />
      <div class="editor-row">
        <SelectField
          path="people.create.refused"
          label="A mail from a refused sender is"
          value={textAt(create, 'refused') || 'reject'}
          options={[
            ['reject', 'Rejected (a notice can say why)'],
            ['hold', 'Held for review'],
            ['ignore', 'Ignored'],
          ]}
          change={(v) => set(['people', 'create', 'refused'], v)}
        />
        <SelectField
          path="people.strangers"
          label="A reply from a stranger (people.strangers)"
          value={textAt(p, 'strangers') || 'hold'}
          hint="A stranger is not the issue’s reporter, assignee, watcher or listed participant, nor an authenticated Jira user who may see it."
          options={[
            ['hold', 'Held until released'],
            ['internal', 'An internal comment'],
            ['comment', 'A comment all the same'],
            ['reject', 'Rejected'],
          ]}
          change={(v) => set(['people', 'strangers'], v)}
        />
      </div>
    </Card>
  );
}

export function ChecksSection({ profile, set }: SectionProps) {
  const t = objectAt(profile, 'thresholds');
  return (
    <Card id="checks" title="Mail checks" intro="Whose Authentication-Results are trusted, and the limits that turn mail into held or spam mail.">
      <div class="editor-row">
        <TextField path="trusted_authserv_id" label="Trusted authserv-id" placeholder="mx.example.com" value={textAt(profile, 'trusted_authserv_id')} hint="Without it no sender counts as authentic." change={(v) => set(['trusted_authserv_id'], optionalText(v))} />
        <TextField path="thresholds.spam_score_header" label="Spam-score header" placeholder="X-Spam-Score" value={textAt(t, 'spam_score_header')} change={(v) => set(['thresholds', 'spam_score_header'], optionalText(v))} />
        <TextField path="thresholds.spam_score_threshold" label="Spam at or above" type="number" value={numberText(t.spam_score_threshold)} change={(v) => set(['thresholds', 'spam_score_threshold'], numberOf(v))} />
      </div>
      <div class="editor-row">
        <TextField path="thresholds.flood_max_per_sender" label="Hold a sender’s mail over" type="number" value={numberText(t.flood_max_per_sender)} change={(v) => set(['thresholds', 'flood_max_per_sender'], numberOf(v))} />
        <TextField path="thresholds.flood_window_minutes" label="… mails within (minutes)" type="number" value={numberText(t.flood_window_minutes)} change={(v) => set(['thresholds', 'flood_window_minutes'], numberOf(v))} />
      </div>
      <div class="editor-row">
        <TextField path="bounces.soft_limit" label="Soft bounces before an address is suppressed" type="number" value={numberText(objectAt(profile, 'bounces').soft_limit ?? 3)} change={(v) => set(['bounces', 'soft_limit'], numberOf(v) ?? 3)} />
      </div>
    </Card>
  );
}

/** The acknowledgement or the notice: when it is sent, from whom, and its templates. */
export function ReplySection({ profile, set, kind }: SectionProps & { kind: 'acknowledgement' | 'notice' }) {
  const r = objectAt(profile, kind);
  const ack = kind === 'acknowledgement';
  return (
    <Card
      id={kind}
      title={ack ? 'Acknowledgement' : 'Notice'}
      intro={
        ack
          ? 'The automatic answer to a person whose mail opened an issue. Variables: issue.key, issue.summary, issue.link, sender.name.'
          : 'The automatic answer to a person whose mail was refused. Variables: reason, original.subject, sender.name.'
      }
    >
      <div class="editor-row">
        <CheckField path={`${kind}.enabled`} label={ack ? 'Send acknowledgements' : 'Send notices'} checked={r.enabled === true} change={(on) => set([kind, 'enabled'], on)} />
        <TextField path={`${kind}.max_per_hour`} label="At most, to one address per hour" type="number" value={numberText(r.max_per_hour ?? 3)} change={(v) => set([kind, 'max_per_hour'], numberOf(v) ?? 3)} />
      </div>
      <div class="editor-row">
        <TextField path={`${kind}.from`} label="From address" type="email" value={textAt(r, 'from')} hint={ack ? 'Empty: the first own address.' : 'Empty: the acknowledgement’s.'} change={(v) => set([kind, 'from'], optionalText(v))} />
        <TextField path={`${kind}.from_name`} label="From name" value={textAt(r, 'from_name')} change={(v) => set([kind, 'from_name'], optionalText(v))} />
      </div>
      <TextField path={`${kind}.subject`} label="Subject template" value={textAt(r, 'subject')} change={(v) => set([kind, 'subject'], v)} wide />
      <TextField path={`${kind}.body`} label="Body template (plain text)" value={textAt(r, 'body')} change={(v) => set([kind, 'body'], v)} multiline wide />
    </Card>
  );
}
