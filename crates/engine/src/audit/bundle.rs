//! The support bundle of one message: one JSON document with everything a supporter needs
//! to see what happened, and nothing they do not.
//!
//! ```json
//! {
//!   "format": "postroom-support-bundle", "version": 1,
//!   "created_at": "2026-11-23T10:00:00Z", "redacted": false,
//!   "message": { "intake": {…}, "result": {…} | null, "status": "created" },
//!   "report": { … } | null,
//!   "raw_mail": { "size": 1234, "base64": "…" } | { "missing": "why" },
//!   "profile": { "version": 3, "document": { … } } | null
//! }
//! ```
//!
//! The profile's secret-like values are replaced by `{"secret_ref": "<path>"}` always;
//! with `redact`, every address and display name becomes a consistent placeholder
//! ([`postroom_core::scrub::Placeholders`]) in the raw mail, the report and the profile.

use base64::Engine as _;
use postroom_core::scrub::{Placeholders, replace_secrets};
use postroom_store::TenantStore;
use serde_json::{Value, json};

use super::{Audit, AuditError};

/// The bundle's `format` field.
pub const BUNDLE_FORMAT: &str = "postroom-support-bundle";
/// The bundle's `version` field; raised when a field changes meaning.
pub const BUNDLE_VERSION: u32 = 1;

impl Audit {
    /// The bundle of message `id` (see the module documentation), as of `now_ms`.
    pub async fn bundle(
        &self,
        tenant: &TenantStore,
        id: &str,
        redact: bool,
        now_ms: i64,
    ) -> Result<Value, AuditError> {
        let entry = self.entry(tenant, id).await?;
        let mut report = self.report(tenant, id).await?;
        let (raw, mut raw_mail) = match self.raw(tenant, &entry).await {
            Ok(raw) => {
                let size = raw.len();
                (Some(raw), json!({ "size": size }))
            }
            Err(AuditError::NoRawMail { why, .. }) => (None, json!({ "missing": why })),
            Err(e) => return Err(e),
        };
        let mut profile = tenant.profile().await?.map(|stored| {
            let document =
                serde_json::from_str(&stored.document).unwrap_or(Value::String(stored.document));
            json!({ "version": stored.version, "document": document })
        });
        if let Some(profile) = &mut profile {
            replace_secrets(profile);
        }
        let mut message = json!({
            "intake": entry.intake,
            "result": entry.result,
            "status": entry.status().as_str(),
        });
        let raw = if redact {
            let mut placeholders = Placeholders::default();
            if let Some(bytes) = &raw {
                placeholders.learn_mail(bytes);
            }
            placeholders.json(&mut message);
            for value in [&mut report, &mut profile].into_iter().flatten() {
                placeholders.json(value);
            }
            raw.map(|bytes| placeholders.mail(&bytes))
        } else {
            raw
        };
        if let Some(bytes) = &raw {
            raw_mail["base64"] =
                Value::String(base64::engine::general_purpose::STANDARD.encode(bytes));
        }
        Ok(json!({
            "format": BUNDLE_FORMAT,
            "version": BUNDLE_VERSION,
            "created_at": rfc3339(now_ms),
            "redacted": redact,
            "tenant": tenant.id().as_str(),
            "message": message,
            "report": report,
            "raw_mail": raw_mail,
            "profile": profile,
        }))
    }
}

fn rfc3339(ms: i64) -> String {
    mail_parser::DateTime::from_timestamp(ms.div_euclid(1000)).to_rfc3339()
}
