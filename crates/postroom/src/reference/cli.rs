//! The command-line reference: every visible subcommand of [`Cli`], walked through clap,
//! with its description, usage and arguments.

use std::fmt::Write as _;

use clap::{Arg, ArgAction, Command, CommandFactory};

use super::{cell, generated_note};
use crate::cli::Cli;

pub(super) fn markdown() -> String {
    let mut root = Cli::command().term_width(0);
    root.build();
    let mut out = format!(
        "# Command-line reference\n\n{}\n{}\n\n`postroom --help` and `postroom COMMAND --help` \
         show the same text on a terminal.\n\n## Options of every command\n\n",
        generated_note(),
        text_of(&root),
    );
    let globals: Vec<&Arg> = root
        .get_arguments()
        .filter(|a| a.is_global_set() && !a.is_hide_set())
        .collect();
    arguments(&mut out, globals);
    for sub in visible(&root) {
        command(&mut out, sub, "postroom");
    }
    out
}

/// The long description when there is one, else the short one, as a sentence.
fn text_of(cmd: &Command) -> String {
    cmd.get_long_about()
        .or(cmd.get_about())
        .map(|t| sentence(&t.to_string()))
        .unwrap_or_default()
}

/// One line ending in a full stop (clap drops the full stop of a one-line doc comment).
fn sentence(text: &str) -> String {
    let mut line = cell(text);
    if !line.is_empty() && !line.ends_with(['.', ':']) {
        line.push('.');
    }
    line
}

fn command(out: &mut String, cmd: &Command, parent: &str) {
    let path = format!("{parent} {}", cmd.get_name());
    let _ = write!(out, "\n## `{path}`\n\n");
    let about = text_of(cmd);
    if !about.is_empty() {
        let _ = write!(out, "{about}\n\n");
    }
    let usage = cmd.clone().render_usage().to_string();
    let usage = usage.trim().trim_start_matches("Usage:").trim();
    let _ = write!(out, "```text\n{usage}\n```\n\n");
    let own: Vec<&Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_global_set() && !a.is_hide_set() && !is_builtin(a))
        .collect();
    if !own.is_empty() {
        arguments(out, own);
    }
    if let Some(after) = cmd.get_after_long_help().or(cmd.get_after_help()) {
        let _ = write!(out, "\n```text\n{}\n```\n", after.to_string().trim());
    }
    let subs = visible(cmd);
    if !subs.is_empty() {
        out.push_str("\nSubcommands: ");
        let names: Vec<String> = subs.iter().map(|s| format!("`{}`", s.get_name())).collect();
        out.push_str(&names.join(", "));
        out.push_str(".\n");
    }
    for sub in subs {
        command(out, sub, &path);
    }
}

/// The subcommands a user sees: not hidden, and not clap's own `help`.
fn visible(cmd: &Command) -> Vec<&Command> {
    cmd.get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
        .collect()
}

fn is_builtin(arg: &Arg) -> bool {
    matches!(
        arg.get_action(),
        ArgAction::Help | ArgAction::HelpLong | ArgAction::Version
    )
}

fn arguments(out: &mut String, args: Vec<&Arg>) {
    out.push_str("| argument | meaning | default |\n| --- | --- | --- |\n");
    for arg in args {
        let help = arg
            .get_long_help()
            .or(arg.get_help())
            .map(ToString::to_string)
            .unwrap_or_default();
        let mut meaning = sentence(&help);
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| format!("`{}`", v.get_name()))
            .collect();
        let takes_value = arg.get_action().takes_values();
        if takes_value && !values.is_empty() {
            let _ = write!(meaning, " One of {}.", values.join(", "));
        }
        if let Some(env) = arg.get_env() {
            let _ = write!(meaning, " Environment: `{}`.", env.to_string_lossy());
        }
        if arg.is_required_set() {
            meaning.push_str(" Required.");
        }
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| format!("`{}`", v.to_string_lossy()))
            .collect();
        let default = if takes_value && !defaults.is_empty() {
            defaults.join(", ")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            name_of(arg),
            meaning.trim(),
            default
        );
    }
    out.push('\n');
}

/// `--name VALUE`, `-s, --name`, or a positional `NAME...`.
fn name_of(arg: &Arg) -> String {
    let value = arg
        .get_value_names()
        .and_then(|names| names.first())
        .map_or_else(|| arg.get_id().as_str().to_uppercase(), ToString::to_string);
    let many = matches!(arg.get_action(), ArgAction::Append)
        || arg.get_num_args().is_some_and(|n| n.max_values() > 1);
    let dots = if many { "..." } else { "" };
    if arg.is_positional() {
        return format!("{value}{dots}");
    }
    let mut name = String::new();
    if let Some(short) = arg.get_short() {
        let _ = write!(name, "-{short}, ");
    }
    if let Some(long) = arg.get_long() {
        let _ = write!(name, "--{long}");
    }
    if arg.get_action().takes_values() {
        let _ = write!(name, " {value}{dots}");
    }
    name
}
