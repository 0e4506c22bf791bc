//! `postroom backup`: create, list, verify and restore encrypted backups.

use std::process::ExitCode;

use postroom_store::backup::{self, CreateOptions, PgDumpUse};
use postroom_store::crypto::Keyring;

use super::Globals;
use crate::config::Config;
use crate::{app, backup as wiring, keys};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: BackupCommand,
}

#[derive(Debug, clap::Subcommand)]
enum BackupCommand {
    /// Make a backup now: a consistent snapshot of the database (SQLite's online backup;
    /// PostgreSQL's pg_dump of the server's major version, else an export of postroom's
    /// tables in one REPEATABLE READ transaction — the output says which ran) and of every
    /// blob, encrypted with a key wrapped by the master key. The master key and the key
    /// vault are never part of it: keep them apart.
    Create {
        /// Where to write it: a directory or s3://BUCKET/PREFIX (default: `[backup] to`,
        /// else DATA_DIR/backups).
        #[arg(long, value_name = "DIR|s3://BUCKET/PREFIX")]
        to: Option<String>,
    },
    /// List the backups at the target, oldest first, with their size and how the
    /// database was taken; incomplete or unreadable ones say why.
    List {
        /// Where the backups are (default: `[backup] to`, else DATA_DIR/backups).
        #[arg(long, value_name = "DIR|s3://BUCKET/PREFIX")]
        from: Option<String>,
    },
    /// Check a backup through: its manifest opens with this instance's master key, every
    /// file has the length and SHA-256 the manifest records, and every part decrypts.
    /// Exits 1 on the first difference, naming the file.
    Verify {
        /// The backup's id, as `backup list` shows it.
        id: String,
        /// Where the backup is (default: `[backup] to`, else DATA_DIR/backups).
        #[arg(long, value_name = "DIR|s3://BUCKET/PREFIX")]
        from: Option<String>,
    },
    /// Restore a backup into the empty database of `[storage] url` and the empty blob
    /// store of this configuration (a new data directory, or a new PostgreSQL database and
    /// bucket). A target that holds data is refused and left untouched. The backup is
    /// verified first. The master key and the key vault must already be in place: copy
    /// them from where you keep them.
    Restore {
        /// The backup's id, as `backup list` shows it.
        id: String,
        /// Where the backup is (default: `[backup] to`, else DATA_DIR/backups).
        #[arg(long, value_name = "DIR|s3://BUCKET/PREFIX")]
        from: Option<String>,
    },
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let keyring = wiring::existing_keyring(&config)?;
    match args.command {
        BackupCommand::Create { to } => create(&config, &keyring, to.as_deref()).await,
        BackupCommand::List { from } => list(&config, &keyring, from.as_deref()).await,
        BackupCommand::Verify { id, from } => {
            let target = wiring::target(&config, from.as_deref())?;
            match target.verify(&id, &keyring).await {
                Ok(contents) => {
                    println!(
                        "backup {id} is intact: {} files, {} bytes, {} blobs, database by {}",
                        contents.files.len(),
                        contents.stored_bytes(),
                        contents.blobs,
                        contents.method
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("postroom: backup {id} FAILED verification: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        BackupCommand::Restore { id, from } => {
            let target = wiring::target(&config, from.as_deref())?;
            let blobs = keys::open_blobs(&config)?;
            let restored =
                backup::restore(&target, &id, &keyring, &config.storage.url, &blobs).await?;
            println!(
                "restored backup {id} ({}) into {} and {}: {} blobs. Start `postroom serve` \
                 with this configuration.",
                restored.contents.method,
                app::redact_url(&config.storage.url),
                blobs.description(),
                restored.blobs
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn create(config: &Config, keyring: &Keyring, to: Option<&str>) -> anyhow::Result<ExitCode> {
    let target = wiring::target(config, to)?;
    let store = app::open_store(config).await?;
    let blobs = keys::open_blobs(config)?;
    let (id, contents) = backup::create(
        &store,
        &config.storage.url,
        &blobs,
        keyring,
        &target,
        CreateOptions {
            now_ms: app::now_ms(),
            pg_dump: PgDumpUse::Auto,
        },
    )
    .await?;
    println!("backup {id} at {}", target.description());
    println!("  database: {}", contents.method);
    println!(
        "  {} blobs ({} bytes); {} bytes written",
        contents.blobs,
        contents.blob_bytes,
        contents.stored_bytes()
    );
    println!(
        "  opens only with master key {} and the key vault: keep them apart from the backup",
        keyring.current_id()
    );
    Ok(ExitCode::SUCCESS)
}

async fn list(config: &Config, keyring: &Keyring, from: Option<&str>) -> anyhow::Result<ExitCode> {
    let target = wiring::target(config, from)?;
    let backups = target.list(keyring).await?;
    if backups.is_empty() {
        println!("no backups at {}", target.description());
        return Ok(ExitCode::SUCCESS);
    }
    println!("backups at {}:", target.description());
    for info in backups {
        let when = info.created_at_ms.map_or("-".to_owned(), app::format_ms);
        match (&info.contents, &info.problem) {
            (Some(contents), _) => println!(
                "{}  {when}  {} bytes  {} blobs  {}",
                info.id,
                contents.stored_bytes(),
                contents.blobs,
                contents.method
            ),
            (None, Some(problem)) => println!("{}  {when}  {problem}", info.id),
            (None, None) => println!("{}  {when}", info.id),
        }
    }
    Ok(ExitCode::SUCCESS)
}
