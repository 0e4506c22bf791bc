//! Our own mail coming back to us: the surest way to a mail loop is answering it.

use crate::message::{Message, ReturnPath};

/// The header postroom writes on every mail it sends and recognises on every mail it
/// reads. One name for the whole program, so sender and classifier cannot drift apart.
pub const LOOP_HEADER: &str = "X-Postroom-Loop";

/// Returns the reason when the message carries postroom's loop header, a Message-ID minted
/// by one of its own domains, or one of its own VERP (`local+token@own`) return addresses
/// as sender.
pub(super) fn detect(message: &Message, own_domains: &[String]) -> Option<String> {
    if message.header(LOOP_HEADER).is_some() {
        return Some(format!("header {LOOP_HEADER}"));
    }
    if let Some(id) = &message.message_id {
        let domain = id.as_str().rsplit_once('@').map(|(_, d)| d);
        if domain.is_some_and(|d| is_own_domain(d, own_domains)) {
            return Some("Message-ID of an own domain".to_owned());
        }
    }
    let senders = message
        .from
        .iter()
        .chain(message.sender.iter())
        .map(|m| &m.address)
        .chain(match &message.return_path {
            Some(ReturnPath::Address(address)) => Some(address),
            _ => None,
        });
    for address in senders {
        if is_own_domain(address.domain(), own_domains) && crate::verp::split(address).is_some() {
            return Some("sender is an own VERP address".to_owned());
        }
    }
    None
}

/// True when `domain` is one of `own_domains` or a subdomain of one (case-insensitive).
pub(super) fn is_own_domain(domain: &str, own_domains: &[String]) -> bool {
    let domain = domain.trim_end_matches('.');
    own_domains.iter().any(|own| {
        let own = own.trim_end_matches('.');
        !own.is_empty()
            && (domain.eq_ignore_ascii_case(own)
                || domain.len() > own.len()
                    && domain.is_char_boundary(domain.len() - own.len() - 1)
                    && domain[domain.len() - own.len() - 1..].starts_with('.')
                    && domain[domain.len() - own.len()..].eq_ignore_ascii_case(own))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own() -> Vec<String> {
        vec!["help.example.com".to_owned()]
    }

    #[test]
    fn own_domain_matches_subdomains_but_not_lookalikes() {
        assert!(is_own_domain("help.example.com", &own()));
        assert!(is_own_domain("HELP.example.com.", &own()));
        assert!(is_own_domain("mx.help.example.com", &own()));
        assert!(!is_own_domain("evilhelp.example.com", &own()));
        assert!(!is_own_domain("example.com", &own()));
        assert!(!is_own_domain("x", &[String::new()]));
    }
}
