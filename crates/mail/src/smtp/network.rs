//! An address or a network (`192.0.2.7`, `10.0.0.0/8`, `2001:db8::/32`): the form of
//! `smtp.trusted_relays`, parsed once so that a listener only ever holds valid networks.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An IP network: a base address and the number of leading bits that must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

/// Why a text is not an address or a network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetworkError {
    /// The part before `/` is not an IP address.
    #[error("{0:?} is not an IP address or network (e.g. 192.0.2.7 or 10.0.0.0/8)")]
    Address(String),
    /// The prefix length is not a number within the address's size.
    #[error("{0:?} has a prefix length that is not 0..=32 (IPv4) or 0..=128 (IPv6)")]
    Prefix(String),
}

impl Network {
    /// Whether `ip` lies in this network. An IPv4 peer seen as an IPv4-mapped IPv6 address
    /// (a dual-stack socket) matches IPv4 networks.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, ip.to_canonical()) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => {
                masked(u128::from(base.to_bits()), 32, self.prefix)
                    == masked(u128::from(ip.to_bits()), 32, self.prefix)
            }
            (IpAddr::V6(base), IpAddr::V6(ip)) => {
                masked(base.to_bits(), 128, self.prefix) == masked(ip.to_bits(), 128, self.prefix)
            }
            _ => false,
        }
    }
}

/// The top `prefix` bits of a `width`-bit number.
fn masked(bits: u128, width: u8, prefix: u8) -> u128 {
    let drop = u32::from(width.saturating_sub(prefix));
    bits.checked_shr(drop).unwrap_or(0)
}

impl FromStr for Network {
    type Err = NetworkError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let base: IpAddr = address
            .parse()
            .map_err(|_| NetworkError::Address(text.to_owned()))?;
        let base = base.to_canonical();
        let width = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(|| NetworkError::Prefix(text.to_owned()))?,
        };
        Ok(Self { base, prefix })
    }
}

impl TryFrom<String> for Network {
    type Error = NetworkError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Network> for String {
    fn from(network: Network) -> Self {
        network.to_string()
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_address_is_a_network_of_one() {
        let one: Network = "192.0.2.7".parse().unwrap();
        assert!(one.contains(ip("192.0.2.7")));
        assert!(!one.contains(ip("192.0.2.8")));
        assert_eq!(one.to_string(), "192.0.2.7/32");
    }

    #[test]
    fn networks_match_their_prefix_in_both_families() {
        let v4: Network = "10.0.0.0/8".parse().unwrap();
        assert!(v4.contains(ip("10.200.1.1")));
        assert!(
            v4.contains(ip("::ffff:10.1.2.3")),
            "IPv4-mapped peers match"
        );
        assert!(!v4.contains(ip("11.0.0.1")));
        assert!(!v4.contains(ip("2001:db8::1")));
        let v6: Network = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        let all: Network = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")));
    }

    #[test]
    fn bad_text_says_what_is_wrong() {
        assert!(matches!(
            "mx.example".parse::<Network>(),
            Err(NetworkError::Address(_))
        ));
        assert!(matches!(
            "10.0.0.0/33".parse::<Network>(),
            Err(NetworkError::Prefix(_))
        ));
        assert!(matches!(
            "::/x".parse::<Network>(),
            Err(NetworkError::Prefix(_))
        ));
    }
}
