//! AWS KMS through its JSON API: the key service of a fleet.
//!
//! Each tenant gets a customer-managed KMS key of its own, and its data key is kept wrapped
//! by that key (the wrapped bytes in the database, see `kms_keys`). Every instance asks KMS
//! to unwrap it once and keeps the result in memory, so no instance needs a shared disk,
//! and erasing a tenant is `DisableKey` then `ScheduleKeyDeletion`: from the first call on,
//! no copy of the database or the bucket, however old, can be opened again.
//!
//! Only the six operations postroom uses are spoken, each one signed with SigV4 by
//! `object_store`'s signer (the crate the S3 blob store already uses), instead of the AWS
//! SDK and its sixty crates for the same six calls.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use object_store::aws::{AwsAuthorizer, AwsCredential};
use object_store::client::{HttpClient, HttpRequest, HttpRequestBody};
use postroom_core::tenant::TenantId;
use serde_json::{Value, json};

/// KMS waits at least this many days between `ScheduleKeyDeletion` and the deletion; the
/// key is disabled throughout, which is what makes the erasure immediate.
pub const DELETION_WINDOW_DAYS: u32 = 7;

/// The encryption-context key that binds a wrapped data key to its tenant: KMS refuses to
/// unwrap it under any other tenant's name.
const CONTEXT_KEY: &str = "postroom-tenant";

