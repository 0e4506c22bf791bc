/**
 * What a rule decides (its `then`), or the profile's `default`: the action, the new
 * issue's project, type and fields, who reports it, comments, replies to closed issues,
 * the attachment policy and the handling of automatic mail. In a rule, a setting left
 * unset comes from the default.
 */
import { useState } from 'preact/hooks';
import { CommaField, SelectField, TextField, TriField, idOf, listAt, numberOf, numberText, objectAt, setIn, textAt } from './fields';
import type { Json } from './fields';

const ACTIONS = [
  ['process', 'Process: comment on the issue, or open one'],
  ['ignore', 'Ignore (with a report)'],
  ['hold', 'Hold for review'],
  ['reject', 'Reject'],
] as const;

const HANDLES = [
  ['ignore', 'Ignore'],
  ['hold', 'Hold'],
  ['reject', 'Reject'],
  ['comment', 'Comment on the issue it threads to'],
] as const;

const AUTOMATIC = [
  ['bounce', 'Bounces'],
  ['auto_reply', 'Automatic answers'],
  ['list', 'Mailing lists'],
  ['spam', 'Spam'],
  ['flood', 'Floods'],
] as const;

const ON_CLOSED = [
  ['comment', 'Comment'],
  ['reopen', 'Comment and reopen'],
  ['new_issue', 'Open a new, linked issue'],
] as const;

