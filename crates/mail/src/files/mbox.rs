//! Splitting an mbox file into messages, one at a time, without reading the whole file.
//!
//! A message starts at a line beginning with `From ` that is the first line of the file or
//! follows an empty line. Lines of the form `>From `, `>>From `, ... are unquoted by one `>`
//! (mboxrd; for mboxo files this also restores `>From ` lines, the best that can be done).
//! The empty line that precedes each separator belongs to the mbox format and is removed.
//! Text before the first separator (a file that does not start with one) is not a message:
//! it is reported as such, and the messages after it are read as usual.

use std::io::{self, BufRead};

/// One message of an mbox: its bytes, or the size it reached when it passed the limit.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum MboxItem {
    /// The message without its `From ` separator line.
    Message(Vec<u8>),
    /// The message was larger than the limit; its bytes were skipped, not kept.
    TooLarge(usize),
    /// Text of this many bytes before the file's first separator line: not a message.
    NotAMessage(usize),
}

/// Iterator over the messages of an mbox stream.
#[derive(Debug)]
pub(crate) struct MboxSplitter<R> {
    reader: R,
    max_size: usize,
    /// A separator line already read that starts the next message.
    started: bool,
    done: bool,
    line: Vec<u8>,
}

impl<R: BufRead> MboxSplitter<R> {
    pub(crate) fn new(reader: R, max_size: usize) -> Self {
        Self {
            reader,
            max_size,
            started: false,
            done: false,
            line: Vec::new(),
        }
    }

    fn read_message(&mut self) -> io::Result<Option<MboxItem>> {
        let mut message = Vec::new();
        let mut size = 0usize;
        let mut previous_blank = true;
        let mut any_line = false;
        let mut preamble = false;
        let mut blank_only = true;
        loop {
            self.line.clear();
            if self.reader.read_until(b'\n', &mut self.line)? == 0 {
                self.done = true;
                break;
            }
            let is_separator = self.line.starts_with(b"From ") && previous_blank;
            if is_separator {
                if !self.started {
                    // Leading separator of the file: the first message starts after it.
                    self.started = true;
                    previous_blank = false;
                    continue;
                }
                if any_line {
                    break;
                }
                continue;
            }
            preamble |= !self.started;
            self.started = true;
            any_line = true;
            previous_blank = self.line == b"\n" || self.line == b"\r\n";
            blank_only &= self.line.iter().all(u8::is_ascii_whitespace);
            let unquoted: &[u8] = if is_quoted_from(&self.line) {
                &self.line[1..]
            } else {
                &self.line
            };
            size += unquoted.len();
            if size <= self.max_size {
                message.extend_from_slice(unquoted);
            } else if !message.is_empty() {
                message = Vec::new();
            }
        }
        if !any_line {
            return Ok(None);
        }
        if preamble && !blank_only {
            return Ok(Some(MboxItem::NotAMessage(size)));
        }
        if size > self.max_size {
            return Ok(Some(MboxItem::TooLarge(size)));
        }
        strip_separator_blank(&mut message);
        Ok(Some(MboxItem::Message(message)))
    }
}

/// Whether `reader` holds an mbox separator line in the strict form mbox writers use,
/// `From <sender> <asctime date>`, at its start or after an empty line. A file that does
/// not start with `From ` is an mbox only then: prose may well start a paragraph with
/// "From", but not with a sender followed by a date.
pub(crate) fn has_separator(mut reader: impl BufRead) -> io::Result<bool> {
    let mut line = Vec::new();
    let mut previous_blank = true;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(false);
        }
        if previous_blank && is_dated_separator(&line) {
            return Ok(true);
        }
        previous_blank = line == b"\n" || line == b"\r\n";
    }
}

/// `From sender Www Mmm dd hh:mm[:ss] [zone] yyyy`: a month name, a time and a year.
fn is_dated_separator(line: &[u8]) -> bool {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let text = String::from_utf8_lossy(rest);
    let mut words = text.split_whitespace();
    if words.next().is_none() {
        return false;
    }
    let words: Vec<&str> = words.collect();
    let month = words.iter().any(|w| MONTHS.contains(w));
    let time = words.iter().any(|w| {
        let fields: Vec<&str> = w.split(':').collect();
        (2..=3).contains(&fields.len())
            && fields
                .iter()
                .all(|f| (1..=2).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()))
    });
    let year = words
        .iter()
        .any(|w| w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()));
    month && time && year
}

fn is_quoted_from(line: &[u8]) -> bool {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    quotes > 0 && line[quotes..].starts_with(b"From ")
}