/// Where KMS is and who postroom is to it.
#[derive(Clone)]
pub struct KmsSettings {
    pub region: String,
    /// `https://kms.REGION.amazonaws.com` when unset; a local endpoint (moto) in tests.
    pub endpoint: Option<String>,
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for KmsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmsSettings")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

/// Why a KMS call failed, with KMS's own error type (`DisabledException`,
/// `KMSInvalidStateException`, `AccessDeniedException`...) when it answered.
#[derive(Debug, thiserror::Error)]
pub enum KmsError {
    #[error("KMS {operation} could not be sent: {message}")]
    Transport {
        operation: &'static str,
        message: String,
    },
    #[error("KMS {operation} refused: {kind}: {message}")]
    Refused {
        operation: &'static str,
        kind: String,
        message: String,
    },
    #[error("KMS {operation} answered something unexpected: {message}")]
    Answer {
        operation: &'static str,
        message: String,
    },
}

impl KmsError {
    /// KMS's error type, e.g. `DisabledException` for a key disabled by an erasure.
    pub fn kind(&self) -> Option<&str> {
        match self {
            Self::Refused { kind, .. } => Some(kind),
            _ => None,
        }
    }
}

/// A KMS client for one region. Cheap to clone.
#[derive(Clone)]
pub struct Kms {
    http: HttpClient,
    endpoint: String,
    region: String,
    credential: std::sync::Arc<AwsCredential>,
}

impl std::fmt::Debug for Kms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kms")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Kms {
    pub fn new(settings: &KmsSettings) -> Result<Self, KmsError> {
        let credential = AwsCredential {
            key_id: settings.access_key_id.clone(),
            secret_key: settings.secret_access_key.clone(),
            token: None,
        };
        let endpoint = settings
            .endpoint
            .clone()
            .unwrap_or_else(|| format!("https://kms.{}.amazonaws.com", settings.region));
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| KmsError::Transport {
                operation: "client",
                message: e.to_string(),
            })?;
        Ok(Self {
            http: HttpClient::new(client),
            endpoint: endpoint.trim_end_matches('/').to_owned() + "/",
            region: settings.region.clone(),
            credential: std::sync::Arc::new(credential),
        })
    }

    /// Makes the tenant's own key; returns its ARN.
    pub async fn create_key(&self, tenant: &TenantId) -> Result<String, KmsError> {
        let answer = self
            .call(
                "CreateKey",
                json!({
                    "Description": format!("postroom: the data key wrapper of site {tenant}"),
                    "KeyUsage": "ENCRYPT_DECRYPT",
                    "KeySpec": "SYMMETRIC_DEFAULT",
                    "Tags": [{"TagKey": CONTEXT_KEY, "TagValue": tenant.as_str()}],
                }),
            )
            .await?;
        string_at(&answer, "CreateKey", &["KeyMetadata", "Arn"])
    }

    /// Wraps `plaintext` (a data key) under `key`, bound to `tenant`.
    pub async fn encrypt(
        &self,
        key: &str,
        tenant: &TenantId,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, KmsError> {
        let body = json!({
            "KeyId": key,
            "Plaintext": BASE64.encode(plaintext),
            "EncryptionContext": context(tenant),
        });
        self.bytes("Encrypt", body, "CiphertextBlob").await
    }

    /// Unwraps what [`Kms::encrypt`] made; refused (`DisabledException`) once the key is
    /// disabled.
    pub async fn decrypt(
        &self,
        key: &str,
        tenant: &TenantId,
        wrapped: &[u8],
    ) -> Result<Vec<u8>, KmsError> {
        let body = json!({
            "KeyId": key,
            "CiphertextBlob": BASE64.encode(wrapped),
            "EncryptionContext": context(tenant),
        });
        self.bytes("Decrypt", body, "Plaintext").await
    }

    /// Re-wraps under the key's current backing material (after KMS rotated it) without
    /// the data key ever leaving KMS.
    pub async fn re_encrypt(
        &self,
        key: &str,
        tenant: &TenantId,
        wrapped: &[u8],
    ) -> Result<Vec<u8>, KmsError> {
        let body = json!({
            "CiphertextBlob": BASE64.encode(wrapped),
            "SourceKeyId": key,
            "SourceEncryptionContext": context(tenant),
            "DestinationKeyId": key,
            "DestinationEncryptionContext": context(tenant),
        });
        self.bytes("ReEncrypt", body, "CiphertextBlob").await
    }

    /// A call whose answer is one base64 field.
    async fn bytes(
        &self,
        operation: &'static str,
        body: Value,
        field: &str,
    ) -> Result<Vec<u8>, KmsError> {
        let answer = self.call(operation, body).await?;
        let text = string_at(&answer, operation, &[field])?;
        BASE64.decode(text).map_err(|e| KmsError::Answer {
            operation,
            message: format!("{field} is not base64: {e}"),
        })
    }

    pub async fn disable_key(&self, key: &str) -> Result<(), KmsError> {
        self.call("DisableKey", json!({ "KeyId": key })).await?;
        Ok(())
    }

    /// Schedules the key's deletion after [`DELETION_WINDOW_DAYS`]; a key already pending
    /// deletion is left as it is, so an interrupted erasure can be run again.
    pub async fn schedule_key_deletion(&self, key: &str) -> Result<(), KmsError> {
        let result = self
            .call(
                "ScheduleKeyDeletion",
                json!({ "KeyId": key, "PendingWindowInDays": DELETION_WINDOW_DAYS }),
            )
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == Some("KMSInvalidStateException") => {
                if self.key_state(key).await? == "PendingDeletion" {
                    Ok(())
                } else {
                    Err(e)
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The key's state as KMS reports it: `Enabled`, `Disabled`, `PendingDeletion`...
    pub async fn key_state(&self, key: &str) -> Result<String, KmsError> {
        let answer = self.call("DescribeKey", json!({ "KeyId": key })).await?;
        string_at(&answer, "DescribeKey", &["KeyMetadata", "KeyState"])
    }

    async fn call(&self, operation: &'static str, body: Value) -> Result<Value, KmsError> {
        let transport = |message: String| KmsError::Transport { operation, message };
        let body = serde_json::to_vec(&body).map_err(|e| transport(e.to_string()))?;
        let mut request = HttpRequest::new(HttpRequestBody::from(body));
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = self
            .endpoint
            .parse()
            .map_err(|e: http::uri::InvalidUri| transport(e.to_string()))?;
        let headers = request.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        headers.insert(
            "x-amz-target",
            http::HeaderValue::try_from(format!("TrentService.{operation}"))
                .map_err(|e| transport(e.to_string()))?,
        );
        AwsAuthorizer::new(&self.credential, "kms", &self.region)
            .try_authorize(&mut request, None)
            .map_err(|e| transport(e.to_string()))?;
        let response = self
            .http
            .execute(request)
            .await
            .map_err(|e| transport(e.to_string()))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .bytes()
            .await
            .map_err(|e| transport(e.to_string()))?;
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(answer);
        }
        let kind = answer
            .get("__type")
            .and_then(Value::as_str)
            .map(|t| t.rsplit('#').next().unwrap_or(t).to_owned())
            .unwrap_or_else(|| format!("HTTP {status}"));
        let message = ["message", "Message"]
            .iter()
            .find_map(|k| answer.get(*k).and_then(Value::as_str))
            .unwrap_or_default()
            .to_owned();
        Err(KmsError::Refused {
            operation,
            kind,
            message,
        })
    }
}

fn context(tenant: &TenantId) -> BTreeMap<&'static str, &str> {
    BTreeMap::from([(CONTEXT_KEY, tenant.as_str())])
}

fn string_at(answer: &Value, operation: &'static str, path: &[&str]) -> Result<String, KmsError> {
    path.iter()
        .try_fold(answer, |value, key| value.get(*key))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| KmsError::Answer {
            operation,
            message: format!("no {}", path.join(".")),
        })
}
