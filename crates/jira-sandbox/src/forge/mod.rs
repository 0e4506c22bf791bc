//! The Forge platform, as far as a remote backend meets it: an app with signing keys
//! published as a JWKS (rotating), installations on sandbox sites, invocation tokens minted
//! for an installation, module and principal, and deliveries to the remote — lifecycle
//! events, the scheduled trigger and Jira's events — with Forge's timeout and retries.
//!
//! Each delivery carries a Forge Invocation Token (`Authorization: Bearer`, RS256, `kid`
//! of a key in the JWKS, `iss` `forge/invocation-token`, `aud` the app id, a minute of
//! life) and a fresh app system token (`x-forge-oauth-system`) that the site accepts until
//! it expires, as the remote's manifest asks with `appSystemToken`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

mod custom_ui;

pub use custom_ui::{CONSOLE_RESOURCE, PICKER_RESOURCE, ResourceFiles, UI_INVOCATION_TIMEOUT};

use crate::error::SandboxError;
use crate::time::now_ms;
use crate::{ForgeSite, SandboxHandle, uuid_like};

/// How long Forge waits for a remote to answer an event or a trigger.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);
/// Retries after the first attempt of an event or trigger delivery.
pub const DELIVERY_RETRIES: u32 = 4;
/// How long invocation tokens live.
const FIT_TTL_SECS: i64 = 60;
/// How long the app system tokens handed with a call live.
pub const SYSTEM_TOKEN_TTL: Duration = Duration::from_secs(3600);

/// The remote's endpoints, as `app/forge/manifest.yml` routes them.
pub const LIFECYCLE_PATH: &str = "/forge/lifecycle";
pub const EVENTS_PATH: &str = "/forge/events";
pub const SCHEDULE_PATH: &str = "/forge/schedule";

/// One signing key: its id, the private half and the public half as a JWK.
struct SigningKey {
    kid: String,
    private: EncodingKey,
    public: Jwk,
}

impl SigningKey {
    /// A fresh 2048-bit RSA key (made by aws-lc, which is quick even in debug builds).
    fn generate() -> Result<Self, SandboxError> {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::pkcs8::DecodePrivateKey;
        let fail = |e: &dyn std::fmt::Display| SandboxError::Forge(format!("signing key: {e}"));
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).map_err(|e| fail(&e))?;
        let rsa =
            rsa::RsaPrivateKey::from_pkcs8_der(&pair.serialize_der()).map_err(|e| fail(&e))?;
        let pkcs1 = rsa.to_pkcs1_der().map_err(|e| fail(&e))?;
        let private = EncodingKey::from_rsa_der(pkcs1.as_bytes());
        let mut public =
            Jwk::from_encoding_key(&private, Algorithm::RS256).map_err(|e| fail(&e))?;
        let kid = format!("sandbox-{}", uuid_like());
        public.common.key_id = Some(kid.clone());
        Ok(Self {
            kid,
            private,
            public,
        })
    }
}

/// An installation the platform delivers to.
#[derive(Clone)]
struct Installed {
    site: SandboxHandle,
    forge: ForgeSite,
    /// The licence the tokens carry: `None` for an install without licensing.
    licence: Option<bool>,
    /// The secret the site signs the Jira events it hands the platform with.
    relay_secret: String,
}

/// What became of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The remote's last answer; `None` when it never answered in time.
    pub status: Option<u16>,
    /// Attempts made (1 + retries).
    pub attempts: u32,
    /// The body of the last answer.
    pub body: String,
}

impl Delivery {
    pub fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The platform for one app. Cheap to clone.
#[derive(Clone)]
pub struct ForgePlatform {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ForgePlatform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ForgePlatform")
            .field("app_id", &self.inner.app_id)
            .finish_non_exhaustive()
    }
}

struct Inner {
    app_id: String,
    environment_id: String,
    /// The next key (published ahead, as key sets are, so that remotes hold it before the
    /// first token it signs), the key tokens are signed with, and the previous one (still
    /// published, so that tokens signed just before a rotation verify).
    keys: RwLock<Vec<SigningKey>>,
    remote: RwLock<String>,
    /// Where the platform's own router is reachable (for sites to hand it Jira events).
    own_url: RwLock<Option<String>>,
    installs: RwLock<HashMap<String, Installed>>,
    http: reqwest::Client,
    jwks_served: AtomicU64,
    retry_delay: Duration,
    /// Each resource's files by the resource's key, as deployed (see [`custom_ui`]).
    resources: RwLock<HashMap<&'static str, Arc<custom_ui::ResourceFiles>>>,
}

impl ForgePlatform {
    /// A platform for a new app delivering to the remote at `remote_base_url`.
    pub fn new(remote_base_url: &str) -> Result<Self, SandboxError> {
        Self::with_app_id(
            &format!("ari:cloud:ecosystem::app/{}", uuid_like()),
            remote_base_url,
        )
    }

