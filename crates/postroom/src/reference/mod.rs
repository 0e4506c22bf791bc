//! The manual's generated pages: the command-line reference from clap, the configuration
//! reference from the configuration's declarations, and the data inventory from the
//! store's. `postroom docs reference --out docs/reference` writes them; a test fails when
//! the committed pages differ.

mod cli;
mod config;

pub(crate) use config::key_types;

/// The command that writes these pages, as the pages and the test name it.
pub const COMMAND: &str = "cargo run -p postroom -- docs reference --out docs/reference";

/// Every generated page: its file name and its Markdown.
pub fn pages() -> Vec<(&'static str, String)> {
    vec![
        ("cli.md", cli::markdown()),
        ("configuration.md", config::markdown()),
        ("data-inventory.md", inventory()),
    ]
}

/// The line under each page's title.
fn generated_note() -> String {
    format!(
        "<!-- Generated from the code by `postroom docs reference`; do not edit. After a \
         change, run `{COMMAND}`. -->\n"
    )
}

fn inventory() -> String {
    format!(
        "# Data inventory\n\n{}\nWhat postroom stores, where, how it is protected and how long it is \
         kept, as declared in the code (a test fails when the schema has something \
         undeclared). `postroom data-inventory` prints the same table followed by the \
         periods the running configuration puts in force; `--format json` gives it to \
         scripts.\n\n{}",
        generated_note(),
        postroom_store::inventory::to_markdown().trim_start()
    )
}

/// A table cell: one line, with the pipe escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}
