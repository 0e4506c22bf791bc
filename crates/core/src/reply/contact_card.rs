//! The writer's closing and name, and the contact card a signature adds below them.
//!
//! "Thanks,\nAlex" is what the person wrote to the agent and belongs in the comment; the
//! lines a mail client or habit appends after it (title, company, phone, address, links,
//! legal text) say nothing about the ticket. This module tells the two apart: a name line
//! (the sender's name, or a short capitalised line right below a closing phrase) followed
//! by lines that read as a card rather than as more of the message.

use std::sync::LazyLock;

use regex::Regex;

use super::pattern;

/// Most words a card line has (a job title, a company, an address line).
const MAX_CARD_WORDS: usize = 10;
/// Longest name written below a closing ("Maria", "Jean-Luc Picard", "J. R. R. Tolkien").
const MAX_NAME_CHARS: usize = 40;
/// Most words a card without any contact detail may have per line ("via mobile").
const MAX_BARE_CARD_WORDS: usize = 4;
/// Most lines such a bare card may have.
const MAX_BARE_CARD_LINES: usize = 2;

/// What a card carries: contact details, titles, company forms, legal text, social handles.
static CARD_EVIDENCE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)\+?\d[\d\s().-]{6,}\d|https?://|www\.|\S@\S|",
        r"\b(?:tel|phone|mobile|mob|cell|fax|skype|linkedin|twitter|direct|office|",
        r"telefon|handy|tél|portable|móvil|cellulare|телефон|моб)\b|",
        r"^\s*[tmfpe]\s*[.:]\s*\+?\d|",
        r"\b(?:manager|engineer|director|president|ceo|cto|cfo|coo|founder|co-founder|owner|",
        r"head\s+of|lead|officer|consultant|specialist|analyst|developer|assistant|coordinator|",
        r"administrator|architect|partner|associate|executive|representative|team|department|",
        r"support|sales|marketing|operations|geschäftsführer|leiter|responsable|directeur|",
        r"gerente|директор|менеджер)\b|",
        r"\b(?:ltd|limited|inc|llc|llp|gmbh|ag|plc|corp|corporation|s\.?a\.?s?|s\.?r\.?l|b\.?v|",
        r"a/s|k\.?k|co\.|company|group|solutions|services|technologies|ооо)\b|",
        r"\b(?:street|st\.|road|rd\.|avenue|ave\.|suite|floor|straße|strasse|rue|calle)\b|",
        r"\b(?:confidential|intended\s+recipient|disclaimer|privileged|vertraulich|",
        r"confidentiel|confidencial|riservat|конфиденциальн)",
    ))
});

/// A postscript is the writer's own text, never part of a card.
static POSTSCRIPT: LazyLock<Regex> = LazyLock::new(|| pattern(r"(?i)^\s*p\.?\s?s\b"));

/// True when `line` could be a name written below a closing: short, no digits, starting
/// with a capital letter, no sentence punctuation at its end.
pub(super) fn looks_like_name(line: &str) -> bool {
    let t = line.trim();
    let chars = t.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS {
        return false;
    }
    let words = t.split_whitespace().count();
    (1..=4).contains(&words)
        && t.chars().next().is_some_and(char::is_uppercase)
        && !t
            .chars()
            .any(|c| c.is_ascii_digit() || matches!(c, ':' | '@' | '/'))
        && !t.ends_with(['?', '!', ':'])
}

/// True when `lines` (the non-blank lines below a name) read as a contact card.
///
/// `confident` says the name line is certain (it repeats the sender's name); only then may
/// a very short block without any contact detail ("via mobile") count as a card.
pub(super) fn is_card(lines: &[&str], confident: bool) -> bool {
    let Some(first) = lines.first() else {
        return false;
    };
    if POSTSCRIPT.is_match(first) {
        return false;
    }
    let evidence = lines.iter().filter(|l| CARD_EVIDENCE.is_match(l)).count();
    let shaped = lines.iter().all(|l| {
        let words = l.split_whitespace().count();
        (words <= MAX_CARD_WORDS && !l.trim_end().ends_with('?')) || CARD_EVIDENCE.is_match(l)
    });
    if !shaped {
        return false;
    }
    if evidence > 0 {
        return true;
    }
    confident
        && lines.len() <= MAX_BARE_CARD_LINES
        && lines.iter().all(|l| {
            let t = l.trim_end();
            t.split_whitespace().count() <= MAX_BARE_CARD_WORDS && !t.ends_with(['.', '?', '!'])
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_below_a_closing_are_short_and_capitalised() {
        assert!(looks_like_name("Maria"));
        assert!(looks_like_name("Jean-Luc Picard"));
        assert!(!looks_like_name("maria"));
        assert!(!looks_like_name("Call me at 555 1234"));
        assert!(!looks_like_name(
            "Can you check the logs again tomorrow morning?"
        ));
    }

    #[test]
    fn titles_companies_phones_and_links_make_a_card() {
        assert!(is_card(&["Senior Engineer", "Acme Ltd"], false));
        assert!(is_card(&["+44 20 7946 0000"], false));
        assert!(is_card(&["www.example.com"], false));
        assert!(is_card(
            &[
                "This e-mail is confidential and meant for the intended recipient only; if you received it by mistake, tell the sender and delete it."
            ],
            false
        ));
    }

    #[test]
    fn more_of_the_message_is_not_a_card() {
        assert!(!is_card(&["P.S. the export also fails on Fridays"], true));
        assert!(!is_card(&["I will call you tomorrow."], true));
        assert!(!is_card(
            &["Could you also look at the other ticket we opened last week?"],
            false
        ));
        assert!(!is_card(&[], true));
    }

    #[test]
    fn a_bare_short_line_counts_only_below_a_certain_name() {
        assert!(is_card(&["see you"], true));
        assert!(!is_card(&["see you"], false));
    }
}
