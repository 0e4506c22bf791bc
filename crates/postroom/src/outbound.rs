//! How postroom's own mail leaves, as `serve` set it up: the transport of `[outbound]` in
//! `postroom.toml`, or the `.eml` files of `serve --sandbox`, or none — and each site's own
//! relay where the instance has none. One [`SiteSenders`] is shared by the send workers and
//! the console's test send, so both use the same pooled connections.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use postroom_mail::send::{FileSettings, Outbound, OutboundSettings, SiteSenders};

use crate::config::Config;

/// Where the instance's transport comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceTransport {
    /// `[outbound]` of `postroom.toml`.
    Configured(OutboundSettings),
    /// `serve --sandbox` without `[outbound]`: `.eml` files in this directory.
    Sandbox(PathBuf),
    /// None: only sites with a relay of their own send.
    None,
}

/// The senders and what they were made from.
#[derive(Debug, Clone)]
pub struct OutboundSetup {
    pub senders: Arc<SiteSenders>,
    pub transport: InstanceTransport,
}

impl Default for OutboundSetup {
    /// No transport at all (tests of parts that send nothing).
    fn default() -> Self {
        Self {
            senders: Arc::new(SiteSenders::new(None)),
            transport: InstanceTransport::None,
        }
    }
}

impl OutboundSetup {
    /// The instance's transport: `[outbound]`, else under `--sandbox` `.eml` files in
    /// `DATA_DIR/outbox`, else none (acknowledgements are then reported as not sent, except
    /// for sites with a relay of their own).
    pub fn from_config(config: &Config, sandbox: bool) -> anyhow::Result<Self> {
        let transport = match (&config.outbound, sandbox) {
            (Some(settings), _) => InstanceTransport::Configured(settings.clone()),
            (None, true) => InstanceTransport::Sandbox(config.storage.data_dir.join("outbox")),
            (None, false) => InstanceTransport::None,
        };
        let settings = match &transport {
            InstanceTransport::Configured(settings) => Some(settings.clone()),
            InstanceTransport::Sandbox(dir) => Some(OutboundSettings::File(FileSettings {
                dir: dir.clone(),
                ..FileSettings::default()
            })),
            InstanceTransport::None => None,
        };
        let instance = match &settings {
            Some(settings) => {
                Some(Outbound::from_settings(settings).context("[outbound] cannot be used")?)
            }
            None => None,
        };
        match &settings {
            Some(OutboundSettings::File(f)) => eprintln!(
                "postroom: outbound mail is written to {} (file transport)",
                f.dir.display()
            ),
            Some(OutboundSettings::Smtp(s)) => {
                tracing::info!(host = %s.host, port = s.port(), "outbound mail through SMTP");
            }
            None => tracing::info!(
                "no [outbound] mail transport: acknowledgements are not sent, except for sites \
                 with a relay of their own"
            ),
        }
        Ok(Self {
            senders: Arc::new(SiteSenders::new(instance)),
            transport,
        })
    }

    /// The names of the DKIM keys a site may choose (`[outbound.dkim_keys.NAME]`).
    pub fn dkim_key_names(&self) -> Vec<String> {
        match &self.transport {
            InstanceTransport::Configured(OutboundSettings::Smtp(s)) => {
                s.dkim_keys.keys().cloned().collect()
            }
            _ => Vec::new(),
        }
    }
}
