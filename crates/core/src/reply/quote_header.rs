//! The attribution line a client writes above a quotation: "On <date>, <name> wrote:" and its
//! equivalents in the languages our customers write in.
//!
//! Clients wrap that line over two to five lines (a long name, an address in angle brackets,
//! `mailto:` links) and some glue it to the reply's last words, so a header is recognised on a
//! window of up to five lines that starts where a header can start and ends where one ends.
//! Every header must also carry evidence of being machine-written (a time, a year, a
//! numeric date or an address), so prose such as "On Monday John wrote:" is left alone.

use std::sync::LazyLock;

use regex::Regex;

use super::pattern;
use super::quoted::{is_blank, is_quoted, skip_blank};

/// Longest window, in lines, a wrapped header may take.
const MAX_WINDOW_LINES: usize = 5;
/// Longest header, in bytes, once its lines are joined.
const MAX_HEADER_BYTES: usize = 500;
/// Longest line inspected at all; longer lines are prose or data, never a header.
const MAX_LINE_BYTES: usize = 1000;

/// Words that open an attribution line: en, de, fr, es, it, pt, nl, pl, sv, da, no, cs, vi,
/// ru, uk, zh.
static STRONG_START: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)^(?:on|am|le|el|il\s+giorno|il|em|op|w\s+dniu|dnia|den|på|dne|vào|в|у|在|於)(?:\s|,)",
    )
});

/// Openings of localized Gmail/Apple/Thunderbird headers that begin with a weekday
/// abbreviation, a numeric date, a day and month name, a time of day, or the sender's name
/// and address in either order.
static WEAK_START: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r#"^(?:\p{L}{1,5}\.?,?\s+\d|\p{L}{2,12},\s+\d|\d{1,4}\s?[-./年년]\s?\d{1,2}|\d{1,2}\.?\s+\p{L}{3,}|\d{1,2}[:.]\d{2}[\s,]|[^<>:]{1,80}<[^<>@\s]+@|<?[^<>@\s:]+@[^<>@\s]+|"[^"]{1,80}"\s*<)"#,
    )
});

/// An attribution glued to the end of the reply's last line ("thanks On Wed, 4 Apr ...").
static MID_LINE_START: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?:^|[^\p{L}\d])(?:On|Le|Am|El|Op|Em|Il|Den|På|Dne|Vào|W dniu)\s+(?:\p{L}{2,9}\.?,?\s+){0,2}\d",
    )
});

/// The verb that ends an attribution, optionally followed by a colon and closing dashes.
static VERB_END: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r#"(?i)(?:(?:^|[\s,.)>"'])(?:wrote|writes|sent|schrieb|geschrieben|a\s+écrit|écrit|escribió|escreveu|ha\s+scritto|scritto|schreef|geschreven|napisał\(a\)|napisała|napisał|pisze|skrev|kirjoitti|napsal\(a\)|napsala|napsal|написал\(а\)|написала|написал|пишет|написав\(ла\)|написав|пише|şunu\s+yazdı|yazdı|đã\s+viết)|書きました|のメッセージ|のメール|写道|寫道|작성했습니다|작성)\s*[:：]?\s*-*\s*$"#,
    )
});

/// A verb followed by the date or name, then a colon: "Am ... schrieb John Smith:",
/// "John kirjoitti 11.4.2017 klo 22.07:".
static VERB_INSIDE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)(?:^|[\s,])(?:wrote|schrieb|a\s+écrit|escribió|escreveu|ha\s+scritto|schreef|heeft|napisał|skrev|kirjoitti|napsal|написал|пишет|пише|yazdı)\b.{0,120}[:：]\s*$",
    )
});

/// Headers without a verb (Gmail in Japanese or Russian, ISO dates): end with the address.
static ADDRESS_COLON_END: LazyLock<Regex> = LazyLock::new(|| pattern(r"[>)\]]\s*[:：]\s*$"));

/// Android's "---- John Smith wrote ----".
static DASH_FRAMED: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)^-{2,}\s*\S.{0,80}\s(?:wrote|schrieb|a\s+écrit|escribió|ha\s+scritto|escreveu|schreef|napisał|skrev|kirjoitti|napsal|написал|написав|yazdı)\s*-{2,}\s*$",
    )
});

/// Machine-written evidence: a time, a year, a numeric date or an address.
static EVIDENCE: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"\d{1,2}[:.]\d{2}|(?:19|20)\d{2}|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|@"));

/// A time of day, the strongest sign of a machine-written header.
static TIME: LazyLock<Regex> = LazyLock::new(|| pattern(r"\d{1,2}[:.]\d{2}"));

/// Where an attribution was found: it starts at byte `start_col` of the line it was looked
/// for on and ends on line `end_line` (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct HeaderMatch {
    pub start_col: usize,
    pub end_line: usize,
}

