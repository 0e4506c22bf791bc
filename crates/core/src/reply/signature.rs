//! Signatures below the reply: the `-- ` delimiter, "Sent from my iPhone" and the other
//! client and phone taglines in our languages, a rule line above contact details, and the
//! contact card below the writer's closing and name (the closing and name stay); and a
//! mailing list's footer, which goes first.
//!
//! Only the tail of the reply is inspected, and nothing is cut when what follows the
//! delimiter looks like code, sits in a fenced code block, or when the cut would leave
//! nothing: a message that is only a signature-like line keeps it.

use std::cell::OnceCell;
use std::sync::LazyLock;

use regex::Regex;

use super::SignatureRule;
use super::contact_card;
use super::list_footer;
use super::pattern;
use super::quoted::is_blank;

/// Non-blank lines at the end of the reply that may belong to a signature.
const TAIL_LINES: usize = 15;
/// Non-blank lines at the end searched for the sender's name.
const NAME_TAIL_LINES: usize = 8;
/// Longest line a signature is made of.
const MAX_SIGNATURE_LINE: usize = 100;

/// Taglines that phones and mail apps append, in every supported language.
static CLIENT_TAGLINE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)^\s*(?:(?:sent\s+(?:from|with|via|using)|get\s+outlook\s+for|",
        r"von\s+mein(?:em|er)|gesendet\s+(?:von|mit|vom)|outlook\s+für\s+\S+\s+beziehen|",
        r"envoyé\s+(?:de|depuis|à\s+partir\s+de)|obtenir\s+outlook\s+pour|",
        r"enviado\s+(?:desde|do|de|a\s+partir\s+de)|obtener\s+outlook\s+para|",
        r"inviato\s+(?:da|dal)|scarica\s+outlook\s+per|",
        r"(?:verzonden|verstuurd)\s+(?:vanaf|met|van)|wysłane\s+z|wysłano\s+z|",
        r"skickat\s+från|sendt\s+fra|lähetetty|odesláno\s+z|",
        r"отправлено\s+(?:с|из)|надіслано\s+з|",
        r"发自我的|發自我的|从我的|從我的)\s*\S.{0,60}?(?:<[^<>\s]*>)?",
        r"|.{1,40}(?:から送信|에서\s*보냄)|.{1,30}['’](?:umdan|imden|dan|den|ten|tan)\s+gönderildi)\s*$",
    ))
});

/// Closing phrases that precede the sender's name.
static SIGN_OFF: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)^\s*(?:thanks|thank\s+you|many\s+thanks|thx|cheers|regards|best|best\s+regards|",
        r"kind\s+regards|warm\s+regards|sincerely|yours|all\s+the\s+best|br|",
        r"viele\s+grüße|beste\s+grüße|freundliche\s+grüße|mit\s+freundlichen\s+grüßen|grüße|lg|",
        r"danke|vielen\s+dank|cordialement|bien\s+à\s+vous|merci|salutations|",
        r"saludos|un\s+saludo|atentamente|gracias|cordiali\s+saluti|saluti|grazie|",
        r"obrigad[oa]|atenciosamente|abraços|met\s+vriendelijke\s+groet(?:en)?|groeten|bedankt|",
        r"pozdrawiam|dziękuję|z\s+poważaniem|med\s+vänliga\s+hälsningar|vänliga\s+hälsningar|",
        r"hälsningar|tack|med\s+venlig\s+hilsen|venlig\s+hilsen|med\s+vennlig\s+hilsen|",
        r"vennlig\s+hilsen|hilsen|mvh|kiitos|terveisin|ystävällisin\s+terveisin|",
        r"s\s+pozdravem|děkuji|díky|с\s+уважением|спасибо|з\s+повагою|дякую|",
        r"saygılarımla|teşekkürler|よろしくお願いします|よろしくお願いいたします|谢谢|此致|祝好|감사합니다)",
        r"\b.{0,30}$",
    ))
});

/// Contact details a signature block carries: a phone number, a web address, an address.
static CONTACT: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)\+?\d[\d\s().-]{6,}\d|https?://|www\.|\S@\S"));

