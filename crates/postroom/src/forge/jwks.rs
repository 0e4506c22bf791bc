//! Forge's signing keys, fetched from its JWKS and kept by key id.
//!
//! A token with a key id not held makes one fetch, and then no other for a minute: Forge
//! rotates keys rarely, and a stranger sending tokens with made-up key ids must not be able
//! to make postroom hammer Atlassian's CDN (or wait on it) once per request.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::JwkSet;

/// The least time between two fetches.
pub const REFETCH_AFTER: Duration = Duration::from_secs(60);

/// Why no key could be had for a token.
#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    #[error("no key {0:?} in Forge's JWKS")]
    UnknownKey(String),
    #[error("Forge's JWKS cannot be read now: {0}")]
    Fetch(String),
}

/// The keys of one JWKS URL. Cheap to clone; clones share the keys.
#[derive(Debug, Clone)]
pub struct Jwks {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    url: String,
    http: reqwest::Client,
    keys: RwLock<HashMap<String, DecodingKey>>,
    /// When the last fetch started; held while fetching, so concurrent misses share one.
    last_fetch: tokio::sync::Mutex<Option<Instant>>,
    fetches: AtomicU64,
}

impl Jwks {
    pub fn new(url: String) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .user_agent(concat!("postroom/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self {
            inner: Arc::new(Inner {
                url,
                http,
                keys: RwLock::new(HashMap::new()),
                last_fetch: tokio::sync::Mutex::new(None),
                fetches: AtomicU64::new(0),
            }),
        }
    }

    /// How many times the JWKS was fetched.
    pub fn fetches(&self) -> u64 {
        self.inner.fetches.load(Ordering::Relaxed)
    }

    /// The key `kid`: held, or fetched when the last fetch is more than a minute old.
    pub async fn key(&self, kid: &str) -> Result<DecodingKey, JwksError> {
        if let Some(key) = self.held(kid) {
            return Ok(key);
        }
        let mut last = self.inner.last_fetch.lock().await;
        // Another request may have fetched while this one waited for the lock.
        if let Some(key) = self.held(kid) {
            return Ok(key);
        }
        if last.is_some_and(|at| at.elapsed() < REFETCH_AFTER) {
            return Err(JwksError::UnknownKey(kid.to_owned()));
        }
        *last = Some(Instant::now());
        self.fetch().await?;
        self.held(kid)
            .ok_or_else(|| JwksError::UnknownKey(kid.to_owned()))
    }

    fn held(&self, kid: &str) -> Option<DecodingKey> {
        self.inner
            .keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(kid)
            .cloned()
    }

    /// Replaces the held keys with the JWKS's RSA keys (keys Forge dropped are dropped).
    async fn fetch(&self) -> Result<(), JwksError> {
        self.inner.fetches.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("postroom_forge_jwks_fetches_total").increment(1);
        let fail = |e: &dyn std::fmt::Display| JwksError::Fetch(e.to_string());
        let response = self
            .inner
            .http
            .get(&self.inner.url)
            .send()
            .await
            .map_err(|e| fail(&e.without_url()))?;
        if !response.status().is_success() {
            return Err(fail(&format!("HTTP {}", response.status().as_u16())));
        }
        let set: JwkSet = response.json().await.map_err(|e| fail(&e.without_url()))?;
        let keys: HashMap<String, DecodingKey> = set
            .keys
            .iter()
            .filter_map(|jwk| {
                let kid = jwk.common.key_id.clone()?;
                DecodingKey::from_jwk(jwk).ok().map(|key| (kid, key))
            })
            .collect();
        tracing::info!(keys = keys.len(), "Forge's signing keys fetched");
        *self
            .inner
            .keys
            .write()
            .unwrap_or_else(PoisonError::into_inner) = keys;
        Ok(())
    }
}
