//! Address patterns of the profile: globs for the common case, regexes when needed.
//!
//! Both compile once into a case-insensitive, anchored regex, so matching a message costs
//! one regex run per pattern whichever form the administrator wrote.

use regex::Regex;

/// A compiled address pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    regex: Regex,
    whole_address: bool,
}

impl Pattern {
    /// `*@example.com`, `support@*`, `*.example.com` (a domain when there is no `@`), or
    /// `re:^(ann|bob)@example\.com$`. Says why when the text is not a usable pattern.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("empty pattern".to_owned());
        }
        let (source, whole_address) = match text.strip_prefix("re:") {
            Some(re) => (format!("(?i){re}"), re.contains('@')),
            None => (format!("(?i)^{}$", glob_to_regex(text)), text.contains('@')),
        };
        let regex = Regex::new(&source).map_err(|e| format!("invalid regex: {e}"))?;
        Ok(Self {
            regex,
            whole_address,
        })
    }

    /// True when `address` (already validated, lower-case domain) fits. A pattern without
    /// `@` is tried against the domain alone.
    pub fn matches(&self, address: &str) -> bool {
        self.regex.is_match(self.tried_on(address))
    }

    /// The part of `address` the pattern is tried on: all of it, or its domain when the
    /// pattern has no `@`.
    pub fn tried_on<'a>(&self, address: &'a str) -> &'a str {
        if self.whole_address {
            address
        } else {
            address.rsplit_once('@').map_or(address, |(_, d)| d)
        }
    }
}

fn glob_to_regex(glob: &str) -> String {
    let mut out = String::with_capacity(glob.len() + 8);
    let mut buf = [0u8; 4];
    for c in glob.chars() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            _ => out.push_str(&regex::escape(c.encode_utf8(&mut buf))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_with_at_matches_whole_address_case_insensitively() {
        let p = Pattern::parse("*@Example.com").unwrap();
        assert!(p.matches("ann@example.com"));
        assert!(!p.matches("ann@example.com.evil.org"));
        assert!(!p.matches("ann@sub.example.com"));
    }

    #[test]
    fn pattern_without_at_is_a_domain() {
        let p = Pattern::parse("*.example.com").unwrap();
        assert!(p.matches("ann@eu.example.com"));
        assert!(!p.matches("ann@example.com"));
        let exact = Pattern::parse("example.com").unwrap();
        assert!(exact.matches("bob@example.com"));
        assert!(!exact.matches("bob@examplexcom"));
    }

    #[test]
    fn regex_form_and_its_errors() {
        let p = Pattern::parse("re:^(ann|bob)@example\\.com$").unwrap();
        assert!(p.matches("BOB@example.com"));
        assert!(!p.matches("eve@example.com"));
        assert!(
            Pattern::parse("re:(")
                .unwrap_err()
                .starts_with("invalid regex")
        );
        assert_eq!(Pattern::parse("  ").unwrap_err(), "empty pattern");
    }
}