/// Lines that read as source code rather than a signature.
static CODE_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"[;{}]\s*$|^(?:\s{4,}|\t)\S|==|=>|->|::|\(\)|^\s*(?:SELECT|INSERT|UPDATE|DELETE|fn|def|let|const|var|return|import)\b",
    )
});

/// Cheap, exact pre-check for [`CODE_LIKE`]: each of its branches needs one of these
/// characters, leading whitespace, or a keyword's first letter at the start of the line.
fn may_be_code(line: &str) -> bool {
    line.starts_with(char::is_whitespace)
        || line.starts_with(['S', 'I', 'U', 'D', 'f', 'd', 'l', 'c', 'v', 'r', 'i'])
        || line
            .bytes()
            .any(|b| matches!(b, b';' | b'{' | b'}' | b'=' | b'>' | b':' | b'('))
}

/// Number of lines of `lines` to keep once the signature is cut, and which rule cut it.
pub(super) fn cut(lines: &[&str], sender_name: Option<&str>) -> Option<(usize, SignatureRule)> {
    let fenced = fence_flags(lines);
    let mut content = Vec::with_capacity(lines.len());
    content.extend((0..lines.len()).filter(|&i| !is_blank(lines[i])));
    if content.len() < 2 {
        return None;
    }
    let tail = &content[content.len().saturating_sub(TAIL_LINES)..];
    let first_content = content[0];
    let keeps_text = |at: usize| at > first_content;
    // Lines that cannot belong to a signature; a cut is only clean below the last of them.
    // Found only when a cut is proposed: most replies have no candidate at all.
    let last_unclean = OnceCell::new();
    let clean_after = |at: usize| {
        last_unclean
            .get_or_init(|| {
                tail.iter()
                    .copied()
                    .filter(|&i| {
                        lines[i].len() > MAX_SIGNATURE_LINE
                            || fenced[i]
                            || lines[i].trim_start().starts_with("```")
                            || (may_be_code(lines[i]) && CODE_LIKE.is_match(lines[i]))
                    })
                    .max()
            })
            .is_none_or(|unclean| unclean <= at)
    };

    if let Some(at) = list_footer::start(lines, &content).filter(|&at| keeps_text(at)) {
        return Some((at, SignatureRule::ListFooter));
    }
    let last_two = &content[content.len() - 2..];
    if let Some(&at) = last_two
        .iter()
        .find(|&&i| !fenced[i] && CLIENT_TAGLINE.is_match(lines[i]))
        && keeps_text(at)
    {
        return Some((at, SignatureRule::ClientTagline));
    }
    for &at in tail {
        if fenced[at] || !keeps_text(at) {
            continue;
        }
        if matches!(lines[at].trim_end(), "--" | "-- ") && clean_after(at) {
            return Some((at, SignatureRule::Delimiter));
        }
    }
    let names = name_tokens(sender_name);
    for &at in tail {
        if fenced[at] || !keeps_text(at) || !is_rule(lines[at]) || !clean_after(at) {
            continue;
        }
        let below: Vec<&str> = tail
            .iter()
            .filter(|&&i| i > at)
            .map(|&i| lines[i])
            .collect();
        let contacts = below.iter().filter(|l| CONTACT.is_match(l)).count();
        if contacts >= 2 || below.iter().any(|l| mentions(l, &names)) {
            return Some((at, SignatureRule::RuleAndContacts));
        }
    }
    closing_and_card(lines, &content, &names, &fenced, first_content, clean_after)
}

/// Keeps the writer's closing and name and cuts the contact card below them (the product
/// rule in the module docs of [`super`]): the name is a line that repeats the sender's name,
/// or a short capitalised line right below a closing phrase.
fn closing_and_card(
    lines: &[&str],
    content: &[usize],
    names: &[String],
    fenced: &[bool],
    first_content: usize,
    clean_after: impl Fn(usize) -> bool,
) -> Option<(usize, SignatureRule)> {
    let tail_start = content.len().saturating_sub(NAME_TAIL_LINES);
    for (position, &at) in content.iter().enumerate().skip(tail_start) {
        if fenced[at] || at <= first_content {
            continue;
        }
        let confident = is_name_line(lines[at], names);
        // The closing-phrase pattern is the costly check: only for a line shaped like a name.
        let named_below_closing = !confident
            && contact_card::looks_like_name(lines[at])
            && position
                .checked_sub(1)
                .map(|p| content[p])
                .is_some_and(|above| at - above <= 2 && SIGN_OFF.is_match(lines[above]));
        if (!confident && !named_below_closing) || !clean_after(at) {
            continue;
        }
        let card: Vec<&str> = content[position + 1..].iter().map(|&i| lines[i]).collect();
        if card.is_empty() {
            return None;
        }
        if contact_card::is_card(&card, confident) {
            return Some((at + 1, SignatureRule::ContactCard));
        }
    }
    None
}