/// Drops the one empty line mbox writers put before the next separator.
fn strip_separator_blank(message: &mut Vec<u8>) {
    if message.ends_with(b"\r\n\r\n") {
        message.truncate(message.len() - 2);
    } else if message.ends_with(b"\n\n") {
        message.truncate(message.len() - 1);
    }
}

impl<R: BufRead> Iterator for MboxSplitter<R> {
    type Item = io::Result<MboxItem>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.read_message() {
                // Blank space between separators is not a message.
                Ok(Some(MboxItem::Message(m))) if m.iter().all(u8::is_ascii_whitespace) => {}
                Ok(Some(item)) => return Some(Ok(item)),
                Ok(None) => return None,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &str, max: usize) -> Vec<MboxItem> {
        MboxSplitter::new(input.as_bytes(), max)
            .map(|r| r.unwrap())
            .collect()
    }

    fn msg(s: &str) -> MboxItem {
        MboxItem::Message(s.as_bytes().to_vec())
    }

    #[test]
    fn splits_on_from_lines_after_blank_lines() {
        let mbox = "From a@x Mon Jan 1 00:00:00 2024\nSubject: one\n\nbody 1\n\nFrom b@x Tue Jan 2 00:00:00 2024\nSubject: two\n\nbody 2\n";
        assert_eq!(
            split(mbox, 1000),
            [
                msg("Subject: one\n\nbody 1\n"),
                msg("Subject: two\n\nbody 2\n")
            ]
        );
    }

    #[test]
    fn from_inside_a_paragraph_does_not_split() {
        let mbox = "From a@x\nSubject: s\n\nline\nFrom here on, no split\n";
        assert_eq!(
            split(mbox, 1000),
            [msg("Subject: s\n\nline\nFrom here on, no split\n")]
        );
    }

    #[test]
    fn quoted_from_lines_lose_one_quote() {
        let mbox = "From a@x\nSubject: s\n\n>From the start\n>>From deeper\n> From not quoted\n";
        assert_eq!(
            split(mbox, 1000),
            [msg(
                "Subject: s\n\nFrom the start\n>From deeper\n> From not quoted\n"
            )]
        );
    }

    #[test]
    fn text_before_the_first_separator_is_not_a_message() {
        let mbox = "Subject: one\r\n\r\nbody\r\n\r\nFrom b@x\r\nSubject: two\r\n\r\nb2\r\n\r\nFrom c@x\r\nSubject: three\r\n\r\nb3\r\n";
        assert_eq!(
            split(mbox, 1000),
            [
                MboxItem::NotAMessage(24),
                msg("Subject: two\r\n\r\nb2\r\n"),
                msg("Subject: three\r\n\r\nb3\r\n")
            ]
        );
    }

    #[test]
    fn blank_lines_before_the_first_separator_are_nothing() {
        assert_eq!(
            split("\n\r\n\nFrom a@x\nSubject: s\n\nb\n", 1000),
            [msg("Subject: s\n\nb\n")]
        );
    }

    #[test]
    fn only_dated_from_lines_mark_a_file_as_an_mbox() {
        let dated =
            "Subject: x\n\nbody\n\nFrom ann@example.com Mon Jan  1 10:00:00 2024\nSubject: y\n";
        assert!(has_separator(dated.as_bytes()).unwrap());
        assert!(has_separator("From a@x Sat Dec  6 21:00 2026\n".as_bytes()).unwrap());
        let prose = "Subject: x\n\nFrom my side, all is well.\n\nFrom 9 to 5 on Monday 2024\n";
        assert!(!has_separator(prose.as_bytes()).unwrap());
        // Not after an empty line: part of a paragraph.
        let inline = "Subject: x\n\ntext\nFrom a@x Mon Jan 1 10:00:00 2024\n";
        assert!(!has_separator(inline.as_bytes()).unwrap());
    }

    #[test]
    fn oversized_message_is_reported_and_the_next_one_still_read() {
        let big = "x".repeat(200);
        let mbox = format!("From a\nSubject: big\n\n{big}\n\nFrom b\nSubject: small\n\nok\n");
        let items = split(&mbox, 100);
        assert!(matches!(items[0], MboxItem::TooLarge(n) if n > 100));
        assert_eq!(items[1], msg("Subject: small\n\nok\n"));
    }

    #[test]
    fn empty_input_and_bare_separators_give_no_messages() {
        assert!(split("", 100).is_empty());
        assert!(split("From a\n\nFrom b\n", 100).is_empty());
    }
}
