//! Inline images in a mail's text: where the HTML showed a `cid:` image, the text keeps a
//! placeholder, so that the image can be shown at that place once it is uploaded.
//!
//! A mail's text passes through reply extraction, signature removal and directives before
//! it is posted, all of which work on plain strings; a placeholder in the text is what lets
//! an image keep its place through them. It is the Content-ID between two U+FFFC (OBJECT
//! REPLACEMENT CHARACTER, Unicode's own mark for an embedded object) after `cid:`, a shape
//! nobody types. It is never posted as it is: the post builder turns it into media when the
//! part was uploaded and drops it otherwise (a signature logo the policy left out).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::message::Attachment;

/// Delimits a placeholder on both sides.
const MARK: char = '\u{FFFC}';
/// What follows the opening mark (and what an HTML `src` starts with).
const SCHEME: &str = "cid:";

/// A piece of a text with placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text as written.
    Text(&'a str),
    /// An image, by the Content-ID of its part (without angle brackets).
    Image(&'a str),
}

/// The placeholder for an `<img src>`, when it names a part (`cid:ID`, percent-decoded as
/// RFC 2392 says); `None` for any other source or an unusable id.
pub fn placeholder(src: &str) -> Option<String> {
    let raw = src.trim();
    let id = raw
        .get(..SCHEME.len())
        .filter(|s| s.eq_ignore_ascii_case(SCHEME))
        .map(|_| &raw[SCHEME.len()..])?;
    let id = percent_decode(id);
    let id = id.trim_start_matches('<').trim_end_matches('>');
    if id.is_empty() || id.contains(MARK) || id.chars().any(char::is_whitespace) {
        return None;
    }
    Some(format!("{MARK}{SCHEME}{id}{MARK}"))
}

/// The marks mail clients write in a text/plain alternative where the HTML shows an
/// image: Outlook `[cid:ID]`, Gmail `[image: NAME]`.
static TEXT_MARK: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(
        clippy::expect_used,
        reason = "a constant pattern, checked by the tests"
    )]
    Regex::new(r"\[(?:cid:([^\]\s]+)|image: ([^\]\n]+))\]").expect("the mark pattern compiles")
});

/// A text/plain alternative with the marks its client wrote for inline images turned into
/// placeholders, so that the image shows in place from the text too; a mark that names no
/// part with a Content-ID is left as written.
pub fn from_text_marks<'a>(text: &'a str, parts: &[Attachment]) -> Cow<'a, str> {
    if !text.contains('[') {
        return Cow::Borrowed(text);
    }
    TEXT_MARK.replace_all(text, |caps: &Captures<'_>| {
        let part = match (caps.get(1), caps.get(2)) {
            (Some(cid), _) => parts
                .iter()
                .find(|p| p.content_id.as_deref() == Some(cid.as_str())),
            (None, Some(name)) => parts
                .iter()
                .find(|p| p.content_id.is_some() && p.name.as_deref() == Some(name.as_str())),
            (None, None) => None,
        };
        part.and_then(|p| p.content_id.as_deref())
            .and_then(|cid| placeholder(&format!("{SCHEME}{cid}")))
            .unwrap_or_else(|| caps[0].to_owned())
    })
}

/// The text split at its placeholders. A U+FFFC that opens no well-formed placeholder is
/// text.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut scanned = 0;
    while let Some(at) = rest[scanned..].find(MARK).map(|i| i + scanned) {
        let after = &rest[at + MARK.len_utf8()..];
        let image = after.strip_prefix(SCHEME).and_then(|tail| {
            let end = tail.find(MARK)?;
            let id = &tail[..end];
            (!id.is_empty() && !id.chars().any(char::is_whitespace))
                .then(|| (id, &tail[end + MARK.len_utf8()..]))
        });
        match image {
            Some((id, tail)) => {
                if at > 0 {
                    out.push(Piece::Text(&rest[..at]));
                }
                out.push(Piece::Image(id));
                rest = tail;
                scanned = 0;
            }
            None => scanned = at + MARK.len_utf8(),
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// The text without its placeholders: for the plain-text copy of a cut mail.
pub fn strip(text: &str) -> String {
    pieces(text)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Text(t) => Some(t),
            Piece::Image(_) => None,
        })
        .collect()
}

/// The text as a person reads it, for displays (`process`, the dry run): each placeholder
/// as `[image: NAME]`, NAME being what `name_of` says of its Content-ID, or `[image]`.
pub fn readable(text: &str, name_of: impl Fn(&str) -> Option<String>) -> String {
    pieces(text)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => Cow::Borrowed(t),
            Piece::Image(id) => Cow::Owned(match name_of(id) {
                Some(name) => format!("[image: {name}]"),
                None => "[image]".to_owned(),
            }),
        })
        .collect()
}

