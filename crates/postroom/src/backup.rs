//! Backups as the configuration names them: the target, the keys they need, and the
//! scheduled backup `serve` makes.
//!
//! The schedule is a recurring job of the queue (declared on the self-hosted tenant
//! `default`, which every instance has): whichever instance first moves the declaration's
//! next run forward enqueues that period's job, and one worker of one instance leases and
//! runs it, so a fleet on one database makes one backup per period, not one per instance.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use postroom_engine::worker::{Handler, JobContext, JobError};
use postroom_store::backup::{self, BackupTarget, Contents, CreateOptions, PgDumpUse};
use postroom_store::blobs::{BlobConfig, BlobStore, S3Config};
use postroom_store::crypto::Keyring;
use postroom_store::{Store, TenantStore};

use crate::config::{BackupTargetSpec, Config};
use crate::{app, keys};

/// The job kind of the scheduled backup.
pub const BACKUP_JOB: &str = "backup";

/// The recurring job's name.
const SCHEDULE_NAME: &str = "backup";

/// Held while this process makes a backup (see [`ScheduledBackups::make_and_prune`]).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The target `--to`/`--from` names, else `[backup] to`, else `DATA_DIR/backups`.
pub fn target(config: &Config, named: Option<&str>) -> anyhow::Result<BackupTarget> {
    let text = named
        .map(str::to_owned)
        .or_else(|| config.backup.to.clone());
    let spec = match text {
        Some(text) => BackupTargetSpec::parse(&text).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => BackupTargetSpec::Directory(config.storage.data_dir.join("backups")),
    };
    let (blob_config, prefix) = match spec {
        BackupTargetSpec::Directory(dir) => (BlobConfig::Local(dir), String::new()),
        BackupTargetSpec::S3 { bucket, prefix } => (s3_config(config, bucket)?, prefix),
    };
    Ok(BackupTarget::open(&blob_config, &prefix)?)
}

fn s3_config(config: &Config, bucket: String) -> anyhow::Result<BlobConfig> {
    let storage = config.storage.s3.as_ref();
    let credentials: PathBuf = config
        .backup
        .s3_credentials_file
        .clone()
        .or_else(|| storage.and_then(|s| s.credentials_file.clone()))
        .context(
            "an s3:// backup target needs backup.s3_credentials_file (or \
             storage.s3.credentials_file)",
        )?;
    let (access_key_id, secret_access_key) = S3Config::read_credentials(&credentials)?;
    let endpoint = config
        .backup
        .s3_endpoint
        .clone()
        .or_else(|| storage.and_then(|s| s.endpoint.clone()));
    let region = config
        .backup
        .s3_region
        .clone()
        .or_else(|| storage.map(|s| s.region.clone()))
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "us-east-1".to_owned());
    Ok(BlobConfig::S3(S3Config {
        allow_http: endpoint
            .as_deref()
            .is_some_and(|e| e.starts_with("http://")),
        endpoint,
        bucket,
        region,
        access_key_id,
        secret_access_key,
    }))
}

/// The keyring a backup command needs: the instance's existing master key. A missing key
/// file is an error here, never a reason to make one: a backup made or opened with a new
/// key would be useless.
pub fn existing_keyring(config: &Config) -> anyhow::Result<Keyring> {
    if config.keys.master_key.is_none() {
        let file = keys::master_key_file(config);
        if !file.path().exists() {
            anyhow::bail!(
                "the master key {} does not exist: copy it and the key vault {} from where \
                 you keep them apart from the backups (docs/operations.md, \"Backups\")",
                file.path().display(),
                keys::vault_dir(config).display()
            );
        }
    }
    Ok(keys::open_keyring(config)?.0)
}

/// Declares the scheduled backup on `tenant` (the instance's `default`): the first one a
/// period after `now_ms`, then one per period. An existing declaration keeps its next
/// run, so restarting instances does not push the backup back.
pub async fn declare(tenant: &TenantStore, period: Duration, now_ms: i64) -> anyhow::Result<()> {
    let period_ms = i64::try_from(period.as_millis()).unwrap_or(i64::MAX);
    tenant
        .jobs()
        .declare_recurring(
            SCHEDULE_NAME,
            BACKUP_JOB,
            b"",
            period_ms,
            now_ms.saturating_add(period_ms),
        )
        .await
        .context("cannot declare the scheduled backup")?;
    Ok(())
}

