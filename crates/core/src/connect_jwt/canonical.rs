//! The canonical request and its hash (`qsh`), as the Connect specification defines them.

use sha2::{Digest, Sha256};

/// One request, reduced to the parts that the `qsh` claim covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    /// Upper-case HTTP method.
    pub method: String,
    /// The path relative to the product's context path (see [`canonical_path`]).
    pub path: String,
    /// The sorted, encoded query (see [`canonical_query`]).
    pub query: String,
}

impl CanonicalRequest {
    /// Builds the canonical form of a request.
    ///
    /// `path` is the request's URL path as sent (percent-encoded), `context_path` the path
    /// of the product's base URL (`/jira` for `https://host/jira`, empty for none), `query`
    /// the decoded query parameters in any order.
    pub fn new(method: &str, context_path: &str, path: &str, query: &[(String, String)]) -> Self {
        Self {
            method: method.to_ascii_uppercase(),
            path: canonical_path(context_path, path),
            query: canonical_query(query),
        }
    }

    /// `METHOD&path&query`: the string that is hashed.
    pub fn as_string(&self) -> String {
        format!("{}&{}&{}", self.method, self.path, self.query)
    }

    /// The `qsh` claim: hex SHA-256 of [`Self::as_string`].
    pub fn qsh(&self) -> String {
        hex::encode(Sha256::digest(self.as_string().as_bytes()))
    }
}

/// The request path relative to `context_path`, starting with `/`, without a trailing `/`
/// (except the root), with `&` written as `%26` so that it cannot be confused with the
/// separators of the canonical request.
pub fn canonical_path(context_path: &str, path: &str) -> String {
    let context = context_path.trim_end_matches('/');
    let relative = match path.strip_prefix(context) {
        Some(rest) if !context.is_empty() && (rest.is_empty() || rest.starts_with('/')) => rest,
        _ => path,
    };
    let mut out = relative.replace('&', "%26");
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    while out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    out
}

/// The canonical query: `jwt` left out, parameter names sorted, each name and value encoded
/// per RFC 3986, the values of a repeated name sorted and joined with `,`, pairs joined
/// with `&`. Input pairs are decoded (as [`parse_query`] returns them).
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut names: Vec<&str> = pairs
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| *k != "jwt")
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .iter()
        .map(|name| {
            let mut values: Vec<&str> = pairs
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .collect();
            values.sort_unstable();
            let joined: Vec<String> = values.iter().map(|v| encode(v)).collect();
            format!("{}={}", encode(name), joined.join(","))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - . _ ~`, upper-case hex.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Splits a raw query string (without `?`) into decoded pairs; `+` is a space, as in
/// forms. Malformed escapes are kept literally rather than rejected: the hash then simply
/// does not match.
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex_value(bytes[i + 1]), hex_value(bytes[i + 2]))
            {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(raw: &str) -> Vec<(String, String)> {
        parse_query(raw)
    }

    /// Vectors: the canonical strings follow the published algorithm step by step; the
    /// hashes were computed independently with `printf %s STRING | sha256sum`.
    #[test]
    fn published_algorithm_vectors() {
        let cases = [
            (
                "GET",
                "",
                "/rest/api/3/issue/ABC-1",
                "fields=summary,status&expand=names",
                "GET&/rest/api/3/issue/ABC-1&expand=names&fields=summary%2Cstatus",
            ),
            (
                "get",
                "",
                "/rest/api/3/search/",
                "b=2&a=x+y&b=1&jwt=abc.def.ghi&c=%2F",
                "GET&/rest/api/3/search&a=x%20y&b=1,2&c=%2F",
            ),
            (
                "POST",
                "/jira",
                "/jira/rest/api/2/issue",
                "",
                "POST&/rest/api/2/issue&",
            ),
            (
                "PUT",
                "/jira/",
                "/jira/rest/a&b/",
                "name=%C3%A9t%C3%A9&~x=it's*",
                "PUT&/rest/a%26b&name=%C3%A9t%C3%A9&~x=it%27s%2A",
            ),
            ("GET", "/jira", "/jira", "", "GET&/&"),
        ];
        for (method, ctx, path, query, expected) in cases {
            let req = CanonicalRequest::new(method, ctx, path, &pairs(query));
            assert_eq!(req.as_string(), expected);
        }
        let req = CanonicalRequest::new(
            "GET",
            "",
            "/rest/api/3/issue/ABC-1",
            &pairs("fields=summary,status&expand=names"),
        );
        assert_eq!(req.qsh(), QSH_1);
        let req = CanonicalRequest::new("POST", "/jira", "/jira/rest/api/2/issue", &[]);
        assert_eq!(req.qsh(), QSH_2);
    }

    const QSH_1: &str = "eb37fd06822ea681ba2673a84803a10d0952755bad54099c6784c235ba5296f6";
    const QSH_2: &str = "43dd1779e33c34fae00c308d62e5dd153a32147d1bcb5d40b3936457fda0ece4";

    #[test]
    fn context_path_is_only_stripped_at_a_segment_boundary() {
        assert_eq!(canonical_path("/jira", "/jiralike/x"), "/jiralike/x");
        assert_eq!(canonical_path("", "rest/x"), "/rest/x");
        assert_eq!(canonical_path("", ""), "/");
        assert_eq!(canonical_path("", "///"), "/");
    }

    #[test]
    fn malformed_escapes_do_not_panic() {
        assert_eq!(
            pairs("a=%&b=%zz&c=%4&d=%é"),
            vec![
                ("a".to_owned(), "%".to_owned()),
                ("b".to_owned(), "%zz".to_owned()),
                ("c".to_owned(), "%4".to_owned()),
                ("d".to_owned(), "%é".to_owned()),
            ]
        );
        assert_eq!(pairs("a=%e2%82%ac"), vec![("a".to_owned(), "€".to_owned())]);
    }
}
