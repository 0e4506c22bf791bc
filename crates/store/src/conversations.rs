//! Conversations carried out in order: each message's place while it is in flight, and the
//! claim of the one worker that carries out a message of a conversation right now.
//!
//! See [`postroom_core::conversation`] for the rule. The store answers two questions
//! atomically enough for any number of workers and instances: "is an earlier message of
//! this conversation still waiting?" (a read of `conversation_places`) and "may I work on
//! this conversation now?" (one upsert on `conversation_claims`, whose primary key makes
//! two claimants of one conversation exclusive on SQLite and PostgreSQL alike).

use postroom_core::conversation::Place;
use sqlx::Row;

use crate::{StoreError, TenantStore, TenantTx};

/// Whether a worker may carry out a message of a conversation now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The conversation is this message's until its result is committed.
    Ours,
    /// Another message of the conversation (this intake id) is being carried out.
    HeldBy(String),
    /// Claimed and released by others while this one asked: ask again shortly.
    Busy,
}

impl TenantTx {
    /// Records where the message `intake_id` stands, in the intake's commit.
    pub async fn record_place(
        &mut self,
        intake_id: &str,
        place: &Place,
        received_at_ms: i64,
    ) -> Result<(), StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        sqlx::query(
            "INSERT INTO conversation_places (tenant_id, intake_id, message_key, thread_key, \
             depth, sent_at_ms, received_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id, intake_id) DO NOTHING",
        )
        .bind(tenant)
        .bind(intake_id)
        .bind(place.message.as_deref())
        .bind(&place.thread)
        .bind(place.depth)
        .bind(place.sent_at_ms)
        .bind(received_at_ms)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Ends the message's part in its conversation, in the commit of its result: its claim
    /// goes, and so does its place unless `keep_place` (a message held for review still comes
    /// before the replies to it).
    pub async fn settle_place(
        &mut self,
        intake_id: &str,
        keep_place: bool,
    ) -> Result<(), StoreError> {
        let tenant = self.tenant().as_str().to_owned();
        sqlx::query("DELETE FROM conversation_claims WHERE tenant_id = $1 AND intake_id = $2")
            .bind(&tenant)
            .bind(intake_id)
            .execute(self.conn())
            .await?;
        if !keep_place {
            sqlx::query("DELETE FROM conversation_places WHERE tenant_id = $1 AND intake_id = $2")
                .bind(&tenant)
                .bind(intake_id)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }
}

impl TenantStore {
    /// The intake id of a message that must be carried out before `intake_id` (whose place
    /// is `place`, taken in at `received_at_ms`): one of the same conversation that comes
    /// earlier in its order, or one that this message answers. `None` when nothing is in
    /// the way.
    pub async fn earlier_in_conversation(
        &self,
        intake_id: &str,
        place: &Place,
        received_at_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        let (depth, sent) = place.order();
        // One round trip: an earlier mail of the thread, or one this mail answers.
        let parents: Vec<String> = (0..place.parents.len())
            .map(|i| format!("${}", i + 7))
            .collect();
        let answered = if parents.is_empty() {
            String::new()
        } else {
            format!(" OR message_key IN ({})", parents.join(", "))
        };
        let sql = format!(
            "SELECT intake_id FROM conversation_places WHERE tenant_id = $1 \
             AND intake_id <> $2 AND ((thread_key = $3 \
             AND (depth, sent_at_ms, received_at_ms, intake_id) < ($4, $5, $6, $2)){answered}) \
             LIMIT 1"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.id().as_str())
            .bind(intake_id)
            .bind(&place.thread)
            .bind(depth)
            .bind(sent)
            .bind(received_at_ms);
        for parent in &place.parents {
            query = query.bind(parent);
        }
        let row = query.fetch_optional(self.db().pool()).await?;
        Ok(row.map(|r| r.try_get("intake_id")).transpose()?)
    }

    /// Claims the conversation `thread_key` for the message `intake_id`, committed at once.
    /// The claim is this message's when it is new or its own from an earlier attempt; a
    /// claim made before `stale_before_ms` is taken over (its worker is gone for good).
    pub async fn claim_conversation(
        &self,
        thread_key: &str,
        intake_id: &str,
        now_ms: i64,
        stale_before_ms: i64,
    ) -> Result<Claim, StoreError> {
        // The holder can settle between the upsert and the read of who holds it; a second
        // round then finds the conversation free.
        for _ in 0..2 {
            let row = sqlx::query(
                "INSERT INTO conversation_claims (tenant_id, thread_key, intake_id, \
                 claimed_at_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, thread_key) \
                 DO UPDATE SET intake_id = excluded.intake_id, \
                 claimed_at_ms = excluded.claimed_at_ms \
                 WHERE conversation_claims.intake_id = excluded.intake_id \
                 OR conversation_claims.claimed_at_ms < $5 RETURNING intake_id",
            )
            .bind(self.id().as_str())
            .bind(thread_key)
            .bind(intake_id)
            .bind(now_ms)
            .bind(stale_before_ms)
            .fetch_optional(self.db().pool())
            .await?;
            if row.is_some() {
                return Ok(Claim::Ours);
            }
            let holder = sqlx::query(
                "SELECT intake_id FROM conversation_claims \
                 WHERE tenant_id = $1 AND thread_key = $2",
            )
            .bind(self.id().as_str())
            .bind(thread_key)
            .fetch_optional(self.db().pool())
            .await?;
            if let Some(row) = holder {
                return Ok(Claim::HeldBy(row.try_get("intake_id")?));
            }
        }
        Ok(Claim::Busy)
    }

    /// Deletes places and claims left behind by messages taken in before `cutoff_ms`
    /// (a message whose job died for good never settles its place); returns how many.
    pub async fn purge_conversations_before(&self, cutoff_ms: i64) -> Result<u64, StoreError> {
        let places = sqlx::query(
            "DELETE FROM conversation_places WHERE tenant_id = $1 AND received_at_ms < $2",
        )
        .bind(self.id().as_str())
        .bind(cutoff_ms)
        .execute(self.db().pool())
        .await?;
        let claims = sqlx::query(
            "DELETE FROM conversation_claims WHERE tenant_id = $1 AND claimed_at_ms < $2",
        )
        .bind(self.id().as_str())
        .bind(cutoff_ms)
        .execute(self.db().pool())
        .await?;
        Ok(places.rows_affected() + claims.rows_affected())
    }
}