    /// A platform for the app `app_id` (kept across restarts by a demo, so that the sites'
    /// installations stay its own).
    pub fn with_app_id(app_id: &str, remote_base_url: &str) -> Result<Self, SandboxError> {
        let app_uuid = app_id.rsplit('/').next().unwrap_or(app_id).to_owned();
        let http = reqwest::Client::builder()
            .timeout(DELIVERY_TIMEOUT)
            .build()
            .map_err(|e| SandboxError::Forge(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                app_id: app_id.to_owned(),
                environment_id: format!(
                    "ari:cloud:ecosystem::environment/{app_uuid}/{}",
                    uuid_like()
                ),
                keys: RwLock::new(vec![SigningKey::generate()?, SigningKey::generate()?]),
                remote: RwLock::new(remote_base_url.trim_end_matches('/').to_owned()),
                own_url: RwLock::new(None),
                installs: RwLock::new(HashMap::new()),
                http,
                jwks_served: AtomicU64::new(0),
                retry_delay: Duration::from_millis(200),
                resources: RwLock::new(HashMap::new()),
            }),
        })
    }

    /// The app id (`ari:cloud:ecosystem::app/UUID`): the remote's `[forge] app_id`.
    pub fn app_id(&self) -> &str {
        &self.inner.app_id
    }

    /// Points deliveries at another remote base URL.
    pub fn set_remote(&self, remote_base_url: &str) {
        *self
            .inner
            .remote
            .write()
            .unwrap_or_else(PoisonError::into_inner) =
            remote_base_url.trim_end_matches('/').to_owned();
    }

    /// Where [`ForgePlatform::router`] is served (e.g. `http://127.0.0.1:8080/sandbox/forge`);
    /// needed before installing, so that sites can hand the platform their Jira events.
    pub fn set_own_url(&self, url: &str) {
        *self
            .inner
            .own_url
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(url.trim_end_matches('/').to_owned());
    }

    /// The platform's routes: `GET /.well-known/jwks.json` (the remote's `[forge]
    /// jwks_url`), the relay sites hand Jira events to, and the app's console pages as
    /// Forge hosts them (`/`, `/ui/…`, see [`custom_ui`]).
    pub fn router(&self) -> Router {
        Router::new()
            .route("/.well-known/jwks.json", get(jwks))
            .route("/relay/{installation}", post(relay))
            .route("/", get(custom_ui::index))
            .route("/ui/{uuid}/{module}", get(custom_ui::page_root))
            .route("/ui/{uuid}/{module}/", get(custom_ui::page_index))
            .route("/ui/{uuid}/{module}/__invoke", post(custom_ui::invoke))
            .route("/ui/{uuid}/{module}/{*path}", get(custom_ui::file))
            .with_state(self.clone())
    }

    /// How often the JWKS was fetched.
    pub fn jwks_fetches(&self) -> u64 {
        self.inner.jwks_served.load(Ordering::Relaxed)
    }

    /// Rotates the signing key: new tokens are signed with the key published ahead, a new
    /// next key is published, the previous key stays published for tokens already under
    /// way and the one before is dropped.
    pub fn rotate_key(&self) -> Result<(), SandboxError> {
        let key = SigningKey::generate()?;
        let mut keys = self
            .inner
            .keys
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        keys.insert(0, key);
        keys.truncate(3);
        Ok(())
    }

    /// The key id tokens are signed with now.
    pub fn current_kid(&self) -> String {
        self.inner
            .keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(1)
            .map(|k| k.kid.clone())
            .unwrap_or_default()
    }

    /// The claims of an invocation token for `site`'s installation, the module `module`
    /// and (for a person's call) `principal`: what [`ForgePlatform::sign`] signs. Tests
    /// change them to forge tokens the remote must refuse.
    pub fn claims(&self, site: &ForgeSite, module: &str, principal: Option<&str>) -> Value {
        let now = now_ms() / 1000;
        let licence = self
            .inner
            .installs
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&site.installation_id)
            .and_then(|i| i.licence);
        let mut app = json!({
            "id": self.inner.app_id,
            "installationId": site.installation_id,
            "apiBaseUrl": site.api_base_url,
            "environment": {"type": "DEVELOPMENT", "id": self.inner.environment_id},
            "module": {"type": "core:endpoint", "key": module},
        });
        if let (Some(active), Some(map)) = (licence, app.as_object_mut()) {
            map.insert("license".to_owned(), json!({"isActive": active}));
        }
        let mut claims = json!({
            "iss": "forge/invocation-token",
            "aud": self.inner.app_id,
            "iat": now,
            "nbf": now,
            "exp": now + FIT_TTL_SECS,
            "jti": uuid_like(),
            "app": app,
            "context": {"cloudId": site.cloud_id, "moduleKey": module},
        });
        if let (Some(p), Some(map)) = (principal, claims.as_object_mut()) {
            map.insert("principal".to_owned(), json!(p));
        }
        claims
    }

    /// Signs `claims` with the current key.
    pub fn sign(&self, claims: &Value) -> Result<String, SandboxError> {
        self.sign_with_kid(claims, None)
    }

    /// Signs `claims` with the current key but names key `kid` in the header (`None`: the
    /// key's own id): how a test makes tokens whose key the JWKS does not have.
    pub fn sign_with_kid(&self, claims: &Value, kid: Option<&str>) -> Result<String, SandboxError> {
        let keys = self
            .inner
            .keys
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let key = keys
            .get(1)
            .ok_or_else(|| SandboxError::Forge("no signing key".to_owned()))?;
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.map_or_else(|| key.kid.clone(), str::to_owned));
        jsonwebtoken::encode(&header, claims, &key.private)
            .map_err(|e| SandboxError::Forge(format!("signing a token: {e}")))
    }

    /// An invocation token for `installation_id` (`None` when not installed).
    pub fn invocation_token(
        &self,
        installation_id: &str,
        module: &str,
        principal: Option<&str>,
    ) -> Option<String> {
        let site = self.installed(installation_id)?.forge;
        self.sign(&self.claims(&site, module, principal)).ok()
    }

    /// A fresh app system token for `installation_id`, accepted by its site for `ttl`.
    pub fn system_token(&self, installation_id: &str, ttl: Duration) -> Option<String> {
        let installed = self.installed(installation_id)?;
        installed
            .site
            .grant_forge_token(installation_id, None, ttl)
            .map(|(token, _)| token)
    }

    /// Sets the licence the installation's tokens carry (`None`: no licence information).
    pub fn set_licence(&self, installation_id: &str, licence: Option<bool>) {
        if let Some(i) = self
            .inner
            .installs
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(installation_id)
        {
            i.licence = licence;
        }
    }

    fn installed(&self, installation_id: &str) -> Option<Installed> {
        self.inner
            .installs
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(installation_id)
            .cloned()
    }

    /// Installs the app on `site` and delivers `avi:forge:installed:app`; the site then
    /// hands the platform its issue and comment events for the remote.
    pub async fn install(
        &self,
        site: &SandboxHandle,
    ) -> Result<(ForgeSite, Delivery), SandboxError> {
        let forge = site.install_forge_app(&self.inner.app_id);
        self.adopt(site, &forge);
        let delivery = self
            .lifecycle(&forge.installation_id, "avi:forge:installed:app")
            .await;
        Ok((forge, delivery))
    }

    /// The installation of this app on `site`, when it has one (a site's state survives a
    /// restart; the platform's memory does not).
    pub fn installation_on(&self, site: &SandboxHandle) -> Option<ForgeSite> {
        site.forge_installation(&self.inner.app_id)
    }

    /// Serves an installation `site` already has, without a lifecycle event: the site hands
    /// its events to the platform again, and deliveries carry tokens the site takes.
    pub fn adopt(&self, site: &SandboxHandle, forge: &ForgeSite) {
        let relay_secret = crate::routes::oauth::random_token("relay-");
        self.inner
            .installs
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                forge.installation_id.clone(),
                Installed {
                    site: site.clone(),
                    forge: forge.clone(),
                    licence: None,
                    relay_secret: relay_secret.clone(),
                },
            );
        let own = self
            .inner
            .own_url
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(own) = own {
            let uuid = forge.installation_id.rsplit('/').next().unwrap_or_default();
            site.register_webhook(
                &format!("{own}/relay/{uuid}"),
                &[
                    "jira:issue_created",
                    "jira:issue_updated",
                    "jira:issue_deleted",
                    "comment_created",
                    "comment_updated",
                ],
                None,
                Some(&relay_secret),
            );
        }
    }

    /// Installs again where the app was uninstalled (a new install event, same site).
    pub async fn reinstall(&self, installation_id: &str) -> Option<Delivery> {
        let installed = self.installed(installation_id)?;
        installed
            .site
            .reinstall_forge_app(&self.inner.app_id, installation_id);
        Some(
            self.lifecycle(installation_id, "avi:forge:installed:app")
                .await,
        )
    }

    /// Uninstalls: the site stops taking the app's tokens, and the remote is told.
    pub async fn uninstall(&self, installation_id: &str) -> Option<Delivery> {
        let installed = self.installed(installation_id)?;
        // The event is delivered while the installation is still known, as Forge does.
        let delivery = self
            .lifecycle(installation_id, "avi:forge:uninstalled:app")
            .await;
        installed.site.uninstall_forge_app(installation_id);
        Some(delivery)
    }

    /// The `fiveMinute` scheduled trigger of `installation_id`.
    pub async fn schedule(&self, installation_id: &str) -> Delivery {
        let body = json!({"context": {"cloudId": self.installed(installation_id).map(|i| i.forge.cloud_id)}});
        self.deliver(installation_id, SCHEDULE_PATH, "token-refresh", &body)
            .await
    }

    async fn lifecycle(&self, installation_id: &str, event_type: &str) -> Delivery {
        let cloud_id = self
            .installed(installation_id)
            .map(|i| i.forge.cloud_id)
            .unwrap_or_default();
        let body = json!({
            "eventType": event_type,
            "id": uuid_like(),
            "context": {"cloudId": cloud_id},
            "app": {"id": self.inner.app_id},
            "environment": {"id": self.inner.environment_id},
        });
        self.deliver(installation_id, LIFECYCLE_PATH, "lifecycle", &body)
            .await
    }

    /// Delivers `body` to the remote's `path` for `installation_id` as Forge delivers an
    /// event: POST, a fresh invocation token and system token on every attempt, 5 seconds
    /// to answer, up to four retries when the remote fails or does not answer (not on a
    /// 4xx, which no retry would change).
    pub async fn deliver(
        &self,
        installation_id: &str,
        path: &str,
        module: &str,
        body: &Value,
    ) -> Delivery {
        let url = format!(
            "{}{path}",
            self.inner
                .remote
                .read()
                .unwrap_or_else(PoisonError::into_inner)
        );
        let mut last = Delivery {
            status: None,
            attempts: 0,
            body: String::new(),
        };
        for attempt in 0..=DELIVERY_RETRIES {
            if attempt > 0 {
                tokio::time::sleep(self.inner.retry_delay * attempt).await;
            }
            last.attempts = attempt + 1;
            let (Some(fit), Some(system)) = (
                self.invocation_token(installation_id, module, None),
                self.system_token(installation_id, SYSTEM_TOKEN_TTL),
            ) else {
                last.body = "the app is not installed there".to_owned();
                return last;
            };
            let sent = self
                .inner
                .http
                .post(&url)
                .bearer_auth(fit)
                .header("x-forge-oauth-system", system)
                .json(body)
                .send()
                .await;
            match sent {
                Ok(response) => {
                    let status = response.status().as_u16();
                    last.status = Some(status);
                    last.body = response.text().await.unwrap_or_default();
                    if status < 500 && status != 429 {
                        return last;
                    }
                }
                Err(e) => {
                    last.status = None;
                    last.body = e.to_string();
                }
            }
        }
        last
    }
}

