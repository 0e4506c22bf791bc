//! Splitting a reply into lines and trimming blank lines off its ends, without the
//! allocations and per-line searches of `str::lines` and re-joining: every message is split
//! and trimmed a few times (the text pass, then each signature pass), and in a profile of
//! the talon corpus `str::lines` alone was over a tenth of the time.
//!
//! Both functions give exactly what the obvious `lines().collect()` and collect-and-join
//! versions give; the tests hold them to that.

use std::ops::Range;

/// The lines of `text`, exactly as `text.lines().collect()` gives them (split at `\n`, one
/// `\r` before it dropped), found with one `memchr` pass.
pub(super) fn lines_of(text: &str) -> Vec<&str> {
    // Room for lines of 16 bytes on average: a reallocation costs more than the spare room.
    let mut lines = Vec::with_capacity(text.len() / 16 + 1);
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', text.as_bytes()) {
        let line = &text[start..nl];
        lines.push(line.strip_suffix('\r').unwrap_or(line));
        start = nl + 1;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Drops blank lines at both ends and trailing whitespace at the end.
pub(super) fn trim_blank_lines(text: &str) -> String {
    if text.contains('\r') {
        return trim_split_lines(text);
    }
    text[content_span(text)].to_owned()
}

/// [`trim_blank_lines`] in place, without a second allocation.
pub(super) fn trim_blank_lines_owned(mut text: String) -> String {
    if text.contains('\r') {
        return trim_split_lines(&text);
    }
    let span = content_span(&text);
    text.truncate(span.end);
    text.drain(..span.start);
    text
}

/// Where the text lies once blank lines at both ends and trailing whitespace are dropped,
/// for a text without `\r`, whose lines are then exactly the text between `\n`s: from the
/// start of the line of the first non-whitespace character to the last one.
fn content_span(text: &str) -> Range<usize> {
    let end = text.trim_end().len();
    let Some(first) = text[..end].find(|c: char| !c.is_whitespace()) else {
        return 0..0;
    };
    let start = text[..first].rfind('\n').map_or(0, |nl| nl + 1);
    start..end
}

/// The line-by-line trim, for text where `\r\n` makes lines differ from the `\n` spans.
fn trim_split_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let last = lines.iter().rposition(|l| !l.trim().is_empty());
    match (first, last) {
        (Some(first), Some(last)) => lines[first..=last].join("\n").trim_end().to_owned(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &[&str] = &[
        "",
        "\n",
        "\n\n",
        "one",
        "one\n",
        "one\ntwo",
        "\n\n  one\n\n two \n\n\t\n",
        " \u{a0}\n\u{2003}x\u{2003}\n \n",
        "a\r\nb\r\n",
        "a\rb\r",
        "a\r\r\nb",
        "\r\n\r\n x \r\n\r\n",
        "trailing cr\r",
        "  \n\n",
        "ümlaut\n\n  ğ  \n",
    ];

    #[test]
    fn lines_are_those_of_str_lines() {
        for text in SAMPLES {
            assert_eq!(lines_of(text), text.lines().collect::<Vec<_>>(), "{text:?}");
        }
    }

    #[test]
    fn trimming_gives_what_the_line_by_line_trim_gives() {
        for text in SAMPLES {
            let expected = trim_split_lines(text);
            assert_eq!(trim_blank_lines(text), expected, "{text:?}");
            assert_eq!(
                trim_blank_lines_owned((*text).to_owned()),
                expected,
                "{text:?}"
            );
        }
    }
}
