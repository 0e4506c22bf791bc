//! The rows of Settings → Outbound mail: each value in force with where it comes from, so
//! that an administrator sees what postroom uses and where to change it. A secret is shown
//! only as set or not.

use postroom_mail::send::{OutboundSettings, SmtpSettings};

use super::settings_outbound::{RelayBody, SettingBody, Source};
use crate::outbound::InstanceTransport;

fn row(label: &str, value: Option<String>, source: Source, key: Option<&str>) -> SettingBody {
    SettingBody {
        label: label.to_owned(),
        set: value.is_some(),
        value,
        secret: false,
        source,
        key: key.map(|k| k.to_owned()),
    }
}

fn secret(label: &str, set: bool, source: Source, key: Option<&str>) -> SettingBody {
    SettingBody {
        label: label.to_owned(),
        value: None,
        secret: true,
        set,
        source,
        key: key.map(|k| k.to_owned()),
    }
}

/// A row of `[outbound]`: from postroom.toml when the value is there, else the default.
fn toml_row(label: &str, value: Option<String>, key: &str) -> SettingBody {
    let source = if value.is_some() {
        Source::PostroomToml
    } else {
        Source::Default
    };
    let key = (source == Source::PostroomToml).then_some(key);
    row(label, value, source, key)
}

/// The transport in force (`smtp`, `file` or `none`), where it comes from, and its rows.
pub fn transport(
    transport: &InstanceTransport,
    relay: Option<&RelayBody>,
) -> (&'static str, Source, Vec<SettingBody>) {
    match (transport, relay) {
        (InstanceTransport::Configured(OutboundSettings::Smtp(s)), _) => {
            ("smtp", Source::PostroomToml, smtp_rows(s))
        }
        (InstanceTransport::Configured(OutboundSettings::File(f)), _) => (
            "file",
            Source::PostroomToml,
            vec![
                row(
                    "Transport",
                    Some("file".to_owned()),
                    Source::PostroomToml,
                    Some("[outbound] transport"),
                ),
                row(
                    "Directory",
                    Some(f.dir.display().to_string()),
                    Source::PostroomToml,
                    Some("[outbound] dir"),
                ),
                row(
                    "Bounce address",
                    Some(f.bounce_address.clone()),
                    Source::PostroomToml,
                    Some("[outbound] bounce_address"),
                ),
            ],
        ),
        (InstanceTransport::Sandbox(dir), _) => (
            "file",
            Source::Sandbox,
            vec![
                row("Transport", Some("file".to_owned()), Source::Sandbox, None),
                row(
                    "Directory",
                    Some(dir.display().to_string()),
                    Source::Sandbox,
                    None,
                ),
                row(
                    "Bounce address",
                    Some(postroom_mail::send::FileSettings::default().bounce_address),
                    Source::Sandbox,
                    None,
                ),
            ],
        ),
        (InstanceTransport::None, Some(r)) => (
            "smtp",
            Source::Site,
            vec![
                row(
                    "Transport",
                    Some("smtp (the site's own relay)".to_owned()),
                    Source::Site,
                    None,
                ),
                row("Host", Some(r.host.clone()), Source::Site, None),
                row("Port", Some(r.port.to_string()), Source::Site, None),
                row("Security", Some(r.security.clone()), Source::Site, None),
                row("User name", r.username.clone(), Source::Site, None),
                secret("Password", r.password_set, Source::Site, None),
            ],
        ),
        (InstanceTransport::None, None) => (
            "none",
            Source::Default,
            vec![row(
                "Transport",
                Some("none: acknowledgements and notifications are not sent".to_owned()),
                Source::Default,
                None,
            )],
        ),
    }
}

fn smtp_rows(s: &SmtpSettings) -> Vec<SettingBody> {
    let mut rows = vec![
        row(
            "Transport",
            Some("smtp".to_owned()),
            Source::PostroomToml,
            Some("[outbound] transport"),
        ),
        row(
            "Host",
            Some(s.host.clone()),
            Source::PostroomToml,
            Some("[outbound] host"),
        ),
        toml_row(
            "Port",
            Some(s.port().to_string()).filter(|_| s.port.is_some()),
            "[outbound] port",
        ),
        row(
            "Security",
            Some(format!("{:?}", s.security).to_ascii_lowercase()),
            Source::PostroomToml,
            Some("[outbound] security"),
        ),
        toml_row("User name", s.username.clone(), "[outbound] username"),
        secret(
            "Password",
            s.password.is_some(),
            if s.password.is_some() {
                Source::PostroomToml
            } else {
                Source::Default
            },
            s.password.is_some().then_some("[outbound] password"),
        ),
        toml_row(
            "Bounce address",
            s.bounce_address.clone(),
            "[outbound] bounce_address",
        ),
    ];
    if s.port.is_none() {
        rows[2].value = Some(s.port().to_string());
        rows[2].set = true;
    }
    if let Some(dkim) = &s.dkim {
        rows.push(row(
            "DKIM key",
            Some(format!("{} (selector {})", dkim.domain, dkim.selector)),
            Source::PostroomToml,
            Some("[outbound.dkim]"),
        ));
    }
    rows
}

/// The site's own identity rows: its bounce address and DKIM key, or the instance's.
pub fn identity(
    transport: &InstanceTransport,
    bounce: Option<&str>,
    dkim_key: Option<&str>,
) -> Vec<SettingBody> {
    let instance = match transport {
        InstanceTransport::Configured(_) => Source::PostroomToml,
        InstanceTransport::Sandbox(_) => Source::Sandbox,
        InstanceTransport::None => Source::Default,
    };
    let of_instance = |what: &str| Some(format!("the instance's {what}"));
    vec![
        match bounce {
            Some(b) => row(
                "This site's bounce address",
                Some(b.to_owned()),
                Source::Site,
                None,
            ),
            None => row(
                "This site's bounce address",
                of_instance("bounce address"),
                instance,
                None,
            ),
        },
        match dkim_key {
            Some(k) => row(
                "This site's DKIM key",
                Some(k.to_owned()),
                Source::Site,
                None,
            ),
            None => row(
                "This site's DKIM key",
                of_instance("key, if any"),
                instance,
                None,
            ),
        },
    ]
}
