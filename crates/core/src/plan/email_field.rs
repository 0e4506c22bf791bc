//! The text of the profile's e-mail field (`people.email_field`): `Name <address>` entries,
//! comma-separated, as postroom writes them and as an agent may edit them by hand.

use std::collections::BTreeSet;

use crate::message::EmailAddress;

/// Every valid address in the field's text, lower-cased. Names are skipped whatever they
/// hold (a comma in `Lee, Ann <ann@…>` does not split an entry wrongly), since only tokens
/// that parse as addresses count.
pub(crate) fn addresses(text: &str) -> BTreeSet<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>' | '"'))
        .filter(|t| t.contains('@'))
        .filter_map(|t| EmailAddress::parse(t).ok())
        .map(|a| a.as_str().to_ascii_lowercase())
        .collect()
}

/// Every entry of the field's text as (display name, address), each address once, in
/// order: the e-mail-only people a notification goes to.
pub fn entries(text: &str) -> Vec<(Option<String>, String)> {
    let mut out: Vec<(Option<String>, String)> = Vec::new();
    let mut push = |name: Option<String>, token: &str| {
        if let Ok(address) = EmailAddress::parse(token.trim()) {
            let address = address.as_str().to_owned();
            if !out.iter().any(|(_, a)| a.eq_ignore_ascii_case(&address)) {
                out.push((name, address));
            }
        }
    };
    let bare = |text: &str| -> Vec<String> {
        text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '"'))
            .filter(|t| t.contains('@'))
            .map(str::to_owned)
            .collect()
    };
    for chunk in text.split('>') {
        match chunk.rsplit_once('<') {
            Some((before, address)) => {
                for token in bare(before) {
                    push(None, &token);
                }
                let name = before
                    .rsplit([',', ';'])
                    .next()
                    .map(|n| n.trim().trim_matches('"').trim())
                    .filter(|n| !n.is_empty() && !n.contains('@'))
                    .map(str::to_owned);
                push(name, address);
            }
            None => {
                for token in bare(chunk) {
                    push(None, &token);
                }
            }
        }
    }
    out
}

/// The field's text with `entries` (`Name <address>` or an address) appended, leaving out
/// each entry whose address is there already; `None` when nothing is new.
pub fn append(existing: Option<&str>, entries: &[String]) -> Option<String> {
    let mut present = addresses(existing.unwrap_or(""));
    let mut text = existing.map(str::trim).unwrap_or("").to_owned();
    let mut added = false;
    for entry in entries {
        let new = addresses(entry);
        if new.is_empty() || !new.is_disjoint(&present) {
            continue;
        }
        present.extend(new);
        if !text.is_empty() {
            text.push_str(", ");
        }
        text.push_str(entry.trim());
        added = true;
    }
    added.then_some(text)
}

/// The field's text without `address` (any case), each remaining entry written as
/// `Name <address>` or the bare address; `None` when the address is not in it. Erasing a
/// person's data (`person erase --jira`) writes this back.
pub fn without(text: &str, address: &str) -> Option<String> {
    let all = entries(text);
    let kept: Vec<String> = all
        .iter()
        .filter(|(_, a)| !a.eq_ignore_ascii_case(address))
        .map(|(name, a)| match name {
            Some(name) => format!("{name} <{a}>"),
            None => a.clone(),
        })
        .collect();
    (kept.len() < all.len()).then(|| kept.join(", "))
}

#[cfg(test)]
mod tests {

    #[test]
    fn entries_keep_names_and_each_address_once() {
        let text = "Frank Customer <frank@customer.example>, ann@b.example; \"Lee, Bo\" <bo@c.example>, FRANK@customer.example, not-an-address";
        let found = entries(text);
        assert_eq!(
            found,
            vec![
                (
                    Some("Frank Customer".to_owned()),
                    "frank@customer.example".to_owned()
                ),
                (None, "ann@b.example".to_owned()),
                (Some("Bo".to_owned()), "bo@c.example".to_owned()),
            ]
        );
        assert!(entries("").is_empty());
        assert!(entries("<>, , <not valid>").is_empty());
    }

    use super::*;

    #[test]
    fn addresses_are_found_whatever_the_names_hold() {
        let found = addresses("Lee, Ann <Ann@Customer.example>; bob@b.example,\"x@\" junk@");
        assert_eq!(
            found.into_iter().collect::<Vec<_>>(),
            ["ann@customer.example", "bob@b.example"]
        );
        assert!(addresses("").is_empty());
    }

    #[test]
    fn append_adds_only_new_addresses_once() {
        assert_eq!(
            append(
                Some("Ann <ann@a.example>"),
                &[
                    "ANN@a.example".to_owned(),
                    "Bob <bob@b.example>".to_owned(),
                    "bob@B.example".to_owned(),
                    "not an address".to_owned(),
                ]
            ),
            Some("Ann <ann@a.example>, Bob <bob@b.example>".to_owned())
        );
        assert_eq!(
            append(None, &["carl@c.example".to_owned()]),
            Some("carl@c.example".to_owned())
        );
        assert_eq!(
            append(Some("ann@a.example"), &["ann@a.example".to_owned()]),
            None
        );
        assert_eq!(append(Some("  "), &[]), None);
    }

    #[test]
    fn without_removes_every_entry_of_the_address_and_keeps_the_rest() {
        let text = "Frank <frank@f.example>, ANN@a.example; \"Lee, Bo\" <bo@c.example>";
        assert_eq!(
            without(text, "ann@A.example").as_deref(),
            Some("Frank <frank@f.example>, Bo <bo@c.example>")
        );
        assert_eq!(
            without("ann@a.example", "ann@a.example").as_deref(),
            Some("")
        );
        assert_eq!(without(text, "joann@a.example"), None);
        assert_eq!(without("", "ann@a.example"), None);
    }
}
