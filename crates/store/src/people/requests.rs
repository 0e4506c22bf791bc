//! The record of each request about a person's data: who asked for what, when, and how
//! much was found or erased. It never says whose data: no address, no hash of one, no
//! account id of the person, so erasing them leaves nothing behind here.

use sqlx::Row;

use crate::{StoreError, TenantStore};

/// What was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PersonAction {
    Find,
    Export,
    Erase,
}

impl PersonAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Find => "find",
            Self::Export => "export",
            Self::Erase => "erase",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        Ok(match text {
            "find" => Self::Find,
            "export" => Self::Export,
            "erase" => Self::Erase,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "person_requests.action {other:?}"
                )));
            }
        })
    }
}

/// How the person was named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubjectKind {
    /// By e-mail address.
    Address,
    /// By Jira account id.
    Account,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Address => "address",
            Self::Account => "account",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        Ok(match text {
            "address" => Self::Address,
            "account" => Self::Account,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "person_requests.subject {other:?}"
                )));
            }
        })
    }
}

/// One request, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PersonRequest {
    pub id: String,
    pub action: PersonAction,
    pub subject: SubjectKind,
    /// Raw mails were scanned too.
    pub deep: bool,
    /// Who asked: `cli` (with the operating-system user when known) or the Jira account
    /// id of the administrator who asked through the API.
    pub requested_by: String,
    pub requested_at_ms: i64,
    /// Counts per kind of record (JSON): what was found, exported or erased.
    pub outcome: serde_json::Value,
}

impl TenantStore {
    pub async fn record_person_request(&self, request: &PersonRequest) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO person_requests (tenant_id, id, action, subject, deep, requested_by, \
             requested_at_ms, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(self.id().as_str())
        .bind(&request.id)
        .bind(request.action.as_str())
        .bind(request.subject.as_str())
        .bind(i64::from(request.deep))
        .bind(&request.requested_by)
        .bind(request.requested_at_ms)
        .bind(request.outcome.to_string())
        .execute(self.db().pool())
        .await?;
        Ok(())
    }

    /// The latest `limit` requests, newest first.
    pub async fn person_requests(&self, limit: i64) -> Result<Vec<PersonRequest>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, action, subject, deep, requested_by, requested_at_ms, outcome \
             FROM person_requests WHERE tenant_id = $1 \
             ORDER BY requested_at_ms DESC, id DESC LIMIT $2",
        )
        .bind(self.id().as_str())
        .bind(limit)
        .fetch_all(self.db().pool())
        .await?;
        rows.iter()
            .map(|r| {
                let outcome: String = r.try_get("outcome")?;
                Ok(PersonRequest {
                    id: r.try_get("id")?,
                    action: PersonAction::parse(&r.try_get::<String, _>("action")?)?,
                    subject: SubjectKind::parse(&r.try_get::<String, _>("subject")?)?,
                    deep: r.try_get::<i64, _>("deep")? != 0,
                    requested_by: r.try_get("requested_by")?,
                    requested_at_ms: r.try_get("requested_at_ms")?,
                    outcome: serde_json::from_str(&outcome).map_err(|e| {
                        StoreError::Corrupt(format!("person_requests.outcome: {e}"))
                    })?,
                })
            })
            .collect()
    }
}