/// A line of three or more dashes or underscores and nothing else.
fn is_rule(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3 && (t.chars().all(|c| c == '-') || t.chars().all(|c| c == '_'))
}

/// Parts of the sender's display name worth looking for (an address gives its local part).
fn name_tokens(sender_name: Option<&str>) -> Vec<String> {
    let Some(name) = sender_name else {
        return Vec::new();
    };
    let name = name.split('@').next().unwrap_or_default();
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|t| t.chars().count() >= 2)
        .map(str::to_lowercase)
        .collect()
}

/// True when `line` contains one of `names` as a whole word.
fn mentions(line: &str, names: &[String]) -> bool {
    words(line).any(|w| is_name_word(w, names))
}

/// True when `word`, lowercased, is one of `names` (which are lowercase already); an ASCII
/// word, the common case, is compared without lowercasing it into a new string.
fn is_name_word(word: &str, names: &[String]) -> bool {
    if word.is_ascii() {
        names.iter().any(|name| name.eq_ignore_ascii_case(word))
    } else {
        names.contains(&word.to_lowercase())
    }
}

/// A line that is mostly the sender's name: "Noam", "John E. Doe, Ph.D.", "Me John Doe"
/// (initials and short titles do not count against it), or a business card line whose
/// first part is the name ("John Smith | Support Engineer").
fn is_name_line(line: &str, names: &[String]) -> bool {
    if names.is_empty() || line.trim().chars().count() > 80 {
        return false;
    }
    let first = line.split(['|', '•', '·']).next().unwrap_or(line);
    if first.trim().chars().count() > 40 {
        return false;
    }
    let (named, other) = words(first).fold((0, 0), |(n, o), w| {
        if is_name_word(w, names) {
            (n + 1, o)
        } else if w.chars().count() > 2 {
            (n, o + 1)
        } else {
            (n, o)
        }
    });
    named > 0 && other <= 1
}

fn words(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Which lines sit inside a ``` fenced code block (fence lines included).
fn fence_flags(lines: &[&str]) -> Vec<bool> {
    let mut inside = false;
    lines
        .iter()
        .map(|line| {
            let fence = line.trim_start().starts_with("```");
            let flag = inside || fence;
            if fence {
                inside = !inside;
            }
            flag
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(name: &str) -> Vec<String> {
        name_tokens(Some(name))
    }

    #[test]
    fn name_tokens_come_from_a_display_name_or_an_address() {
        assert_eq!(names("Jane Roe"), ["jane", "roe"]);
        assert_eq!(names("john.doe@example.com"), ["john", "doe"]);
        assert!(name_tokens(None).is_empty());
    }

    #[test]
    fn name_lines_are_mostly_the_name() {
        let jane = names("Jane Roe");
        assert!(is_name_line("Jane", &jane));
        assert!(is_name_line("Jane Roe, Ph.D.", &jane));
        assert!(is_name_line("Jane Roe | Head of Support", &jane));
        assert!(!is_name_line("I told Jane about it yesterday", &jane));
        assert!(!is_name_line("Jane", &[]));
    }

    #[test]
    fn fences_cover_their_content_and_markers() {
        let lines = ["a", "```", "--", "```", "b"];
        assert_eq!(fence_flags(&lines), [false, true, true, true, false]);
    }

    #[test]
    fn cut_keeps_at_least_the_first_line() {
        assert_eq!(cut(&["Sent from my iPhone"], None), None);
        assert_eq!(
            cut(&["Hi", "Sent from my iPhone"], None),
            Some((1, SignatureRule::ClientTagline))
        );
    }
}
