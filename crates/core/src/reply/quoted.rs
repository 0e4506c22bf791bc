//! `>` quoting: which lines are quoted, and where a quoted block ends.
//!
//! Interleaved replies put the author's answers between quoted lines, so a quoted block is
//! only the run of quoted lines (with the blank lines inside it); the answer after it stays.
//! Two things look like quoting but are not: a wrapped link that a client broke out of its
//! quoted line, and arrow decoration such as `>>> http://example.com <<<`.

/// True when `line` is part of a `>` quotation (not arrow decoration).
pub(super) fn is_quoted(line: &str) -> bool {
    let trimmed = line.trim_start();
    if !trimmed.starts_with('>') {
        return false;
    }
    !is_arrow_decoration(trimmed)
}

/// `>>> link <<<`: the closing arrows mirror the opening ones, so the line is decoration.
fn is_arrow_decoration(trimmed: &str) -> bool {
    let end = trimmed.trim_end();
    let closing = end.len() - end.trim_end_matches('<').len();
    closing >= 2 && end.len() > closing + 2
}

/// True for a line with nothing but whitespace.
pub(super) fn is_blank(line: &str) -> bool {
    // Stops at the first visible character (`trim` would also scan from the end).
    line.chars().all(char::is_whitespace)
}

/// Index one past the quoted block that starts at `start` (which must be quoted).
///
/// The block takes quoted lines, blank lines followed by more quoted lines, and single
/// unquoted lines that only continue a link broken out of the quoted line above.
pub(super) fn block_end(lines: &[&str], start: usize) -> usize {
    let mut end = start;
    let mut i = start;
    while i < lines.len() {
        let line = lines[i];
        if is_quoted(line) {
            i += 1;
            end = i;
        } else if is_blank(line) {
            i += 1;
        } else if end == i
            && i > start
            && continues_broken_link(lines[i - 1], line)
            && lines.get(i + 1).is_some_and(|next| is_quoted(next))
        {
            i += 1;
            end = i;
        } else {
            break;
        }
    }
    end
}

/// A client that wraps a quoted link leaves its tail on an unquoted line: one token, right
/// after a quoted line whose link or parenthesis is still open.
fn continues_broken_link(previous: &str, line: &str) -> bool {
    let token = line.trim();
    if token.is_empty() || token.contains(char::is_whitespace) || token.len() > 200 {
        return false;
    }
    let last_word = previous.split_whitespace().last().unwrap_or_default();
    let opens = |open: char, close: char| {
        previous.chars().filter(|c| *c == open).count()
            > previous.chars().filter(|c| *c == close).count()
    };
    last_word.contains("://") || (previous.contains("://") && (opens('(', ')') || opens('<', '>')))
}

/// Index of the first non-blank line at or after `from` (or `lines.len()`).
pub(super) fn skip_blank(lines: &[&str], from: usize) -> usize {
    let mut i = from;
    while i < lines.len() && is_blank(lines[i]) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_and_spaced_markers_are_quotes() {
        assert!(is_quoted("> text"));
        assert!(is_quoted(">text"));
        assert!(is_quoted("  >> > nested"));
        assert!(is_quoted(">"));
    }

    #[test]
    fn mirrored_arrows_are_decoration_not_quotes() {
        assert!(!is_quoted(">>> >>>  http://www.example.com <<<"));
        assert!(!is_quoted(">> click here <<"));
        assert!(is_quoted("> a < b"));
    }

    #[test]
    fn plain_text_and_arrows_inside_lines_are_not_quotes() {
        assert!(!is_quoted("a -> b"));
        assert!(!is_quoted("x > 3"));
        assert!(!is_quoted(""));
    }

    #[test]
    fn block_stops_at_the_interleaved_answer() {
        let lines = ["> question one?", ">", "answer one", "> question two?"];
        assert_eq!(block_end(&lines, 0), 2);
        assert_eq!(block_end(&lines, 3), 4);
    }

    #[test]
    fn blank_lines_inside_a_block_belong_to_it_but_trailing_ones_do_not() {
        let lines = ["> a", "", "> b", "", "reply"];
        assert_eq!(block_end(&lines, 0), 3);
    }

    #[test]
    fn broken_link_tail_stays_inside_the_block() {
        let lines = [
            "> View (http://example.com/action",
            "_nonce=3dd518)",
            ">",
            "",
            "after",
        ];
        assert_eq!(block_end(&lines, 0), 3);
    }

    #[test]
    fn a_one_word_answer_after_plain_quoted_text_is_kept() {
        let lines = ["> Can you make it?", "Yes", "> And Friday?"];
        assert_eq!(block_end(&lines, 0), 1);
    }
}
