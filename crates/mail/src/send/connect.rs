//! Opening one SMTP connection as the settings say: implicit TLS, STARTTLS or plain, then
//! EHLO and AUTH.

use std::net::IpAddr;

use mail_send::{Credentials, SmtpClient, SmtpClientBuilder};
use postroom_core::ports::mail_sender::{SendError, SmtpStage};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::reply::classify;
use super::settings::{Security, SmtpSettings};
use super::tls;

/// An open, greeted and authenticated SMTP session.
pub enum Connection {
    /// Clear text (loopback, or explicitly allowed).
    Plain(SmtpClient<TcpStream>),
    /// Implicit TLS or upgraded with STARTTLS.
    Tls(Box<SmtpClient<TlsStream<TcpStream>>>),
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Plain(_) => "Connection(plain)",
            Self::Tls(_) => "Connection(tls)",
        })
    }
}

/// Opens connections to one server; checked once, used for every connection.
pub struct Connector {
    builder: SmtpClientBuilder<String>,
    security: Security,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The builder holds the credentials: never print it.
        f.debug_struct("Connector")
            .field("security", &self.security)
            .finish_non_exhaustive()
    }
}

impl Connector {
    /// Checks the settings that can be checked without a server.
    pub fn new(settings: &SmtpSettings) -> Result<Self, SendError> {
        if settings.host.trim().is_empty() {
            return Err(SendError::Config("the SMTP host is empty".to_owned()));
        }
        if settings.security == Security::Plain
            && !settings.allow_plain_remote
            && !is_loopback(&settings.host)
        {
            return Err(SendError::Config(format!(
                "plain SMTP to {} would send mail and passwords in clear text; use tls or \
                 starttls, or set allow_plain_remote",
                settings.host
            )));
        }
        let tls = tls::connector(settings.ca_file.as_deref())?;
        let mut builder =
            SmtpClientBuilder::new_with_tls_connector(settings.host.clone(), settings.port(), tls)
                .implicit_tls(settings.security == Security::Tls)
                .timeout(settings.timeout());
        if let Some(helo) = &settings.helo_name {
            builder = builder.helo_host(helo.clone());
        }
        match (&settings.username, &settings.password) {
            (Some(user), Some(password)) => {
                builder = builder
                    .credentials(Credentials::new(user.clone(), password.expose().to_owned()));
            }
            (None, None) => {}
            _ => {
                return Err(SendError::Config(
                    "SMTP username and password must be given together".to_owned(),
                ));
            }
        }
        Ok(Self {
            builder,
            security: settings.security,
        })
    }

    /// Opens a new session.
    pub async fn connect(&self) -> Result<Connection, SendError> {
        let result = match self.security {
            Security::Plain => self.builder.connect_plain().await.map(Connection::Plain),
            Security::Tls | Security::StartTls => self
                .builder
                .connect()
                .await
                .map(|c| Connection::Tls(Box::new(c))),
        };
        let connection = result.map_err(|e| classify(e, SmtpStage::Connect))?;
        // The client writes a message and its terminating dot in separate small writes;
        // with Nagle's algorithm the last one waits for the server's delayed ACK (~40 ms
        // per message). Commands are whole lines, so sending at once costs nothing.
        let tcp = match &connection {
            Connection::Plain(client) => &client.stream,
            Connection::Tls(client) => client.stream.get_ref().0,
        };
        tcp.set_nodelay(true).map_err(|e| SendError::Connection {
            stage: SmtpStage::Connect,
            message: format!("cannot set TCP_NODELAY: {e}"),
            outcome_unknown: false,
        })?;
        Ok(connection)
    }
}

/// True for `localhost` and loopback IP addresses, where clear text never leaves the host.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_is_refused_to_remote_hosts_unless_allowed() {
        let mut s = SmtpSettings::new("smtp.example.com", 25, Security::Plain);
        assert!(matches!(Connector::new(&s), Err(SendError::Config(_))));
        s.allow_plain_remote = true;
        assert!(Connector::new(&s).is_ok());
        for host in ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"] {
            let s = SmtpSettings::new(host, 25, Security::Plain);
            assert!(Connector::new(&s).is_ok(), "{host}");
        }
    }

    #[test]
    fn half_credentials_are_refused_and_never_printed() {
        let mut s = SmtpSettings::new("smtp.example.com", 587, Security::StartTls);
        s.username = Some("user".to_owned());
        assert!(matches!(Connector::new(&s), Err(SendError::Config(_))));
        s.password = Some(postroom_core::secret::Secret::new("hunter2"));
        let c = Connector::new(&s).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
