//! `postroom testcase add | run | list | show | accept | remove`: the tenant's own mail as
//! regression tests for its profile.
//!
//! `add` keeps a mail (a file, or one from the audit) with the plan the stored profile
//! gives it now; `run` replays every case through the dry-run path against the stored
//! profile or a candidate `--profile FILE` and prints what changed, exiting 1 when
//! anything did, so a script can refuse a profile change that moves mail elsewhere.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use postroom_core::message::ParseLimits;
use postroom_core::profile::{CheckedProfile, Profile};
use postroom_core::testcase::Snapshot;
use postroom_engine::audit::Audit;
use postroom_engine::intake::Intake;
use postroom_engine::testcases::TestCases;
use postroom_store::TenantStore;

use super::Globals;
use super::process::read_profile;
use crate::app;

mod report;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: TestCaseCommand,
}

#[derive(Debug, clap::Subcommand)]
enum TestCaseCommand {
    /// Keep a mail with the plan the stored profile gives it now as its expected result.
    Add {
        /// The mail: an .eml file.
        #[arg(required_unless_present = "from_audit", conflicts_with = "from_audit")]
        file: Option<PathBuf>,
        /// Take the mail from the audit instead (an id of `postroom audit list`).
        #[arg(long, value_name = "ID")]
        from_audit: Option<String>,
        /// A label for the case; default the file name, or `audit-ID`.
        #[arg(long, value_name = "N")]
        name: Option<String>,
    },
    /// Replay every case against the stored profile (or FILE) and print what changed; exit
    /// status 1 when anything did.
    Run {
        /// A candidate profile (JSON or TOML) to replay against instead of the stored one.
        #[arg(long, value_name = "FILE")]
        profile: Option<PathBuf>,
        /// `text` for people; `json` for one object per case and line:
        /// {"id", "name", "changed", "changes": [{"field", "expected", "actual"}]}.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List the cases: id, name, added, last accepted (tab-separated).
    List,
    /// Show one case and the plan it expects.
    Show { id: String },
    /// Take the plan of the stored profile (or FILE) as the new expected one of each ID.
    Accept {
        #[arg(required = true)]
        ids: Vec<String>,
        /// The profile whose plan becomes the expected one.
        #[arg(long, value_name = "FILE")]
        profile: Option<PathBuf>,
    },
    /// Delete cases and their mail.
    Remove {
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// What every subcommand opens.
struct Opened {
    tenant: TenantStore,
    intake: Intake,
    cases: TestCases,
    limits: ParseLimits,
}

async fn open(globals: &Globals) -> anyhow::Result<Opened> {
    let data = app::open_tenant_data(globals).await?;
    let max_size = data.config.inbound.max_size;
    Ok(Opened {
        cases: TestCases::new(data.keyring.clone(), data.blobs.clone()),
        intake: Intake::new(data.keyring, data.blobs, max_size),
        tenant: data.tenant,
        limits: ParseLimits {
            max_size,
            ..ParseLimits::default()
        },
    })
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let o = open(globals).await?;
    match args.command {
        TestCaseCommand::Add {
            file,
            from_audit,
            name,
        } => {
            let (raw, default_name) = match (file, from_audit) {
                (_, Some(id)) => {
                    let audit = Audit::new(o.intake.clone());
                    let entry = audit.entry(&o.tenant, &id).await?;
                    (audit.raw(&o.tenant, &entry).await?, format!("audit-{id}"))
                }
                (Some(file), None) => (read_mail(&file)?, file_name(&file)),
                (None, None) => anyhow::bail!("name a mail file or --from-audit ID"),
            };
            let profile = profile(&o.tenant, None).await?;
            let expected = replay(&raw, &o, &profile)?;
            let name = name.unwrap_or(default_name);
            let id = o
                .cases
                .add(&o.tenant, &name, &raw, &expected, app::now_ms())
                .await?;
            println!("test case {id} added ({name})");
        }
        TestCaseCommand::Run {
            profile: file,
            format,
        } => {
            let profile = profile(&o.tenant, file.as_deref()).await?;
            let replayed = o.cases.replay(&o.tenant, None, &profile, &o.limits).await?;
            let mut changed = 0;
            for r in &replayed {
                if !r.changes.is_empty() {
                    changed += 1;
                }
                match format {
                    Format::Text => print!("{}", report::text(&r.case, &r.changes)),
                    Format::Json => println!("{}", report::json(&r.case, &r.changes)),
                }
            }
            if format == Format::Text {
                println!("{}", report::summary(replayed.len(), changed));
            }
            return Ok(if changed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        TestCaseCommand::List => {
            println!("id\tname\tadded\taccepted");
            for case in o.cases.list(&o.tenant).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    case.id,
                    case.name,
                    app::format_ms(case.created_at_ms),
                    app::format_ms(case.updated_at_ms)
                );
            }
        }
        TestCaseCommand::Show { id } => {
            print!("{}", report::show(&o.cases.get(&o.tenant, &id).await?));
        }
        TestCaseCommand::Accept { ids, profile: file } => {
            let profile = profile(&o.tenant, file.as_deref()).await?;
            // Every case is looked up before any is changed: a typo changes nothing.
            let replayed = o
                .cases
                .replay(&o.tenant, Some(ids.as_slice()), &profile, &o.limits)
                .await?;
            for r in replayed {
                o.cases
                    .accept(&o.tenant, &r.case.id, &r.actual, app::now_ms())
                    .await?;
                println!("test case {} accepted ({})", r.case.id, r.case.name);
            }
        }
        TestCaseCommand::Remove { ids } => {
            for id in &ids {
                o.cases.get(&o.tenant, id).await?;
            }
            for id in ids {
                o.cases.remove(&o.tenant, &id).await?;
                println!("test case {id} removed");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The candidate profile in `file`, or else the tenant's stored one.
async fn profile(tenant: &TenantStore, file: Option<&Path>) -> anyhow::Result<CheckedProfile> {
    if let Some(file) = file {
        return read_profile(file);
    }
    let stored = tenant.profile().await?.with_context(|| {
        format!(
            "tenant {} has no profile yet: postroom profile import FILE",
            tenant.id().as_str()
        )
    })?;
    Profile::load(&stored.document).context("the stored profile is not valid")
}

fn replay(raw: &[u8], o: &Opened, profile: &CheckedProfile) -> anyhow::Result<Snapshot> {
    Snapshot::replay(raw, &o.limits, profile).context("the mail cannot be read")
}

/// The bytes of a mail file, refused when empty: a case that replays nothing tests nothing.
fn read_mail(file: &Path) -> anyhow::Result<Vec<u8>> {
    let raw = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    if raw.iter().all(u8::is_ascii_whitespace) {
        anyhow::bail!("{} is empty", file.display());
    }
    Ok(raw)
}

fn file_name(file: &Path) -> String {
    file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
