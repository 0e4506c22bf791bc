//! `postroom data-inventory`: what postroom stores, where, how protected, for how long.

use std::process::ExitCode;

use postroom_store::inventory;

#[derive(Debug, Clone, Copy, Default, clap::ValueEnum)]
enum Format {
    #[default]
    Markdown,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value = "markdown")]
    format: Format,
}

/// Prints the declarations; they are checked against the schema by the test suite, so this
/// needs no database.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.format {
        Format::Markdown => print!("{}", inventory::to_markdown()),
        Format::Json => println!("{}", serde_json::to_string_pretty(&inventory::to_json())?),
    }
    Ok(ExitCode::SUCCESS)
}