/// Declares the schedule `[backup] schedule` asks for on `tenant`, or removes it when
/// the schedule is `off`.
pub async fn schedule(config: &Config, tenant: &TenantStore, now_ms: i64) -> anyhow::Result<()> {
    match config
        .backup
        .period()
        .map_err(|e| anyhow::anyhow!("backup.schedule: {e}"))?
    {
        Some(period) => declare(tenant, period, now_ms).await,
        None => {
            tenant
                .jobs()
                .forget_recurring(SCHEDULE_NAME)
                .await
                .context("cannot remove the backup schedule")?;
            Ok(())
        }
    }
}

/// The handler of [`BACKUP_JOB`]: makes a backup at `[backup] to` and keeps the newest
/// `[backup] keep`. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ScheduledBackups {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// The configuration the target is made from at each run, so that a directory target
    /// is created by the first backup, not by every start.
    config: Config,
    store: Store,
    blobs: BlobStore,
    keyring: Keyring,
}

impl ScheduledBackups {
    pub fn new(
        config: &Config,
        store: Store,
        blobs: BlobStore,
        keyring: Keyring,
    ) -> anyhow::Result<Self> {
        if let Some(to) = &config.backup.to {
            BackupTargetSpec::parse(to).map_err(|e| anyhow::anyhow!("backup.to: {e}"))?;
        }
        Ok(Self {
            inner: Arc::new(Inner {
                config: config.clone(),
                store,
                blobs,
                keyring,
            }),
        })
    }

    /// The target backups go to and are listed and verified at.
    pub fn target(&self) -> anyhow::Result<BackupTarget> {
        target(&self.inner.config, None)
    }

    /// The master keys that open the backups' manifests.
    pub fn keyring(&self) -> &Keyring {
        &self.inner.keyring
    }

    /// `[backup] schedule` and `keep`, as configured.
    pub fn policy(&self) -> (&str, u32) {
        let backup = &self.inner.config.backup;
        (&backup.schedule, backup.keep)
    }

    /// Makes one backup as of `now_ms` and deletes those beyond `keep`; returns the new
    /// backup's id and contents and the ids deleted. One at a time in this process: two
    /// started in the same second (the schedule and an administrator's "back up now", or
    /// two clicks) would otherwise both pass the check that the id is free and write the
    /// same files; the second now finds the first and is refused.
    pub async fn make_and_prune(
        &self,
        now_ms: i64,
    ) -> anyhow::Result<(String, Contents, Vec<String>)> {
        let _one_at_a_time = ONE_AT_A_TIME.lock().await;
        let inner = &self.inner;
        let target = target(&inner.config, None)?;
        let (id, contents) = backup::create(
            &inner.store,
            &inner.config.storage.url,
            &inner.blobs,
            &inner.keyring,
            &target,
            CreateOptions {
                now_ms,
                pg_dump: PgDumpUse::Auto,
            },
        )
        .await?;
        let keep = usize::try_from(inner.config.backup.keep).unwrap_or(usize::MAX);
        let deleted = target.prune(keep).await?;
        Ok((id, contents, deleted))
    }
}

impl Handler for ScheduledBackups {
    fn run<'a>(
        &'a self,
        _ctx: &'a mut JobContext,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), JobError>> + Send + 'a>> {
        Box::pin(async move {
            match self.make_and_prune(app::now_ms()).await {
                Ok((id, contents, deleted)) => {
                    tracing::info!(
                        backup = %id,
                        method = %contents.method,
                        deleted = deleted.len(),
                        "scheduled backup made"
                    );
                    metrics::gauge!("postroom_backup_last_success_timestamp_seconds")
                        .set(app::now_ms() as f64 / 1000.0);
                    Ok(())
                }
                Err(e) => {
                    metrics::counter!("postroom_backup_failures_total").increment(1);
                    Err(JobError::Transient(format!("backup failed: {e:#}")))
                }
            }
        })
    }
}