/// `text` without a placeholder cut off at its end (by the length limit, possibly inside
/// its opening), which would otherwise show its Content-ID.
pub fn without_cut_placeholder(text: &str) -> &str {
    let Some(Piece::Text(tail)) = pieces(text).last().copied() else {
        return text;
    };
    let tail_start = text.len() - tail.len();
    let Some(at) = tail.rfind(MARK) else {
        return text;
    };
    let after = &tail[at + MARK.len_utf8()..];
    let opens = SCHEME.starts_with(after)
        || (after.starts_with(SCHEME) && !after.chars().any(char::is_whitespace));
    if opens {
        &text[..tail_start + at]
    } else {
        text
    }
}

/// Decodes `%XX` escapes; a malformed escape is kept as written.
fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cid_sources_become_placeholders() {
        assert_eq!(
            placeholder("cid:shot@mail.example").as_deref(),
            Some("\u{FFFC}cid:shot@mail.example\u{FFFC}")
        );
        assert_eq!(
            placeholder(" CID:%3Cpart1%40x%3E ").as_deref(),
            Some("\u{FFFC}cid:part1@x\u{FFFC}"),
            "percent-decoded, brackets and case of the scheme ignored"
        );
        assert_eq!(placeholder("https://example.com/a.png"), None);
        assert_eq!(placeholder("cid:"), None);
        assert_eq!(placeholder("cid:a b"), None);
        assert_eq!(placeholder("cid:a\u{FFFC}b"), None);
        assert_eq!(placeholder("ci"), None);
    }

    #[test]
    fn text_splits_at_placeholders_in_order() {
        let text = format!(
            "See{}here{}",
            placeholder("cid:a@x").unwrap(),
            placeholder("cid:b@x").unwrap()
        );
        assert_eq!(
            pieces(&text),
            [
                Piece::Text("See"),
                Piece::Image("a@x"),
                Piece::Text("here"),
                Piece::Image("b@x")
            ]
        );
        assert_eq!(pieces(""), []);
        assert_eq!(pieces("plain"), [Piece::Text("plain")]);
    }

    #[test]
    fn a_stray_mark_is_text() {
        let text = "a\u{FFFC}b \u{FFFC}cid:\u{FFFC} c";
        assert_eq!(pieces(text), [Piece::Text(text)]);
        let mixed = format!("\u{FFFC}x{}", placeholder("cid:i").unwrap());
        assert_eq!(
            pieces(&mixed),
            [Piece::Text("\u{FFFC}x"), Piece::Image("i")]
        );
    }

    #[test]
    fn readable_text_names_the_image_and_never_its_content_id() {
        let text = format!(
            "a{}b{}",
            placeholder("cid:s@x").unwrap(),
            placeholder("cid:u@x").unwrap()
        );
        let name_of = |id: &str| (id == "s@x").then(|| "shot.png".to_owned());
        assert_eq!(readable(&text, name_of), "a[image: shot.png]b[image]");
        assert_eq!(readable("", name_of), "");
    }

    fn part(name: &str, content_id: Option<&str>) -> Attachment {
        Attachment {
            name: Some(name.to_owned()),
            content_type: "image/png".to_owned(),
            size: 1,
            inline: true,
            content_id: content_id.map(str::to_owned),
            data: vec![0],
            message: None,
        }
    }

    #[test]
    fn outlook_and_gmail_marks_in_the_text_become_placeholders() {
        let parts = [
            part("image001.png", Some("image001.png@01DA")),
            part("shot.png", Some("s@x")),
            part("attached.png", None),
        ];
        let text = "A [cid:image001.png@01DA] B [image: shot.png] C [image: attached.png] \
                    D [cid:unknown@x] E [see: this]";
        let converted = from_text_marks(text, &parts);
        assert_eq!(
            pieces(&converted),
            [
                Piece::Text("A "),
                Piece::Image("image001.png@01DA"),
                Piece::Text(" B "),
                Piece::Image("s@x"),
                Piece::Text(" C [image: attached.png] D [cid:unknown@x] E [see: this]"),
            ]
        );
        assert_eq!(from_text_marks("", &parts), "");
        assert_eq!(
            from_text_marks("[image: shot.png]", &[]),
            "[image: shot.png]"
        );
    }

    #[test]
    fn strip_and_cut_leave_no_content_id() {
        let ph = placeholder("cid:shot@x").unwrap();
        assert_eq!(strip(&format!("a{ph}b")), "ab");
        let whole = format!("text {ph}");
        assert_eq!(without_cut_placeholder(&whole), whole);
        assert_eq!(without_cut_placeholder("text \u{FFFC}cid:sh"), "text ");
        assert_eq!(without_cut_placeholder("text \u{FFFC}ci"), "text ");
        assert_eq!(without_cut_placeholder(&format!("{whole}\u{FFFC}")), whole);
        assert_eq!(
            without_cut_placeholder("a \u{FFFC} typed"),
            "a \u{FFFC} typed",
            "a stray mark in the text is kept"
        );
        assert_eq!(without_cut_placeholder(""), "");
    }
}
