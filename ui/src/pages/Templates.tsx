/**
 * Canned responses, managed: every template the reader may see, by scope, folder and tag,
 * with what they may do with each. Edit and delete are offered only where the API said
 * `administer`; the server checks every action again (it is the authority, the page only
 * hides what would be refused). Export downloads the exchange file (shared templates
 * only: personal ones are never exported).
 */
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api';
import type { ScopeKind, ScopeValue, Template } from '../api';
import { useFlags } from '../components/Flags';
import { Show, useLoad } from '../components/Load';
import { PageHeader } from '../components/PageHeader';
import { Table } from '../components/Table';
import { when } from '../format';
import { message } from '../picker/Picker';

const SCOPES: { kind: ScopeKind; label: string }[] = [
  { kind: 'personal', label: 'Personal' },
  { kind: 'projects', label: 'Projects' },
  { kind: 'groups', label: 'Groups' },
  { kind: 'global', label: 'Global' },
];

/** A scope in words: "Projects: SUP, OPS". */
export function scopeText(scope: ScopeValue): string {
  const label = SCOPES.find((s) => s.kind === scope.kind)?.label ?? scope.kind;
  return scope.values && scope.values.length > 0 ? `${label}: ${scope.values.join(', ')}` : label;
}

export function Templates() {
  const [loaded, reload] = useLoad(api.templates, []);
  return (
    <>
      <PageHeader
        title="Canned responses"
        actions={
          <>
            <a class="button button-primary" href="#/templates/new">
              New template
            </a>
            <a class="button" href="#/templates/import">
              Import
            </a>
            <ExportButton />
          </>
        }
      />
      <Show loaded={loaded}>{(list) => <TemplateList list={list} reload={reload} />}</Show>
    </>
  );
}

function ExportButton() {
  const flag = useFlags();
  const download = async () => {
    try {
      const file = await api.exportTemplates();
      const url = URL.createObjectURL(new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = 'postroom-templates.json';
      link.click();
      window.setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      flag({ kind: 'error', title: 'The templates could not be exported', description: message(e) });
    }
  };
  return (
    <button type="button" class="button" onClick={download}>
      Export
    </button>
  );
}

function TemplateList(props: { list: Template[]; reload: () => void }) {
  const { list } = props;
  const flag = useFlags();
  const [scope, setScope] = useState('');
  const [folder, setFolder] = useState('');
  const [tag, setTag] = useState('');
  const [words, setWords] = useState('');
  const [confirming, setConfirming] = useState<string | null>(null);
  const folders = useMemo(() => [...new Set(list.map((t) => t.folder ?? ''))].filter(Boolean).sort(), [list]);
  const tags = useMemo(() => [...new Set(list.flatMap((t) => t.tags))].sort(), [list]);
  const wanted = words.trim().toLowerCase();
  const shown = list
    .filter((t) => !scope || t.scope.kind === scope)
    .filter((t) => !folder || (folder === '-' ? !t.folder : t.folder === folder))
    .filter((t) => !tag || t.tags.includes(tag))
    .filter((t) => !wanted || `${t.name} ${t.description} ${t.tags.join(' ')}`.toLowerCase().includes(wanted))
    .sort((a, b) => (a.folder ?? '').localeCompare(b.folder ?? '') || a.name.localeCompare(b.name));

  const remove = async (template: Template) => {
    try {
      await api.deleteTemplate(template.id);
      flag({ kind: 'success', title: `Template “${template.name}” deleted` });
      setConfirming(null);
      props.reload();
    } catch (e) {
      flag({ kind: 'error', title: `“${template.name}” could not be deleted`, description: message(e) });
    }
  };

  return (
    <>
      <form class="filters" role="search" aria-label="Filter templates" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="templates-words">Name, description or tag</label>
          <input id="templates-words" type="search" value={words} onInput={(e) => setWords(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="templates-scope">Scope</label>
          <select id="templates-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value)}>
            <option value="">Any scope</option>
            {SCOPES.map((s) => (
              <option key={s.kind} value={s.kind}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="templates-folder">Folder</label>
          <select id="templates-folder" value={folder} onChange={(e) => setFolder(e.currentTarget.value)}>
            <option value="">Any folder</option>
            <option value="-">Not in a folder</option>
            {folders.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="templates-tag">Tag</label>
          <select id="templates-tag" value={tag} onChange={(e) => setTag(e.currentTarget.value)}>
            <option value="">Any tag</option>
            {tags.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
      </form>
      <section class="card" aria-labelledby="templates-title">
        <h2 id="templates-title">
          {shown.length} of {list.length} templates
        </h2>
        <Table
          caption="Canned responses you may see"
          columns={[
            {
              key: 'name',
              label: 'Name',
              cell: (t) => (
                <a href={`#/templates/${encodeURIComponent(t.id)}`} class="template-name">
                  {t.name}
                </a>
              ),
            },
            { key: 'folder', label: 'Folder', cell: (t) => t.folder ?? '—' },
            { key: 'tags', label: 'Tags', cell: (t) => (t.tags.length > 0 ? t.tags.join(', ') : '—') },
            { key: 'scope', label: 'Scope', cell: (t) => scopeText(t.scope) },
            { key: 'uses', label: 'Uses', cell: (t) => t.usage_count },
            { key: 'last', label: 'Last used', cell: (t) => when(t.last_used_at_ms) },
            {
              key: 'access',
              label: 'You may',
              cell: (t) => (
                <span class={`lozenge lozenge-${t.access === 'administer' ? 'success' : 'default'}`}>
                  {t.access === 'administer' ? 'change it' : 'use it'}
                </span>
              ),
            },
            {
              key: 'actions',
              label: 'Actions',
              cell: (t) =>
                t.access !== 'administer' ? (
                  '—'
                ) : confirming === t.id ? (
                  <span class="row-actions">
                    <button type="button" class="button button-danger" onClick={() => remove(t)}>
                      Delete for good<span class="visually-hidden">: {t.name}</span>
                    </button>
                    <button type="button" class="button button-subtle" onClick={() => setConfirming(null)}>
                      Keep it
                    </button>
                  </span>
                ) : (
                  <button type="button" class="button" onClick={() => setConfirming(t.id)}>
                    Delete<span class="visually-hidden"> {t.name}</span>
                  </button>
                ),
            },
          ]}
          rows={shown}
          rowKey={(t) => t.id}
          empty={
            list.length === 0 ? (
              <p>
                No template yet. <a href="#/templates/new">Write one</a>, or import a file.
              </p>
            ) : (
              <p>No template matches these filters.</p>
            )
          }
        />
      </section>
    </>
  );
}
