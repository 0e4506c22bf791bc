//! postroom's HTTP API for the benchmarks: the real router over a store and the tenants'
//! Jira, served on a loopback port of its own, as a browser or a script reaches it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use postroom::http::{self, AppState, Readiness};
use postroom::trackers::Trackers;
use postroom_store::Store;

/// GETs `url` with the API token `token`; the body's length (the call must succeed).
pub async fn get(client: &reqwest::Client, url: &str, token: &str) -> usize {
    let response = client.get(url).bearer_auth(token).send().await.unwrap();
    assert!(response.status().is_success(), "{url}: {response:?}");
    response.bytes().await.unwrap().len()
}

/// Serves the API over `store` with `trackers`, keys under `dir`; returns its base URL.
pub async fn serve(store: Store, trackers: Trackers, dir: &Path) -> String {
    let keyring = postroom_store::crypto::Keyring::new(
        postroom_store::crypto::KeyVault::new(dir.join("keys")),
        postroom_store::crypto::MasterKey::generate(),
        None,
    );
    let intake = postroom_engine::intake::Intake::new(
        keyring.clone(),
        postroom_store::blobs::BlobStore::open(&postroom_store::blobs::BlobConfig::Memory).unwrap(),
        1 << 20,
    );
    let webhooks = http::WebhookReceiver {
        intake: postroom_engine::webhooks::Webhooks::new(
            store.clone(),
            keyring.clone(),
            intake.committed(),
        ),
        secrets: http::WebhookSecrets::new(Default::default(), store.clone(), keyring),
        max_body_bytes: 1 << 20,
    };
    let router = http::router(AppState {
        store,
        readiness: Arc::new(Readiness::expecting(&[])),
        intake,
        trackers,
        upload_store_raw: true,
        retention: postroom_engine::retention::Policy::uniform(30),
        webhooks,
        metrics: http::MetricsAccess::default(),
        console: http::ConsoleSettings::default(),
        trusted_proxies: Vec::new().into(),
        usage_flags: true,
        operator_events: false,
        backups: None,
        outbound: Default::default(),
        profile: Default::default(),
        forge: None,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .ok();
    });
    base
}
