//! `postroom template list|show|add|edit|render|apply|export|import`: canned responses of
//! the tenant chosen by `--tenant`, from the shell, with the same rules as the API.
//!
//! The CLI acts as a Jira account: `--account-id`, or by default the account postroom
//! itself is configured with (`[jira]`), which is usually a Jira administrator. A post
//! (`apply`) is counted for Insights as that account's, like one through the API.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use postroom_core::canned::{Draft, Scope};
use postroom_core::ports::tracker::Tracker;
use postroom_core::template::CalendarDate;
use postroom_core::usage::UsageFlag;
use postroom_engine::responses::{
    ApplyRequest, FactsCache, Responses, ResponsesError, Visible, starter, starter_languages,
};
use postroom_jira::JiraClient;
use postroom_store::templates::Templates;
use postroom_store::usage::Usage;

use super::Globals;
use crate::app;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The Jira account id to act as; default: the account of `[jira]`.
    #[arg(long, global = true, value_name = "ID")]
    account_id: Option<String>,
    #[command(subcommand)]
    command: TemplateCommand,
}

#[derive(Debug, clap::Subcommand)]
enum TemplateCommand {
    /// List the templates the account may see (id, scope, uses, name).
    List {
        /// Only templates matching these words, ranked by use.
        #[arg(long, value_name = "WORDS")]
        search: Option<String>,
    },
    /// Print one template as JSON.
    Show { id: String },
    /// Create a template.
    Add(DraftArgs),
    /// Change a template; options not given keep their value.
    Edit {
        id: String,
        #[command(flatten)]
        draft: DraftArgs,
    },
    /// Render a template for an issue and print the text (nothing is posted).
    Render {
        id: String,
        #[arg(long, value_name = "KEY")]
        issue: String,
    },
    /// Post a template as a comment on an issue, optionally with a transition.
    Apply {
        id: String,
        #[arg(long, value_name = "KEY")]
        issue: String,
        /// Jira Service Management: post an internal note instead of a public reply.
        #[arg(long)]
        internal: bool,
        /// A transition to perform after commenting, by id or name.
        #[arg(long, value_name = "NAME")]
        transition: Option<String>,
    },
    /// Print the visible templates in the exchange format (personal ones are left out).
    Export {
        /// Write to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Import an export file, or the shipped starter templates of a language.
    Import {
        #[arg(required_unless_present = "starter", conflicts_with = "starter")]
        file: Option<PathBuf>,
        /// The starter templates in this language (e.g. `en`).
        #[arg(long, value_name = "LANG")]
        starter: Option<String>,
    },
}

#[derive(Debug, Clone, clap::Args)]
struct DraftArgs {
    #[arg(long)]
    name: Option<String>,
    /// The body (Markdown subset with variables); `--body-file` reads it from a file.
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
    #[arg(long)]
    description: Option<String>,
    #[arg(long)]
    folder: Option<String>,
    /// A tag; repeat for several (replaces all tags on edit).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// `personal`, `global`, `projects:SUP,OPS` or `groups:tier-2,billing`.
    #[arg(long, value_name = "SCOPE", value_parser = parse_scope)]
    scope: Option<Scope>,
}

fn parse_scope(text: &str) -> Result<Scope, String> {
    let (kind, values) = text.split_once(':').unwrap_or((text, ""));
    let values: Vec<String> = values
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    match (kind, values.is_empty()) {
        ("personal", true) => Ok(Scope::Personal),
        ("global", true) => Ok(Scope::Global),
        ("projects", false) => Ok(Scope::Projects(values)),
        ("groups", false) => Ok(Scope::Groups(values)),
        _ => Err("use personal, global, projects:KEY,… or groups:NAME,…".to_owned()),
    }
}

impl DraftArgs {
    /// The draft these options describe on top of `base`.
    fn onto(self, base: Draft) -> anyhow::Result<Draft> {
        let body = match (self.body, self.body_file) {
            (Some(body), _) => body,
            (None, Some(path)) => std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?,
            (None, None) => base.body,
        };
        Ok(Draft {
            name: self.name.unwrap_or(base.name),
            body,
            description: self.description.unwrap_or(base.description),
            folder: self.folder.or(base.folder),
            tags: if self.tags.is_empty() {
                base.tags
            } else {
                self.tags
            },
            scope: self.scope.unwrap_or(base.scope),
        })
    }
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let store = app::open_store(&config).await?;
    let tenant = app::tenant_id(&globals.tenant)?;
    if tenant == postroom_core::tenant::TenantId::default_tenant() {
        app::ensure_default_tenant(&store, &config).await?;
    }
    let tenant_store = store.tenant(&tenant).await?;
    let templates = Templates::new(tenant_store.clone());
    let site = crate::sites::jira_settings_of(&config, &store, &tenant)
        .await?
        .with_context(|| format!("tenant {tenant} has no Jira site"))?;
    let client_config = crate::trackers::client_config(&site, tenant.as_str())?;
    let site_url = client_config.base_url.clone();
    let jira = JiraClient::connect(client_config)
        .await
        .context("connecting to Jira")?;
    let account = match args.account_id {
        Some(id) => id,
        None => {
            jira.myself()
                .await
                .context("asking Jira who postroom is")?
                .account_id
        }
    };
    let cache = FactsCache::default();
    let service = Responses::new(
        &jira,
        templates,
        &cache,
        tenant.as_str(),
        &site_url,
        &account,
    );
    let counts = PostCounts {
        usage: Usage::new(tenant_store),
        flags: config.usage.flags,
        account: account.clone(),
    };
    match execute(&service, &counts, args.command).await {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(Failure::Service(ResponsesError::Invalid(problems))) => {
            for p in problems {
                eprintln!(
                    "{}: {}",
                    if p.field.is_empty() { "file" } else { &p.field },
                    p.message
                );
            }
            Ok(ExitCode::FAILURE)
        }
        Err(Failure::Service(e)) => Err(e.into()),
        Err(Failure::Other(e)) => Err(e),
    }
}

/// A command that failed: validation problems are listed one per line.
enum Failure {
    Service(ResponsesError),
    Other(anyhow::Error),
}

impl From<ResponsesError> for Failure {
    fn from(e: ResponsesError) -> Self {
        Failure::Service(e)
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

/// Where a post from the shell is counted, as the API's apply counts one: for Insights
/// always, and the `comment_posted` flag when `usage.flags` is on.
struct PostCounts {
    usage: Usage,
    flags: bool,
    account: String,
}

impl PostCounts {
    /// Counts a post of template `id`. A count that cannot be written is reported, never
    /// turned into a failure: the comment is already posted.
    async fn posted(&self, id: &str, now_ms: i64) {
        if let Err(e) = self
            .usage
            .record_template(id, &self.account, true, now_ms)
            .await
        {
            tracing::warn!(error = %e, "cannot count a template use for Insights");
        }
        if self.flags
            && let Err(e) = self
                .usage
                .count_flag(UsageFlag::CommentPosted, now_ms)
                .await
        {
            tracing::warn!(error = %e, "cannot count a usage flag");
        }
    }
}

async fn execute(
    service: &Responses<'_, JiraClient>,
    counts: &PostCounts,
    command: TemplateCommand,
) -> Result<(), Failure> {
    let now = app::now_ms();
    let today = CalendarDate::from_unix_seconds(now.div_euclid(1000), 0)
        .map_err(|e| anyhow::anyhow!("the clock reads no date: {e}"))?;
    match command {
        TemplateCommand::List { search } => {
            let list = match search {
                Some(words) => service.search(&words, None, 100, now).await?,
                None => service.list().await?,
            };
            list.iter().for_each(print_line);
        }
        TemplateCommand::Show { id } => {
            let shown = service.get(&id).await?;
            println!("{}", to_json(&shown.template)?);
        }
        TemplateCommand::Add(draft) => {
            let empty = Draft {
                name: String::new(),
                body: String::new(),
                description: String::new(),
                folder: None,
                tags: Vec::new(),
                scope: Scope::Personal,
            };
            let made = service.create(draft.onto(empty)?, now).await?;
            println!("{}", made.id);
        }
        TemplateCommand::Edit { id, draft } => {
            let current = service.get(&id).await?.template.draft;
            service.update(&id, draft.onto(current)?, now).await?;
        }
        TemplateCommand::Render { id, issue } => {
            let preview = service.render(&id, &issue, today).await?;
            println!("{}", preview.text);
            if !preview.missing.is_empty() {
                eprintln!("no value: {}", preview.missing.join(", "));
            }
        }
        TemplateCommand::Apply {
            id,
            issue,
            internal,
            transition,
        } => {
            let request = ApplyRequest {
                issue,
                public: internal.then_some(false),
                transition,
                values: Default::default(),
            };
            let applied = service.apply(&id, &request, today, now).await?;
            counts.posted(&id, now).await;
            println!("comment {}", applied.comment_id);
        }
        TemplateCommand::Export { output } => {
            let text = to_json(&service.export().await?)?;
            match output {
                Some(path) => std::fs::write(&path, text + "\n")
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => println!("{text}"),
            }
        }
        TemplateCommand::Import {
            file,
            starter: language,
        } => {
            let bytes = match (file, language) {
                (_, Some(language)) => match starter(&language) {
                    Some(text) => text.as_bytes().to_vec(),
                    None => {
                        let known: Vec<&str> = starter_languages().collect();
                        return Err(anyhow::anyhow!(
                            "no starter templates in {language:?}; available: {}",
                            known.join(", ")
                        )
                        .into());
                    }
                },
                (Some(path), None) => std::fs::read(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?,
                (None, None) => return Err(anyhow::anyhow!("name a file or --starter").into()),
            };
            let made = service.import(&bytes, now).await?;
            made.iter()
                .for_each(|t| println!("{}\t{}", t.id, t.draft.name));
        }
    }
    Ok(())
}

fn print_line(v: &Visible) {
    let t = &v.template;
    let scope = match t.draft.scope.values() {
        [] => t.draft.scope.kind().to_owned(),
        values => format!("{}:{}", t.draft.scope.kind(), values.join(",")),
    };
    println!("{}\t{scope}\t{}\t{}", t.id, t.usage_count, t.draft.name);
}

fn to_json<T: serde::Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(value)?)
}
