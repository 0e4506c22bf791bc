//! Subject normalisation: the summary of a new issue from the subject of a mail.
//!
//! Mail clients prefix subjects in their user's language (`AW:`, `SV:`, `回复：`) and mailing
//! lists add tags (`[users]`); none of that belongs in an issue summary. Jira refuses a
//! summary longer than 255 characters or with a line break, so the result never has either.

/// The longest summary Jira accepts, in characters.
pub const MAX_SUMMARY_CHARS: usize = 255;

/// Used when nothing is left of the subject.
pub const NO_SUBJECT: &str = "(no subject)";

/// Reply and forward prefixes, compared case-insensitively, before `:` or `：`.
const PREFIXES: &[&str] = &[
    "re",
    "aw",
    "fwd",
    "fw",
    "wg",
    "sv",
    "vs",
    "antw",
    "réf",
    "ref",
    "rv",
    "r",
    "tr",
    "odp",
    "vl",
    "ynt",
    "enc",
    "res",
    "vb",
    "doorst",
    "rif",
    "i",
    "atb",
    "přeposlat",
    "odg",
    "回复",
    "答复",
    "转发",
    "返信",
    "転送",
    "回覆",
    "轉寄",
    "답장",
    "전달",
    "رد",
];

/// The subject without reply/forward prefixes and list tags, on one line, whitespace
/// collapsed, at most [`MAX_SUMMARY_CHARS`] characters; [`NO_SUBJECT`] when empty.
pub fn summary(subject: Option<&str>) -> String {
    let mut rest = subject.unwrap_or_default().trim();
    loop {
        let before = rest.len();
        rest = strip_tag(rest);
        rest = strip_prefix(rest);
        if rest.len() == before {
            break;
        }
    }
    let mut out = String::with_capacity(rest.len().min(MAX_SUMMARY_CHARS * 4));
    let mut count = 0;
    for word in rest.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        let need = word.chars().count() + usize::from(count > 0);
        if count + need > MAX_SUMMARY_CHARS {
            if count == 0 {
                out.extend(word.chars().take(MAX_SUMMARY_CHARS));
            }
            break;
        }
        if count > 0 {
            out.push(' ');
        }
        out.push_str(word);
        count += need;
    }
    if out.is_empty() {
        NO_SUBJECT.to_owned()
    } else {
        out
    }
}

/// Removes one leading `[tag]` that is not the whole subject.
fn strip_tag(s: &str) -> &str {
    if let Some(inner) = s.strip_prefix('[')
        && let Some(end) = inner.find(']')
    {
        let rest = inner[end + 1..].trim_start();
        if !rest.is_empty() && end <= 40 {
            return rest;
        }
    }
    s
}

/// Removes one leading reply/forward prefix, with an optional counter (`Re[2]:`, `RE^3:`).
fn strip_prefix(s: &str) -> &str {
    let word_end = s
        .char_indices()
        .find(|&(_, c)| matches!(c, ':' | '：' | '[' | '(' | '^') || c.is_whitespace())
        .map_or(s.len(), |(i, _)| i);
    let word = &s[..word_end];
    if word.is_empty() || word.len() > 12 || !PREFIXES.contains(&word.to_lowercase().as_str()) {
        return s;
    }
    let mut rest = &s[word_end..];
    if let Some(r) = rest.strip_prefix(['[', '(', '^']) {
        let digits = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
        rest = r[digits..].trim_start_matches([']', ')']);
    }
    let rest = rest.trim_start_matches(' ');
    match rest.strip_prefix([':', '：']) {
        Some(r) => r.trim_start(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_prefixes_in_many_languages_and_repeated() {
        let cases = [
            ("Re: Printer", "Printer"),
            ("RE: AW: Fwd: Printer", "Printer"),
            ("WG: SV: VS: Antw: Printer", "Printer"),
            ("Réf : Printer", "Printer"),
            ("RV: R: Printer", "Printer"),
            ("回复：打印机", "打印机"),
            ("答复: 转发: 打印机", "打印机"),
            ("返信：プリンタ", "プリンタ"),
            ("Re[2]: Printer", "Printer"),
            ("RE^3: Printer", "Printer"),
            ("[users] Re: [SUP-12] Printer", "Printer"),
        ];
        for (input, want) in cases {
            assert_eq!(summary(Some(input)), want, "{input}");
        }
    }

    #[test]
    fn keeps_words_that_only_look_like_prefixes() {
        assert_eq!(summary(Some("Return policy")), "Return policy");
        assert_eq!(summary(Some("Re-install fails")), "Re-install fails");
        assert_eq!(
            summary(Some("Fwding rules: broken")),
            "Fwding rules: broken"
        );
        assert_eq!(summary(Some("[only a tag]")), "[only a tag]");
    }

    #[test]
    fn empty_and_prefix_only_subjects_get_a_placeholder_summary() {
        assert_eq!(summary(None), NO_SUBJECT);
        assert_eq!(summary(Some("   ")), NO_SUBJECT);
        assert_eq!(summary(Some("Re: ")), NO_SUBJECT);
    }

    #[test]
    fn summary_is_one_line_and_at_most_255_chars() {
        assert_eq!(summary(Some("a\r\n\tb  c")), "a b c");
        let long = "ü".repeat(300);
        assert_eq!(summary(Some(&long)).chars().count(), MAX_SUMMARY_CHARS);
        let words = "word ".repeat(100);
        let s = summary(Some(&words));
        assert!(s.chars().count() <= MAX_SUMMARY_CHARS);
        assert!(s.ends_with("word"));
    }
}
