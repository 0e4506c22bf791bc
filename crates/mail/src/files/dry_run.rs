//! The loop behind `postroom process --dry-run`: read every input, run the pure stages,
//! write one result per message. It lives beside the input readers so the CLI stays a
//! thin argument parser and this loop is testable with in-memory output.

use std::io::{self, Read, Write};

use postroom_core::message::{Message, ParseLimits};
use postroom_core::outcome::{ErrorLine, Outcome, Source};
use postroom_core::plan;
use postroom_core::profile::CheckedProfile;
use postroom_core::redact::Redactor;

use super::Inputs;

/// How results are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A short block per message, for people.
    Text,
    /// One JSON object per message and line: the contract scripts rely on.
    Json,
}

/// Counts of one run, for the summary log line and the exit status.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Messages that gave a result.
    pub processed: usize,
    /// Inputs that could not be read or parsed (each also gave an error result).
    pub failed: usize,
}

/// Reads every message named by `paths` (`-` is `stdin`) and writes one result per
/// message to `out`. A bad input becomes an error result and the run goes on; only a
/// failure to write `out` stops it. With a `profile` each result also carries the plan
/// (`thread`, `directives`, `action`, `report`; lookups unanswered, as in any dry run);
/// without one only reading and classification run. Each message is also logged (debug),
/// its sender and subject only as keyed hashes made by `redactor`.
pub fn dry_run<S: Read>(
    paths: Vec<String>,
    stdin: S,
    limits: &ParseLimits,
    profile: Option<&CheckedProfile>,
    redactor: &Redactor,
    format: Format,
    mut out: impl Write,
) -> io::Result<Summary> {
    let mut summary = Summary::default();
    for input in Inputs::new(paths, stdin, limits.max_size) {
        let parsed = input
            .bytes
            .map_err(|e| e.to_string())
            .and_then(|raw| Message::parse(&raw, limits).map_err(|e| e.to_string()));
        match parsed {
            Ok(parsed) => {
                summary.processed += 1;
                let outcome = match profile {
                    Some(profile) => plan::outcome(input.source, &parsed, profile),
                    None => Outcome::read_only(input.source, &parsed),
                };
                log_outcome(&outcome, redactor);
                match format {
                    Format::Json => write_json(&mut out, &outcome)?,
                    Format::Text => write_text(&mut out, &outcome)?,
                }
            }
            Err(error) => {
                summary.failed += 1;
                tracing::warn!(source = %label(&input.source), %error, "input not processed");
                let line = ErrorLine {
                    source: input.source,
                    error,
                };
                match format {
                    Format::Json => write_json(&mut out, &line)?,
                    Format::Text => {
                        writeln!(out, "== {}\nError: {}\n", label(&line.source), line.error)?;
                    }
                }
            }
        }
    }
    out.flush()?;
    Ok(summary)
}

/// One line per message: what an operator needs to follow it, nothing personal in clear.
fn log_outcome(outcome: &Outcome, redactor: &Redactor) {
    tracing::debug!(
        source = %label(&outcome.source),
        from = outcome.from.address.as_deref().map(|a| redactor.raw_address(a).to_string()),
        subject = outcome.subject.as_deref().map(|s| redactor.subject(s).to_string()),
        classification = %outcome.classification.kind,
        action = %outcome.action.kind,
        "message read"
    );
}

