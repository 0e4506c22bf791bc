//! Mailing-list footers: the separator and the list's name, address and URL that list
//! managers (Mailman, Sympa, Google Groups, LISTSERV) append to every post. They describe
//! the list, not the ticket.

use std::sync::LazyLock;

use regex::Regex;

use super::pattern;

/// Non-blank lines a footer may take below its separator.
const MAX_FOOTER_LINES: usize = 6;

/// What a list footer talks about.
static LIST_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)mailing\s+list|listinfo|unsubscribe|list\s+archive|mailman|sympa|listserv|",
        r"groups\.google|google\s+groups|abbestellen|abmelden|désinscri|darse\s+de\s+baja|",
        r"отписаться|lists?\.[a-z0-9-]+\.[a-z]{2,}",
    ))
});

/// A link or an address, one of which every footer carries.
static LINK: LazyLock<Regex> = LazyLock::new(|| pattern(r"https?://|www\.|\S@\S"));

/// Index of the separator line that starts a list footer at the end of `lines`, if any;
/// `content` holds the indices of the non-blank lines.
pub(super) fn start(lines: &[&str], content: &[usize]) -> Option<usize> {
    let tail = &content[content.len().saturating_sub(MAX_FOOTER_LINES + 1)..];
    let at = tail.iter().position(|&i| is_separator(lines[i]))?;
    let below: Vec<&str> = tail[at + 1..].iter().map(|&i| lines[i]).collect();
    let listy = below.iter().any(|l| LIST_WORDS.is_match(l));
    let linked = below.iter().any(|l| LINK.is_match(l));
    (listy && linked).then_some(tail[at])
}

/// A line of five or more `_`, `-` or `=`, or the `-- ` signature delimiter.
fn is_separator(line: &str) -> bool {
    let t = line.trim_end();
    if t == "--" || t == "-- " {
        return true;
    }
    let t = t.trim();
    t.len() >= 5 && ['_', '-', '='].iter().any(|r| t.chars().all(|c| c == *r))
}

#[cfg(test)]
mod tests {
    use super::super::quoted::is_blank;
    use super::*;

    fn footer_start(lines: &[&str]) -> Option<usize> {
        let content: Vec<usize> = (0..lines.len()).filter(|&i| !is_blank(lines[i])).collect();
        start(lines, &content)
    }

    #[test]
    fn mailman_footer_is_found() {
        let lines = [
            "Works for me.",
            "",
            "_______________________________________________",
            "users mailing list",
            "users@lists.example.org",
            "https://lists.example.org/mailman/listinfo/users",
        ];
        assert_eq!(footer_start(&lines), Some(2));
    }

    #[test]
    fn a_rule_above_ordinary_text_is_not_a_footer() {
        let lines = [
            "Results:",
            "-----",
            "all green, see https://ci.example.com/42",
        ];
        assert_eq!(footer_start(&lines), None);
        assert_eq!(footer_start(&[]), None);
    }
}
