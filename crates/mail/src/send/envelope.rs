//! Turning the port's envelope into what goes on the wire: the `MAIL FROM` address (VERP
//! resolved against the configured bounce address) and checked recipients.

use postroom_core::message::EmailAddress;
use postroom_core::ports::mail_sender::{EnvelopeSender, OutboundEnvelope, SendError};
use postroom_core::verp;

/// Parses a configured bounce address, saying which setting is wrong when it is.
pub fn parse_bounce(address: &str) -> Result<EmailAddress, SendError> {
    let parsed = EmailAddress::parse(address)
        .map_err(|e| SendError::Config(format!("bounce_address: {e}")))?;
    if verp::split(&parsed).is_some() {
        return Err(SendError::Config(format!(
            "bounce_address must not contain '{}'",
            verp::DELIMITER
        )));
    }
    Ok(parsed)
}

/// The `MAIL FROM` address: empty for the null sender.
pub fn mail_from(
    envelope: &OutboundEnvelope,
    bounce: Option<&EmailAddress>,
) -> Result<String, SendError> {
    if envelope.recipients.is_empty() {
        return Err(SendError::Config(
            "the envelope has no recipients".to_owned(),
        ));
    }
    match &envelope.sender {
        EnvelopeSender::Null => Ok(String::new()),
        EnvelopeSender::Address(address) => Ok(address.as_str().to_owned()),
        EnvelopeSender::Verp(token) => {
            let bounce = envelope.identity.bounce.as_ref().or(bounce);
            let bounce = bounce.ok_or_else(|| {
                SendError::Config("a VERP sender needs bounce_address in the settings".to_owned())
            })?;
            verp::address(bounce, token)
                .map(|a| a.as_str().to_owned())
                .map_err(|e| SendError::Config(e.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use postroom_core::verp::VerpToken;

    use super::*;

    fn envelope(sender: EnvelopeSender) -> OutboundEnvelope {
        OutboundEnvelope {
            sender,
            recipients: vec![EmailAddress::parse("ann@example.org").unwrap()],
            identity: Default::default(),
        }
    }

    #[test]
    fn verp_sender_uses_the_bounce_address() {
        let bounce = parse_bounce("bounces@help.example.com").unwrap();
        let e = envelope(EnvelopeSender::Verp(VerpToken::parse("m-1").unwrap()));
        assert_eq!(
            mail_from(&e, Some(&bounce)).unwrap(),
            "bounces+m-1@help.example.com"
        );
        assert!(mail_from(&e, None).unwrap_err().is_permanent());
        assert_eq!(
            mail_from(&envelope(EnvelopeSender::Null), None).unwrap(),
            ""
        );
    }

    #[test]
    fn a_sites_own_bounce_address_wins_over_the_configured_one() {
        let configured = parse_bounce("bounces@help.example.com").unwrap();
        let mut e = envelope(EnvelopeSender::Verp(VerpToken::parse("m-2").unwrap()));
        e.identity.bounce = Some(parse_bounce("bounces@acme.example").unwrap());
        assert_eq!(
            mail_from(&e, Some(&configured)).unwrap(),
            "bounces+m-2@acme.example"
        );
        assert_eq!(mail_from(&e, None).unwrap(), "bounces+m-2@acme.example");
    }

    #[test]
    fn no_recipients_and_bad_bounce_addresses_are_configuration_errors() {
        let mut e = envelope(EnvelopeSender::Null);
        e.recipients.clear();
        assert!(matches!(mail_from(&e, None), Err(SendError::Config(_))));
        assert!(parse_bounce("bounces+x@example.com").is_err());
        assert!(parse_bounce("nobody").is_err());
    }
}
