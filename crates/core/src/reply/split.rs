//! The text pass: walk the reply line by line, keep the author's lines and drop quotations.
//!
//! The first attribution, Outlook block or separator decides: when `>` quoted lines follow
//! it, the header and that quoted block go and the walk goes on (bottom-posting and
//! interleaved replies keep the text after the quotation); otherwise everything from the
//! header on is the quoted history. A forward marker stops the walk and keeps the rest.

use super::QuoteRule;
use super::forward;
use super::outlook::{self, Kind};
use super::quote_header;
use super::quoted::{block_end, is_blank, is_quoted, skip_blank};

/// What the text pass kept and why.
#[derive(Debug, Default)]
pub(super) struct Split<'a> {
    /// Kept lines; a line cut by a same-line attribution is its kept prefix.
    pub kept: Vec<&'a str>,
    pub quote: Option<QuoteRule>,
    pub forward: bool,
    /// With `forward`, how many of `kept` are the forwarder's note above the marker.
    pub note_lines: usize,
    /// The walk stopped at quoted history that runs to the end of the text.
    pub cut_to_end: bool,
}

/// Where a quotation starts on a line, and how far its header goes.
struct Splitter {
    /// Kept text before the header on the same line.
    prefix: usize,
    end_line: usize,
    rule: QuoteRule,
    forward: bool,
}

/// Splits `lines` into the author's lines and the quoted ones.
pub(super) fn split<'a>(lines: &[&'a str], subject: Option<&str>) -> Split<'a> {
    let ends: Vec<bool> = lines
        .iter()
        .map(|l| quote_header::could_end_header(l))
        .collect();
    let mut out = Split {
        kept: Vec::with_capacity(lines.len()),
        ..Split::default()
    };
    let mut in_fence = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let fence = line.trim_start().starts_with("```");
        if fence {
            in_fence = !in_fence;
        }
        if fence || in_fence {
            out.kept.push(line);
            i += 1;
            continue;
        }
        if forward::is_marker(line) || forward::is_quoted_marker(line) {
            out.forward = true;
            out.note_lines = out.kept.len();
            out.kept.extend_from_slice(&lines[i..]);
            return out;
        }
        if let Some(found) = splitter_at(lines, &ends, i, subject) {
            if found.forward {
                out.forward = true;
                out.note_lines = out.kept.len();
                out.kept.extend_from_slice(&lines[i..]);
                return out;
            }
            let kept = line[..found.prefix]
                .trim_end()
                .trim_end_matches('-')
                .trim_end();
            if !kept.is_empty() {
                out.kept.push(kept);
            }
            out.quote = out.quote.or(Some(found.rule));
            let next = skip_blank(lines, found.end_line + 1);
            if next < lines.len() && is_quoted(lines[next]) {
                i = skip_blank(lines, block_end(lines, next));
                continue;
            }
            out.cut_to_end = true;
            return out;
        }
        if is_quoted(line) {
            out.quote = out.quote.or(Some(QuoteRule::QuoteMarkers));
            i = skip_blank(lines, block_end(lines, i));
            continue;
        }
        out.kept.push(line);
        i += 1;
    }
    out
}

/// The attribution, Outlook block or separator that starts on line `i`.
fn splitter_at(lines: &[&str], ends: &[bool], i: usize, subject: Option<&str>) -> Option<Splitter> {
    if is_blank(lines[i]) {
        return None;
    }
    if let Some(block) = outlook::at(lines, ends, i) {
        let rule = match block.kind {
            Kind::HeaderBlock => QuoteRule::OutlookHeaderBlock,
            Kind::OriginalMessage => QuoteRule::OriginalMessageSeparator,
        };
        // Outlook writes a forward's header block like a reply's; the quoted subject or,
        // failing that, the message's own "FW:" subject tells them apart.
        let forward = !forward::subject_is_reply(subject)
            && (block.forwarded_subject || subject.is_some_and(outlook::is_forward_subject));
        return Some(Splitter {
            prefix: 0,
            end_line: block.end_line,
            rule,
            forward,
        });
    }
    let header = quote_header::at(lines, ends, i)?;
    Some(Splitter {
        prefix: header.start_col,
        end_line: header.end_line,
        rule: QuoteRule::QuoteHeader,
        forward: false,
    })
}

/// True when the first lines of `lines` open a forwarded message (used on HTML quotations).
pub(super) fn opens_forward(lines: &[&str], subject: Option<&str>) -> bool {
    let first = skip_blank(lines, 0);
    if first >= lines.len() {
        return false;
    }
    if forward::is_marker(lines[first]) {
        return true;
    }
    let ends: Vec<bool> = lines
        .iter()
        .map(|l| quote_header::could_end_header(l))
        .collect();
    splitter_at(lines, &ends, first, subject).is_some_and(|s| s.forward)
}
