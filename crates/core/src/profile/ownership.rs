//! Which of a profile's own addresses another profile claims too. On an instance serving
//! several sites an own address (or domain) belongs to one site only: otherwise a mail to
//! it could not be routed to one site's Jira, and one site could read another's mail by
//! naming its address.

use super::CheckedProfile;
use crate::message::EmailAddress;

impl CheckedProfile {
    /// The own addresses, domains and catch-alls of this profile that `other` claims too,
    /// as the administrator wrote them; empty when the two can serve side by side.
    pub fn shared_own(&self, other: &CheckedProfile) -> Vec<String> {
        let mut shared = Vec::new();
        if self.profile.own.accept_any_recipient || other.profile.own.accept_any_recipient {
            shared.push("accept_any_recipient (it takes every address)".to_owned());
        }
        for (local, domain) in &self.own_addresses {
            let claimed = EmailAddress::parse(&format!("{local}@{domain}"))
                .is_ok_and(|address| other.is_own(&address));
            if claimed {
                shared.push(format!("{local}@{domain}"));
            }
        }
        for domain in &self.profile.own.domains {
            let domain = domain.trim();
            let same_domain = other
                .profile
                .own
                .domains
                .iter()
                .any(|d| d.trim().eq_ignore_ascii_case(domain));
            let address_in_it = other
                .own_addresses
                .iter()
                .any(|(_, d)| d.eq_ignore_ascii_case(domain));
            if same_domain || address_in_it {
                shared.push(domain.to_owned());
            }
        }
        shared
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::profile::{CheckedProfile, Profile};

    fn profile(own: &str) -> CheckedProfile {
        Profile::load(&format!(
            r#"{{"own": {own}, "default": {{"action": "ignore"}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn distinct_addresses_and_domains_can_serve_side_by_side() {
        let a = profile(r#"{"addresses": ["help@a.example"], "domains": ["desk.a.example"]}"#);
        let b = profile(r#"{"addresses": ["help@b.example"], "domains": ["desk.b.example"]}"#);
        assert!(a.shared_own(&b).is_empty());
        assert!(b.shared_own(&a).is_empty());
    }

    #[test]
    fn an_address_claimed_by_the_other_directly_or_by_domain_is_shared() {
        let a = profile(r#"{"addresses": ["Help@A.example", "sales@x.example"]}"#);
        let b = profile(r#"{"addresses": ["help@a.example"], "domains": ["x.example"]}"#);
        assert_eq!(a.shared_own(&b), vec!["help@a.example", "sales@x.example"]);
        // Seen from the other side: b's domain holds one of a's addresses.
        assert_eq!(b.shared_own(&a), vec!["help@a.example", "x.example"]);
    }

    #[test]
    fn a_catch_all_profile_shares_everything() {
        let a = profile(r#"{"accept_any_recipient": true}"#);
        let b = profile(r#"{"addresses": ["help@b.example"]}"#);
        assert_eq!(a.shared_own(&b).len(), 1);
        assert_eq!(b.shared_own(&a).len(), 1);
    }
}
