//! `postroom data-inventory`: what postroom stores, where, how protected, for how long.

use std::process::ExitCode;

use postroom_store::inventory;

use super::Globals;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// `markdown` for people (the table of DESIGN.md §5), `json` for scripts.
    #[arg(long, value_enum, default_value_t = InventoryFormat::Markdown)]
    format: InventoryFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum InventoryFormat {
    Markdown,
    Json,
}

/// Prints the inventory generated from the code's declarations; it needs no database, so
/// it can be read before anything is installed.
pub fn run(_globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    match args.format {
        InventoryFormat::Markdown => print!("{}", inventory::to_markdown()),
        InventoryFormat::Json => {
            println!("{}", serde_json::to_string_pretty(&inventory::to_json())?)
        }
    }
    Ok(ExitCode::SUCCESS)
}
