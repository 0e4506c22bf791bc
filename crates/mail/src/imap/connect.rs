//! Opening an authenticated IMAP session, one step at a time so that a failure names the
//! step: DNS, TCP, TLS (or `STARTTLS`), the greeting, authentication.

use std::net::SocketAddr;
use std::time::Duration;

use async_imap::{Authenticator, Client, Session};
use tokio::net::TcpStream;

use super::error::ImapError;
use super::oauth::{RotationHook, TokenSource};
use super::settings::{Auth, MailboxSettings, Security};
use super::stream::{self, Stream};

/// How long each network step may take before the attempt is abandoned.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

pub type ImapSession = Session<Stream>;

/// Credentials ready to use: a password, or a source of access tokens.
#[derive(Debug)]
pub enum Credentials {
    Password,
    Tokens(Box<TokenSource>),
}

impl Credentials {
    pub fn for_settings(settings: &MailboxSettings) -> Self {
        match &settings.auth {
            Auth::Login { .. } => Self::Password,
            Auth::Xoauth2 {
                token_url,
                client_id,
                client_secret,
                refresh_token,
                ..
            } => Self::Tokens(Box::new(TokenSource::new(
                token_url,
                client_id,
                client_secret.clone(),
                refresh_token.clone(),
            ))),
        }
    }

    /// Hands a refresh token the endpoint rotates to `hook` (a password: nothing to do).
    pub fn on_rotation(self, hook: RotationHook) -> Self {
        match self {
            Self::Tokens(tokens) => Self::Tokens(Box::new(tokens.on_rotation(hook))),
            other => other,
        }
    }
}

async fn step<T, E: std::fmt::Display>(
    during: &'static str,
    future: impl Future<Output = Result<T, E>>,
    map: impl FnOnce(E) -> ImapError,
) -> Result<T, ImapError> {
    match tokio::time::timeout(STEP_TIMEOUT, future).await {
        Ok(result) => result.map_err(map),
        Err(_) => Err(ImapError::Timeout {
            during,
            secs: STEP_TIMEOUT.as_secs(),
        }),
    }
}

/// Connects and authenticates.
pub async fn open(
    settings: &MailboxSettings,
    credentials: &Credentials,
) -> Result<ImapSession, ImapError> {
    settings.validate()?;
    let port = settings.port();
    let addrs: Vec<SocketAddr> = step(
        "DNS lookup",
        tokio::net::lookup_host((settings.server.as_str(), port)),
        |e| ImapError::Dns {
            server: settings.server.clone(),
            reason: e.to_string(),
        },
    )
    .await?
    .collect();
    if settings.security == Security::Plain && addrs.iter().any(|a| !a.ip().is_loopback()) {
        return Err(ImapError::PlainNotLoopback {
            server: settings.server.clone(),
        });
    }
    let tcp = step("TCP connect", TcpStream::connect(&addrs[..]), |e| {
        ImapError::Connect {
            server: settings.server.clone(),
            port,
            reason: e.to_string(),
        }
    })
    .await?;
    let client = match settings.security {
        Security::Plain => greeted(Stream::Plain(tcp)).await?,
        Security::Tls => {
            let connector = stream::tls_connector(settings)?;
            greeted(stream::handshake(&connector, settings, tcp).await?).await?
        }
        Security::Starttls => {
            let connector = stream::tls_connector(settings)?;
            let mut plain = greeted(Stream::Plain(tcp)).await?;
            step(
                "STARTTLS",
                plain.run_command_and_check_ok("STARTTLS", None),
                |_| ImapError::NoStarttls {
                    server: settings.server.clone(),
                    port,
                },
            )
            .await?;
            let Stream::Plain(tcp) = plain.into_inner() else {
                return Err(ImapError::protocol("STARTTLS", "stream already encrypted"));
            };
            Client::new(stream::handshake(&connector, settings, tcp).await?)
        }
    };
    authenticate(client, settings, credentials).await
}

/// Reads the server's greeting, which must come before any command.
async fn greeted(stream: Stream) -> Result<Client<Stream>, ImapError> {
    let mut client = Client::new(stream);
    let greeting = step("greeting", client.read_response(), |e| {
        ImapError::protocol("greeting", e)
    })
    .await?;
    if greeting.is_none() {
        return Err(ImapError::protocol(
            "greeting",
            "the server closed the connection",
        ));
    }
    Ok(client)
}

async fn authenticate(
    client: Client<Stream>,
    settings: &MailboxSettings,
    credentials: &Credentials,
) -> Result<ImapSession, ImapError> {
    match (&settings.auth, credentials) {
        (Auth::Xoauth2 { user, .. }, Credentials::Tokens(tokens)) => {
            let token = tokens.access_token().await?;
            let xoauth2 = XOAuth2 {
                first: Some(format!(
                    "user={user}\x01auth=Bearer {}\x01\x01",
                    token.expose()
                )),
            };
            match step_session(client.authenticate("XOAUTH2", xoauth2)).await {
                Ok(session) => Ok(session),
                Err(reason) => {
                    tokens.invalidate().await;
                    Err(ImapError::TokenRefused { reason })
                }
            }
        }
        (Auth::Login { user, password }, _) => step_session(client.login(user, password.expose()))
            .await
            .map_err(|reason| ImapError::LoginRefused { reason }),
        (Auth::Xoauth2 { .. }, Credentials::Password) => Err(ImapError::protocol(
            "authentication",
            "XOAUTH2 configured without a token source",
        )),
    }
}

async fn step_session(
    attempt: impl Future<Output = Result<ImapSession, (async_imap::error::Error, Client<Stream>)>>,
) -> Result<ImapSession, String> {
    match tokio::time::timeout(STEP_TIMEOUT, attempt).await {
        Ok(Ok(session)) => Ok(session),
        Ok(Err((error, _client))) => Err(error.to_string()),
        Err(_) => Err(format!("no answer within {} s", STEP_TIMEOUT.as_secs())),
    }
}

/// SASL XOAUTH2: the initial response carries user and token; when the server refuses, it
/// sends an error challenge that must be answered with an empty line.
struct XOAuth2 {
    first: Option<String>,
}

impl Authenticator for XOAuth2 {
    type Response = String;

    fn process(&mut self, _challenge: &[u8]) -> String {
        self.first.take().unwrap_or_default()
    }
}
