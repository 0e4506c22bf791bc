//! The Jira account of each sender, as postroom last looked it up, so that the same
//! customer's next mail costs no lookup: under a rate limit a lookup per mail would cut
//! the mails postroom can carry to Jira by a third. Kept in the database rather than in
//! memory so that every instance and every restart shares one answer.
//!
//! Rows are found by the keyed hash of the address; the account (id and display name)
//! arrives sealed by the caller. A row without an account remembers that the lookup found
//! none. How long an answer is trusted is the caller's choice; [`TenantStore::forget_sender_accounts_before`]
//! removes what is older than any caller trusts.

use sqlx::Row;

use crate::{StoreError, TenantStore};

/// What the row remembers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// The one active Jira user with the address (or that there is none).
    User,
    /// The JSM customer account postroom made or found for the address.
    Customer,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::User => "user",
            AccountKind::Customer => "customer",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "user" => Ok(AccountKind::User),
            "customer" => Ok(AccountKind::Customer),
            other => Err(StoreError::Corrupt(format!(
                "sender_accounts.kind {other:?} is neither user nor customer"
            ))),
        }
    }
}

/// One remembered lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderAccount {
    pub kind: AccountKind,
    /// The account, sealed by the caller; `None`: the lookup found none.
    pub account: Option<Vec<u8>>,
    pub looked_up_at_ms: i64,
}

impl TenantStore {
    /// The remembered lookup of `kind` for the address `address_hash`, however old.
    pub async fn sender_account(
        &self,
        address_hash: &str,
        kind: AccountKind,
    ) -> Result<Option<SenderAccount>, StoreError> {
        let row = sqlx::query(
            "SELECT kind, account, looked_up_at_ms FROM sender_accounts \
             WHERE tenant_id = $1 AND address_hash = $2 AND kind = $3",
        )
        .bind(self.id().as_str())
        .bind(address_hash)
        .bind(kind.as_str())
        .fetch_optional(self.db().pool())
        .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    /// Every remembered lookup for the address (a person's data).
    pub async fn sender_accounts_of(
        &self,
        address_hash: &str,
    ) -> Result<Vec<SenderAccount>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, account, looked_up_at_ms FROM sender_accounts \
             WHERE tenant_id = $1 AND address_hash = $2 ORDER BY kind",
        )
        .bind(self.id().as_str())
        .bind(address_hash)
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(account_from_row).collect()
    }

    /// Remembers a lookup, replacing the one before.
    pub async fn remember_sender_account(
        &self,
        address_hash: &str,
        kind: AccountKind,
        account: Option<&[u8]>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sender_accounts (tenant_id, address_hash, kind, account, looked_up_at_ms) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, address_hash, kind) \
             DO UPDATE SET account = excluded.account, looked_up_at_ms = excluded.looked_up_at_ms",
        )
        .bind(self.id().as_str())
        .bind(address_hash)
        .bind(kind.as_str())
        .bind(account)
        .bind(now_ms)
        .execute(self.db().pool())
        .await?;
        Ok(())
    }

    /// Deletes every lookup made before `cutoff_ms`; returns how many went.
    pub async fn forget_sender_accounts_before(&self, cutoff_ms: i64) -> Result<u64, StoreError> {
        Ok(
            sqlx::query(
                "DELETE FROM sender_accounts WHERE tenant_id = $1 AND looked_up_at_ms < $2",
            )
            .bind(self.id().as_str())
            .bind(cutoff_ms)
            .execute(self.db().pool())
            .await?
            .rows_affected(),
        )
    }
}

fn account_from_row(row: &sqlx::any::AnyRow) -> Result<SenderAccount, StoreError> {
    Ok(SenderAccount {
        kind: AccountKind::parse(&row.try_get::<String, _>("kind")?)?,
        account: row.try_get("account")?,
        looked_up_at_ms: row.try_get("looked_up_at_ms")?,
    })
}
