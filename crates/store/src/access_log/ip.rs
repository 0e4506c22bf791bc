use std::net::IpAddr;

/// The network of an address, not the address: IPv4 keeps its /24, IPv6 its /48, which is
/// enough to spot a misbehaving network and too coarse to point at one person.
/// An IPv4-mapped IPv6 address is treated as the IPv4 address it carries.
pub fn truncate_ip(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => truncate_ip(IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_cut_to_their_network() {
        let cases = [
            ("203.0.113.77", "203.0.113.0/24"),
            ("127.0.0.1", "127.0.0.0/24"),
            ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::/48"),
            ("::ffff:198.51.100.9", "198.51.100.0/24"),
            ("::1", "0:0:0::/48"),
        ];
        for (input, want) in cases {
            let ip: IpAddr = input.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
            assert_eq!(truncate_ip(ip), want, "{input}");
        }
    }
}
