/**
 * Notifications: the profile's `notifications` section as forms — who sends (from, its
 * name, where replies go), the caps, and the rules in order (add, remove, move; name,
 * projects, events, recipients) — and each rule's templates with a live preview and a
 * test mail (see `TemplatePanel`). Saving replaces the stored profile over the version
 * this page loaded: when someone saved first, the page says so and offers to reload;
 * every mistake the server finds is shown at its field.
 */
import { useState } from 'preact/hooks';
import { useFlags } from '../components/Flags';
import { Show, useLoad } from '../components/Load';
import { PageHeader } from '../components/PageHeader';
import { errorsAt, profileApi, showRefusal } from '../profileApi';
import type { Defaults, NotificationRule, NotificationSettings, Stale, StoredProfile } from '../profileApi';
import { Problems } from '../components/Problems';
import { StaleMessage } from './notifications/StaleMessage';
import { RuleCard } from './notifications/RuleCard';
import { TemplatePanel } from './notifications/TemplatePanel';

export function Notifications() {
  const [loaded, reload] = useLoad(() => Promise.all([profileApi.profile(), profileApi.defaults()]), []);
  return (
    <>
      <PageHeader title="Notifications" />
      <p class="subtle">
        Which Jira events are mailed to whom, and in what words. Saved into the site&apos;s profile; the next event uses it.
      </p>
      <Show loaded={loaded}>
        {([stored, defaults]) => <Editor key={stored.version} stored={stored} defaults={defaults} reload={reload} />}
      </Show>
    </>
  );
}

/** A rule with an id of its own, so that moving rules keeps each form's state with its rule. */
export interface Keyed {
  id: number;
  rule: NotificationRule;
}

let nextId = 1;

const keyed = (rule: NotificationRule): Keyed => ({ id: nextId++, rule });

const blank = (text: string | null | undefined) => (text && text.trim() ? text.trim() : null);

/** The section as it is saved: empty texts are "not set". */
function settingsOf(sender: Sender, rules: Keyed[], base: NotificationSettings): NotificationSettings {
  return {
    ...base,
    from: blank(sender.from),
    from_name: blank(sender.from_name),
    reply_to: blank(sender.reply_to),
    max_recipients: Number(sender.max_recipients),
    attach_max_bytes: Number(sender.attach_max_bytes),
    rules: rules.map(({ rule }) => ({
      ...rule,
      name: blank(rule.name),
      subject: blank(rule.subject) === null ? null : (rule.subject ?? null),
      text: blank(rule.text) === null ? null : (rule.text ?? null),
      html: blank(rule.html) === null ? null : (rule.html ?? null),
    })),
  };
}

interface Sender {
  from: string;
  from_name: string;
  reply_to: string;
  max_recipients: string;
  attach_max_bytes: string;
}