async fn jwks(State(platform): State<ForgePlatform>) -> Response {
    platform.inner.jwks_served.fetch_add(1, Ordering::Relaxed);
    let keys = platform
        .inner
        .keys
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .map(|k| k.public.clone())
        .collect();
    axum::Json(JwkSet { keys }).into_response()
}

/// A site's Jira webhook delivery for an installation, re-delivered to the remote in the
/// shape of a Forge Jira event.
async fn relay(
    State(platform): State<ForgePlatform>,
    Path(uuid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let installation_id = format!("ari:cloud:ecosystem::installation/{uuid}");
    let Some(installed) = platform.installed(&installation_id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let signed = headers
        .get("x-hub-signature")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|s| s == crate::webhook_signature(&installed.relay_secret, &body));
    if !signed {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Ok(webhook) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let Some(event) = forge_event(&webhook) else {
        return StatusCode::NO_CONTENT.into_response();
    };
    let delivery = platform
        .deliver(&installation_id, EVENTS_PATH, "jira-events", &event)
        .await;
    let status = delivery.status.unwrap_or(504);
    StatusCode::from_u16(status)
        .unwrap_or(StatusCode::BAD_GATEWAY)
        .into_response()
}

/// The Forge product event for a Jira webhook body (`None` for events Forge apps are not
/// sent in this shape).
fn forge_event(webhook: &Value) -> Option<Value> {
    let event_type = match webhook.get("webhookEvent")?.as_str()? {
        "jira:issue_created" => "avi:jira:created:issue",
        "jira:issue_updated" => "avi:jira:updated:issue",
        "jira:issue_deleted" => "avi:jira:deleted:issue",
        "comment_created" => "avi:jira:commented:issue",
        "comment_updated" => "avi:jira:updated:comment",
        _ => return None,
    };
    let mut event = json!({
        "eventType": event_type,
        "issue": webhook.get("issue").cloned().unwrap_or(Value::Null),
        "atlassianId": webhook.pointer("/user/accountId").cloned().unwrap_or(Value::Null),
    });
    let map = event.as_object_mut()?;
    for key in ["comment", "changelog", "timestamp"] {
        if let Some(v) = webhook.get(key) {
            map.insert(key.to_owned(), v.clone());
        }
    }
    Some(event)
}