/// The attribution that starts on line `i`, if any. `ends[j]` is [`could_end_header`] of
/// `lines[j]`, computed once per text.
pub(super) fn at(lines: &[&str], ends: &[bool], i: usize) -> Option<HeaderMatch> {
    let line = lines[i];
    if line.len() > MAX_LINE_BYTES || is_quoted(line) || is_blank(line) {
        return None;
    }
    let last = (i + MAX_WINDOW_LINES).min(lines.len());
    if !ends[i..last].iter().any(|end| *end) {
        return date_address_above_quote(lines, i);
    }
    let opening = strip_rule(line);
    let strong = STRONG_START.is_match(opening);
    if (strong || (may_open_weakly(opening) && WEAK_START.is_match(opening)))
        && let Some(end_line) = window_end(lines, ends, i, 0, strong)
    {
        return Some(HeaderMatch {
            start_col: 0,
            end_line,
        });
    }
    if let Some(col) = mid_line_start(line)
        && let Some(end_line) = window_end(lines, ends, i, col, true)
    {
        return Some(HeaderMatch {
            start_col: col,
            end_line,
        });
    }
    if ends[i] && is_header(line.trim(), false) {
        return Some(HeaderMatch {
            start_col: 0,
            end_line: i,
        });
    }
    date_address_above_quote(lines, i)
}

/// Byte offset of an attribution that starts after other words on `line`, if any.
fn mid_line_start(line: &str) -> Option<usize> {
    if !has_digit_or_non_ascii(line) {
        return None;
    }
    let found = MID_LINE_START.find(line)?;
    let first = found.as_str().chars().next()?;
    if found.start() == 0 && first.is_alphabetic() {
        return None;
    }
    Some(found.start() + first.len_utf8())
}

/// True when `text` may hold a `\d` of the patterns (Unicode digits are non-ASCII).
fn has_digit_or_non_ascii(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit() || !b.is_ascii())
}

/// Cheap, exact pre-check for [`WEAK_START`]: each of its openings needs a digit, an `@`
/// or a leading quote.
fn may_open_weakly(opening: &str) -> bool {
    opening.starts_with('"') || opening.contains('@') || has_digit_or_non_ascii(opening)
}

/// Cheap filter: a header ends in a colon, closing dashes or a verb.
pub(super) fn could_end_header(line: &str) -> bool {
    let end = line.trim_end();
    if end.ends_with([':', '：', '-']) {
        return true;
    }
    let verb_like = end.ends_with(|c: char| c.is_alphabetic() || c == ')');
    verb_like && end.len() <= MAX_LINE_BYTES && ends_like_a_verb(end) && VERB_END.is_match(end)
}

/// The last letters of [`VERB_END`]'s verbs.
const VERB_LAST_LETTERS: &str = "estbnóuofałvilıетлвたジル道다성";

/// Cheap, exact pre-check for [`VERB_END`] on a line that ends with a letter or `)`: the
/// last character must be `)` or one that a verb ends with, in either case. The few
/// characters that the pattern's case folding adds (`ſ` for `s`, old Cyrillic forms of `в`
/// and `т`) are lowercase already, so they are listed too; a test checks the list against
/// the regex crate's folding for every character.
fn ends_like_a_verb(end: &str) -> bool {
    let Some(last) = end.chars().next_back() else {
        return false;
    };
    last == ')'
        || matches!(last, 'ſ' | 'ᲀ' | 'ᲄ' | 'ᲅ')
        || last
            .to_lowercase()
            .next()
            .is_some_and(|c| VERB_LAST_LETTERS.contains(c))
}

/// Clients frame headers with dashes or bold markers ("------On ... wrote-----").
fn strip_rule(line: &str) -> &str {
    line.trim_start_matches(|c: char| c.is_whitespace() || c == '-' || c == '_' || c == '*')
}

/// Last line of the header window that opens at `lines[i][col..]`.
fn window_end(lines: &[&str], ends: &[bool], i: usize, col: usize, strong: bool) -> Option<usize> {
    let mut joined = String::with_capacity(MAX_HEADER_BYTES + MAX_LINE_BYTES);
    joined.push_str(lines[i].get(col..)?.trim());
    if ends[i] && is_header(&joined, true) {
        return Some(i);
    }
    let last = (i + MAX_WINDOW_LINES).min(lines.len());
    for (j, next) in lines.iter().enumerate().take(last).skip(i + 1) {
        if is_blank(next) {
            if strong {
                continue;
            }
            return None;
        }
        if STRONG_START.is_match(strip_rule(next)) {
            return None;
        }
        joined.push(' ');
        joined.push_str(next.trim());
        if joined.len() > MAX_HEADER_BYTES {
            return None;
        }
        if ends[j] && is_header(&joined, true) {
            return Some(j);
        }
        if is_quoted(next) {
            return None;
        }
    }
    None
}