function Editor(props: { stored: StoredProfile; defaults: Defaults; reload: () => void }) {
  const { stored, defaults } = props;
  const flag = useFlags();
  const base = stored.profile.notifications ?? {};
  const [sender, setSender] = useState<Sender>({
    from: base.from ?? '',
    from_name: base.from_name ?? '',
    reply_to: base.reply_to ?? '',
    max_recipients: String(base.max_recipients ?? 50),
    attach_max_bytes: String(base.attach_max_bytes ?? 5 * 1024 * 1024),
  });
  const [rules, setRules] = useState<Keyed[]>(() => (base.rules ?? []).map(keyed));
  const [open, setOpen] = useState<number | null>(null);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [stale, setStale] = useState<Stale | null>(null);
  const [busy, setBusy] = useState(false);

  const change = (id: number, part: Partial<NotificationRule>) =>
    setRules((all) => all.map((k) => (k.id === id ? { ...k, rule: { ...k.rule, ...part } } : k)));
  const move = (index: number, by: number) =>
    setRules((all) => {
      const next = [...all];
      const [taken] = next.splice(index, 1);
      if (taken) next.splice(index + by, 0, taken);
      return next;
    });
  const add = () => {
    const made = keyed({ name: `Rule ${rules.length + 1}`, projects: [], events: ['comment_added'], to: ['reporter'] });
    setRules((all) => [...all, made]);
    window.setTimeout(() => document.getElementById(`rule-${made.id}-name`)?.focus(), 0);
  };

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setStale(null);
    try {
      const profile = { ...stored.profile, notifications: settingsOf(sender, rules, base) };
      const saved = await profileApi.save(stored.version, profile);
      setErrors({});
      const title = `Notifications saved (profile version ${saved.version})`;
      flag(saved.notes.length ? { kind: 'success', title, description: saved.notes.join(' ') } : { kind: 'success', title });
      props.reload();
    } catch (e) {
      showRefusal(e, setStale, (byPath) => {
        const mine: Record<string, string[]> = {};
        for (const [path, messages] of Object.entries(byPath)) mine[path.replace(/^notifications\./, '')] = messages;
        setErrors(mine);
      });
    } finally {
      setBusy(false);
    }
  };

  const outside = Object.entries(errors)
    .filter(([path]) => !/^(rules|from|from_name|reply_to|max_recipients|attach_max_bytes)\b/.test(path))
    .flatMap(([path, messages]) => messages.map((m) => (path === '.' ? m : `${path}: ${m}`)));
  const at = (path: string) => errorsAt(errors, path);
  const senderField = (name: keyof Sender, label: string, hint: string, type = 'text') => (
    <div class="field">
      <label for={`notify-${name}`}>{label}</label>
      <input
        id={`notify-${name}`}
        type={type}
        value={sender[name]}
        aria-invalid={at(name).length ? true : undefined}
        aria-describedby={`notify-${name}-hint${at(name).length ? ` notify-${name}-error` : ''}`}
        onInput={(e) => setSender((s) => ({ ...s, [name]: e.currentTarget.value }))}
      />
      <p id={`notify-${name}-hint`} class="subtle">
        {hint}
      </p>
      <Problems id={`notify-${name}-error`} messages={at(name)} />
    </div>
  );
  const openRule = rules.find((k) => k.id === open);
  const openIndex = rules.findIndex((k) => k.id === open);
  return (
    <>
      {stale && <StaleMessage version={stale.version} differs={stale.differs} reload={props.reload} />}
      <form id="notify-form" onSubmit={save} aria-label="Notification settings" noValidate>
        <Problems id="notify-form-error" messages={outside} />
        <section class="card" aria-labelledby="sender-title">
          <h2 id="sender-title">Sender</h2>
          <div class="editor-row">
            {senderField('from', 'From address', 'Empty: the first of the site’s own addresses.', 'email')}
            {senderField('from_name', 'From name', 'Shown as the sender, e.g. ACME Support.')}
            {senderField('reply_to', 'Replies go to', 'A mailbox postroom reads, so that answers become comments.', 'email')}
          </div>
          <div class="editor-row">
            {senderField('max_recipients', 'Most people told of one event', 'The rest are named in the log.', 'number')}
            {senderField('attach_max_bytes', 'Attach files up to (bytes per mail)', 'Larger files are linked instead.', 'number')}
          </div>
        </section>
        <section aria-labelledby="rules-title">
          <h2 id="rules-title">Rules</h2>
          {rules.length === 0 && <p class="subtle">No rule: no event is mailed to anyone. Add a rule to tell people.</p>}
          <ol class="rule-list">
            {rules.map((k, index) => (
              <li key={k.id}>
                <RuleCard
                  keyed={k}
                  index={index}
                  count={rules.length}
                  events={defaults.events}
                  errors={errors}
                  change={(part) => change(k.id, part)}
                  move={(by) => move(index, by)}
                  remove={() => {
                    setRules((all) => all.filter((r) => r.id !== k.id));
                    if (open === k.id) setOpen(null);
                  }}
                  editTemplates={() => {
                    setOpen(k.id);
                    window.setTimeout(() => document.getElementById('templates-title')?.focus(), 0);
                  }}
                  templatesOpen={open === k.id}
                />
              </li>
            ))}
          </ol>
          <button type="button" class="button" onClick={add}>
            Add a rule
          </button>
        </section>
        <div class="picker-actions save-bar">
          <button type="submit" class="button button-primary" disabled={busy}>
            Save notifications
          </button>
          <span class="subtle">Profile version {stored.version}</span>
        </div>
      </form>
      {openRule && (
        <TemplatePanel
          key={openRule.id}
          rule={openRule.rule}
          index={openIndex}
          defaults={defaults}
          errors={errors}
          change={(part) => change(openRule.id, part)}
          close={() => setOpen(null)}
          busy={busy}
        />
      )}
    </>
  );
}
