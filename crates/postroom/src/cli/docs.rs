//! `postroom docs reference --out DIR` (hidden): writes the manual's generated pages.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::Globals;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: DocsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum DocsCommand {
    /// Write the command-line reference, the configuration reference and the data
    /// inventory as Markdown pages into DIR (the manual keeps them in docs/reference).
    Reference {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

pub fn run(_globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let DocsCommand::Reference { out } = args.command;
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    for (name, text) in crate::reference::pages() {
        let path = out.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