fn write_json(out: &mut impl Write, value: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

fn label(source: &Source) -> String {
    format!("{} [{}]", source.path, source.index)
}

fn write_text(out: &mut impl Write, o: &Outcome) -> io::Result<()> {
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_owned());
    writeln!(out, "== {}", label(&o.source))?;
    writeln!(out, "Message-ID:     {}", or_none(&o.message_id))?;
    let from = match (&o.from.name, &o.from.address) {
        (Some(name), Some(address)) => format!("{name} <{address}>"),
        (None, Some(address)) => address.clone(),
        (_, None) => "(no valid address)".to_owned(),
    };
    writeln!(out, "From:           {from}")?;
    writeln!(out, "Subject:        {}", or_none(&o.subject))?;
    writeln!(out, "Date:           {}", or_none(&o.date))?;
    let c = &o.classification;
    writeln!(out, "Classification: {} ({})", c.kind, c.reason)?;
    writeln!(
        out,
        "Action:         {} ({})",
        o.action.kind, o.action.reason
    )?;
    for a in &o.attachments {
        let name = a.name.as_deref().unwrap_or("(unnamed)");
        let inline = if a.inline { ", inline" } else { "" };
        writeln!(
            out,
            "Attachment:     {name} ({}, {} bytes{inline})",
            a.content_type, a.size
        )?;
    }
    for line in &o.report {
        writeln!(out, "Report:         {line}")?;
    }
    for warning in &o.warnings {
        writeln!(out, "Warning:        {warning}")?;
    }
    writeln!(out)?;
    for line in o.visible_text.lines() {
        writeln!(out, "    {line}")?;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io::Cursor;

    use super::*;

    fn run(paths: &[&str], stdin: &str, format: Format) -> (Summary, String) {
        let mut out = Vec::new();
        let paths = paths.iter().map(|p| (*p).to_owned()).collect();
        let stdin = Cursor::new(stdin.as_bytes().to_vec());
        let summary = dry_run(
            paths,
            stdin,
            &ParseLimits::default(),
            None,
            &Redactor::new([7; 32]),
            format,
            &mut out,
        )
        .unwrap();
        (summary, String::from_utf8(out).unwrap())
    }

    #[test]
    fn a_profile_fills_the_plan_and_the_builtin_one_ignores_saying_why() {
        let profile = postroom_core::profile::Profile::builtin().check().unwrap();
        let stdin = Cursor::new(b"From: a@b.example\r\nTo: c@d.example\r\n\r\nhi\r\n".to_vec());
        let mut out = Vec::new();
        let paths = vec!["-".to_owned()];
        let limits = ParseLimits::default();
        dry_run(
            paths,
            stdin,
            &limits,
            Some(&profile),
            &Redactor::new([7; 32]),
            Format::Json,
            &mut out,
        )
        .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(json["action"]["kind"], "ignore");
        assert_eq!(
            json["action"]["reason"],
            "no profile was given (--profile FILE)"
        );
        let report = json["report"].as_array().unwrap();
        assert!(
            report
                .iter()
                .any(|l| l == "route: rule \"default\" decides"),
            "{report:?}"
        );
    }

    #[test]
    fn json_gives_one_line_per_message_and_error() {
        let dir = tempfile::tempdir().unwrap();
        let mbox = dir.path().join("box.mbox");
        fs::write(
            &mbox,
            "From a\nSubject: one\n\nhi\n\nFrom b\nSubject: two\n\nho\n",
        )
        .unwrap();
        let mbox = mbox.to_str().unwrap();
        let (summary, out) = run(&[mbox, "/nonexistent/x.eml", "-"], "  \n", Format::Json);
        assert_eq!(
            summary,
            Summary {
                processed: 2,
                failed: 2
            }
        );
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[1]["subject"], "two");
        assert_eq!(
            lines[1]["source"],
            serde_json::json!({"path": mbox, "index": 1})
        );
        assert!(
            lines[2]["error"]
                .as_str()
                .unwrap()
                .contains("/nonexistent/x.eml")
        );
        assert_eq!(lines[3]["error"], "message is empty");
        assert_eq!(lines[3]["source"]["path"], "-");
    }

    #[test]
    fn text_shows_the_result_block_and_the_visible_text() {
        let stdin = "From: Ann <ann@example.com>\nSubject: Hello\n\nBody line\n";
        let (summary, out) = run(&["-"], stdin, Format::Text);
        assert_eq!(
            summary,
            Summary {
                processed: 1,
                failed: 0
            }
        );
        assert!(out.starts_with("== - [0]\n"), "{out}");
        assert!(
            out.contains("From:           Ann <ann@example.com>\n"),
            "{out}"
        );
        assert!(
            out.contains("Classification: human (no automatic-mail signal)"),
            "{out}"
        );
        assert!(
            out.contains("Warning:        missing Message-ID header\n"),
            "{out}"
        );
        assert!(out.contains("\n    Body line\n"), "{out}");
    }

    #[test]
    fn oversized_input_is_an_error_line_not_a_stop() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.eml");
        fs::write(&big, vec![b'x'; 64]).unwrap();
        let mut out = Vec::new();
        let limits = ParseLimits {
            max_size: 32,
            ..ParseLimits::default()
        };
        let paths = vec![big.to_str().unwrap().to_owned(), "-".to_owned()];
        let stdin = Cursor::new(b"Subject: s\n\nok\n".to_vec());
        let summary = dry_run(
            paths,
            stdin,
            &limits,
            None,
            &Redactor::new([7; 32]),
            Format::Json,
            &mut out,
        )
        .unwrap();
        assert_eq!(
            summary,
            Summary {
                processed: 1,
                failed: 1
            }
        );
        let first: serde_json::Value =
            serde_json::from_str(String::from_utf8(out).unwrap().lines().next().unwrap()).unwrap();
        assert_eq!(
            first["error"],
            "message of 64 bytes exceeds the limit of 32 bytes"
        );
    }
}