export function ThenEditor(props: { path: string; value: Json; change: (next: Json) => void; isDefault: boolean }) {
  const { path, value } = props;
  const unset = props.isDefault ? 'Not set' : 'As the default';
  const set = (keys: (string | number)[], next: unknown) => props.change(setIn(value, keys, next) as Json);
  const text = (key: string, label: string, hint?: string) => (
    <TextField
      path={`${path}.${key}`}
      label={label}
      value={textAt(value, key)}
      {...(hint ? { hint } : {})}
      change={(v) => set([key], v.trim() === '' ? null : v)}
    />
  );
  const handling = objectAt(value, 'handling');
  const policy = value.attachments && typeof value.attachments === 'object' ? (value.attachments as Json) : null;
  return (
    <div class="then-editor">
      <div class="editor-row">
        <SelectField
          path={`${path}.action`}
          label="Action for human mail"
          value={textAt(value, 'action')}
          unset={props.isDefault ? 'Not set (process)' : unset}
          options={ACTIONS}
          change={(v) => set(['action'], v || null)}
        />
        {text('reason', 'Reason (with ignore, hold or reject)')}
      </div>
      <div class="editor-row">
        {text('project', 'Project key', props.isDefault ? undefined : 'Empty: the default’s.')}
        {text('issue_type', 'Issue type')}
        {text('priority', 'Priority')}
        {text('request_type', 'JSM request type id')}
      </div>
      <div class="editor-row">
        <CommaField path={`${path}.labels`} label="Labels, separated by commas" value={value.labels === null || value.labels === undefined ? null : listAt(value, 'labels')} change={(v) => set(['labels'], v)} />
        <CommaField
          path={`${path}.components`}
          label="Components, separated by commas"
          value={value.components === null || value.components === undefined ? null : listAt(value, 'components')}
          change={(v) => set(['components'], v)}
        />
      </div>
      <CustomFields path={`${path}.fields`} value={value.fields} change={(v) => set(['fields'], v)} />
      <div class="editor-row">
        {text('reporter', 'Reporter', '“sender” makes an authenticated sender with a Jira account the reporter.')}
        {text('comment_visibility', 'Comments visible to (role or group)', 'Empty: public.')}
      </div>
      <div class="editor-row">
        <TriField path={`${path}.full_text`} label="Post the whole mail (quotes and signature)" value={value.full_text} unset={unset} change={(v) => set(['full_text'], v)} />
        <TriField path={`${path}.attach_original`} label="Attach the original .eml" value={value.attach_original} unset={unset} change={(v) => set(['attach_original'], v)} />
        <TriField path={`${path}.acknowledge`} label="Send the acknowledgement" value={value.acknowledge} unset={props.isDefault ? 'As the acknowledgement says' : unset} change={(v) => set(['acknowledge'], v)} />
      </div>
      <div class="editor-row">
        <SelectField path={`${path}.on_closed`} label="A reply to a closed issue" value={textAt(value, 'on_closed')} unset={props.isDefault ? 'Not set (comment)' : unset} options={ON_CLOSED} change={(v) => set(['on_closed'], v || null)} />
        {text('reopen_transition', 'Reopen transition', 'Default: Reopen.')}
      </div>
      <fieldset class="choice-grid">
        <legend>Automatic mail</legend>
        <div class="editor-row">
          {AUTOMATIC.map(([key, label]) => (
            <SelectField
              key={key}
              path={`${path}.handling.${key}`}
              label={label}
              value={textAt(handling, key)}
              unset={props.isDefault ? (key === 'flood' ? 'Not set (hold)' : 'Not set (ignore)') : unset}
              options={HANDLES}
              change={(v) => set(['handling', key], v || null)}
            />
          ))}
        </div>
      </fieldset>
      <fieldset class="choice-grid">
        <legend>Attachments</legend>
        {policy === null ? (
          <p>
            <span class="subtle">{props.isDefault ? 'postroom’s policy: signature files and small inline images are left out.' : 'The default’s policy.'} </span>
            <button type="button" class="button" onClick={() => set(['attachments'], {})}>
              Set a policy<span class="visually-hidden"> ({props.isDefault ? 'default' : path})</span>
            </button>
          </p>
        ) : (
          <>
            <div class="editor-row">
              <TextField path={`${path}.attachments.max_bytes`} label="Largest file (bytes)" type="number" value={numberText(policy.max_bytes)} hint="Empty: Jira’s limit." change={(v) => set(['attachments', 'max_bytes'], numberOf(v))} />
              <TextField
                path={`${path}.attachments.inline_images_under_bytes`}
                label="Leave out inline images under (bytes)"
                type="number"
                value={numberText(policy.inline_images_under_bytes)}
                hint="Empty: 15 KB; 0 keeps them all."
                change={(v) => set(['attachments', 'inline_images_under_bytes'], numberOf(v))}
              />
            </div>
            <div class="editor-row">
              <CommaField path={`${path}.attachments.allowed_types`} label="Allowed types, separated by commas" placeholder="image/*, application/pdf" value={listAt(policy, 'allowed_types')} hint="None: every type." change={(v) => set(['attachments', 'allowed_types'], v ?? [])} />
              <CommaField path={`${path}.attachments.blocked_extensions`} label="Blocked extensions, separated by commas" placeholder="exe, js" value={listAt(policy, 'blocked_extensions')} change={(v) => set(['attachments', 'blocked_extensions'], v ?? [])} />
            </div>
            <button type="button" class="button button-subtle" onClick={() => set(['attachments'], null)}>
              {props.isDefault ? 'Use postroom’s policy' : 'Use the default’s policy'}
              <span class="visually-hidden"> ({props.isDefault ? 'default' : path})</span>
            </button>
          </>
        )}
      </fieldset>
    </div>
  );
}

/** `fields`: custom field values by field name, as JSON (a value may be any JSON). */
function CustomFields(props: { path: string; value: unknown; change: (value: Json | null) => void }) {
  const [text, setText] = useState(props.value && typeof props.value === 'object' ? JSON.stringify(props.value) : '');
  const [problem, setProblem] = useState<string | null>(null);
  const id = idOf(props.path);
  return (
    <div class="field field-wide">
      <TextField
        path={props.path}
        label="Custom field values (JSON by field name)"
        placeholder='{"Customer": "ACME"}'
        value={text}
        change={(next) => {
          setText(next);
          if (next.trim() === '') {
            setProblem(null);
            props.change(null);
            return;
          }
          try {
            const parsed: unknown = JSON.parse(next);
            if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('an object is needed: {"Field": value}');
            setProblem(null);
            props.change(parsed as Json);
          } catch (e) {
            setProblem(`Not kept until it is JSON: ${e instanceof Error ? e.message : String(e)}`);
          }
        }}
      />
      {problem && (
        <p id={`${id}-local`} class="error-text" role="status">
          {problem}
        </p>
      )}
    </div>
  );
}