/// True when `text` (one header, its lines joined) ends the way an attribution ends.
///
/// `opened` says the text starts the way a header starts; without that, a year is not
/// evidence enough ("In 2017 we wrote:"), only a time of day or an address is, and a
/// header without a verb ("<date> <name> <address>:") does not count ("Send it to
/// <billing@example.com>:").
fn is_header(text: &str, opened: bool) -> bool {
    if text.len() > MAX_HEADER_BYTES {
        return false;
    }
    if DASH_FRAMED.is_match(text) {
        return true;
    }
    let ends = VERB_END.is_match(text)
        || VERB_INSIDE.is_match(text)
        || (opened && text.contains('@') && ADDRESS_COLON_END.is_match(text));
    let evidence = if opened {
        EVIDENCE.is_match(text)
    } else {
        text.contains('@') || TIME.is_match(text)
    };
    ends && evidence
}

/// "2011/4/7 Name <address>" with no verb and no colon, directly above a `>` quotation.
fn date_address_above_quote(lines: &[&str], i: usize) -> Option<HeaderMatch> {
    let line = lines[i].trim_start();
    if !line.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let line = line.trim_end();
    if line.len() > 200 || !line.contains('@') {
        return None;
    }
    if !WEAK_START.is_match(line) || !EVIDENCE.is_match(line) {
        return None;
    }
    let next = skip_blank(lines, i + 1);
    let quoted = lines.get(next).is_some_and(|l| is_quoted(l)) && next <= i + 2;
    quoted.then_some(HeaderMatch {
        start_col: 0,
        end_line: i,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(lines: &[&str]) -> Option<HeaderMatch> {
        let ends: Vec<bool> = lines.iter().map(|l| could_end_header(l)).collect();
        at(lines, &ends, 0)
    }

    #[test]
    fn single_line_attribution_ends_on_its_own_line() {
        let found = header(&["On 11/04/2017 22:07, John Smith wrote:", "> hi"]);
        assert_eq!(
            found,
            Some(HeaderMatch {
                start_col: 0,
                end_line: 0
            })
        );
    }

    #[test]
    fn wrapped_attribution_ends_on_the_line_with_the_verb() {
        let found = header(&[
            "On Tue, Apr 11, 2017 at 10:07 PM John <",
            "john@example.com>",
            "wrote:",
        ]);
        assert_eq!(found.map(|h| h.end_line), Some(2));
    }

    #[test]
    fn glued_attribution_starts_after_the_reply_words() {
        let line = "Sounds good. On Tue, Apr 11, 2017 at 10:07 PM John <john@example.com> wrote:";
        assert_eq!(
            header(&[line]).map(|h| &line[..h.start_col]),
            Some("Sounds good. ")
        );
    }

    #[test]
    fn a_later_opening_line_is_not_swallowed_by_an_earlier_one() {
        assert_eq!(
            header(&["On Monday we met.", "On 11/04/2017 22:07, John wrote:"]),
            None
        );
    }

    #[test]
    fn time_first_and_address_first_attributions() {
        for lines in [
            &["22:07, 11 April 2017, John Smith wrote:", "> hi"][..],
            &["john@example.com (John Smith) wrote on 11/04/2017:", "> hi"][..],
            &["<john@example.com> schrieb am 11.04.2017 um 22:07:", "> hi"][..],
            &[
                "2017-04-11 22:07 GMT+02:00 John Smith <john@example.com>:",
                "> hi",
            ][..],
        ] {
            assert_eq!(header(lines).map(|h| h.end_line), Some(0), "{}", lines[0]);
        }
    }

    #[test]
    fn evidence_is_required() {
        assert!(!is_header("On Monday John wrote:", true));
        assert!(is_header("On Monday at 10:07 John wrote:", true));
        assert!(!is_header("In 2017 we wrote:", false));
        assert!(is_header("In 2017 we wrote:", true));
    }

    #[test]
    fn verbless_address_header_needs_an_opening() {
        assert!(is_header(
            "2017年4月11日(火) 22:07 John <john@example.com>:",
            true
        ));
        assert!(!is_header("Send it to <billing@example.com>:", false));
    }

    #[test]
    fn the_verb_pre_check_never_rejects_what_the_pattern_folds_to_a_last_letter() {
        let folded = pattern(&format!("(?i)^[{VERB_LAST_LETTERS}]$"));
        let mut buffer = [0u8; 4];
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            if folded.is_match(c.encode_utf8(&mut buffer)) {
                assert!(
                    ends_like_a_verb(&format!("x {c}")),
                    "{c:?} U+{:04X}",
                    u32::from(c)
                );
            }
        }
        assert!(ends_like_a_verb("John wrote"));
        assert!(ends_like_a_verb("napisał(a)"));
        assert!(!ends_like_a_verb("see you on Friday"));
    }

    #[test]
    fn cheap_filter_lets_through_only_possible_ends() {
        assert!(could_end_header("... wrote:"));
        assert!(could_end_header("---- John wrote ----"));
        assert!(could_end_header(
            "John <john@example.com> 于2017年4月11日 22:07写道"
        ));
        assert!(!could_end_header("An ordinary sentence."));
    }
}
