/**
 * The instance's backups: where they go, how often, the last one made, and each one
 * checked through on request (its manifest opens with this instance's master key, every
 * file has its recorded length and SHA-256, every part decrypts).
 */
import { useState } from 'preact/hooks';
import { dataApi } from '../../api';
import type { Backup, Verified } from '../../api';
import { useFlags } from '../../components/Flags';
import { Show, useLoad } from '../../components/Load';
import { Table } from '../../components/Table';
import { size, when } from '../../format';
import { ApiFailure } from '../../transport';

export function Backups() {
  const [loaded, reload] = useLoad(dataApi.backups, []);
  const [busy, setBusy] = useState<string | null>(null);
  const [verified, setVerified] = useState<Verified | null>(null);
  const flag = useFlags();
  const backUp = async () => {
    setBusy('new');
    try {
      await dataApi.backUpNow();
      flag({ kind: 'success', title: 'A backup was made' });
      reload();
    } catch (e) {
      flag({ kind: 'error', title: 'The backup failed', description: e instanceof ApiFailure ? e.message : String(e) });
    } finally {
      setBusy(null);
    }
  };
  const verify = async (backup: Backup) => {
    setBusy(backup.id);
    setVerified(null);
    try {
      setVerified(await dataApi.verifyBackup(backup.id));
    } catch (e) {
      flag({ kind: 'error', title: `Backup ${backup.id} could not be checked`, description: e instanceof ApiFailure ? e.message : String(e) });
    } finally {
      setBusy(null);
    }
  };
  return (
    <Show loaded={loaded}>
      {(backups) => (
        <>
          <dl class="facts">
            <dt>Where</dt>
            <dd>{backups.target}</dd>
            <dt>How often</dt>
            <dd>
              {backups.schedule === 'off' ? 'never by itself' : backups.schedule}, keeping the newest {backups.keep}
            </dd>
            <dt>Last backup</dt>
            <dd>{backups.last_backup_at_ms === null ? 'none yet' : when(backups.last_backup_at_ms)}</dd>
          </dl>
          <p>
            A backup holds every site of this postroom, encrypted. It opens only with the master key and the key vault, which
            are never in it: keep them apart.
          </p>
          <div class="actions">
            <button type="button" class="button" disabled={busy !== null} onClick={backUp}>
              Back up now
            </button>
          </div>
          {verified && (
            <div role="status" class={`section-message ${verified.intact ? 'section-message-success' : 'section-message-error'}`}>
              <p>
                {verified.intact
                  ? `Backup ${verified.id} is intact: ${verified.backup?.blobs ?? 0} blobs, ${size(verified.backup?.stored_bytes ?? 0)}, database by ${verified.backup?.method ?? '—'}.`
                  : `Backup ${verified.id} failed the check: ${verified.problem ?? 'unknown'}`}
              </p>
            </div>
          )}
          <Table
            caption="Backups, oldest first"
            columns={[
              { key: 'id', label: 'Backup', cell: (r) => <code>{r.id}</code> },
              { key: 'made', label: 'Made', cell: (r) => when(r.created_at_ms) },
              { key: 'size', label: 'Size', cell: (r) => (r.stored_bytes === null ? '—' : size(r.stored_bytes)) },
              { key: 'how', label: 'Database', cell: (r) => r.problem ?? r.method ?? '—' },
              {
                key: 'verify',
                label: 'Action',
                cell: (r) => (
                  <button type="button" class="button" disabled={busy !== null} onClick={() => verify(r)}>
                    Verify<span class="visually-hidden"> backup {r.id}</span>
                  </button>
                ),
              },
            ]}
            rows={backups.backups}
            rowKey={(r) => r.id}
            empty={
              <p>
                No backup yet. Make one now, or wait for the schedule; <code>postroom backup create</code> makes one too.
              </p>
            }
          />
        </>
      )}
    </Show>
  );
}
