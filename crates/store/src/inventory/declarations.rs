//! The declarations themselves. A new table, column or blob kind is declared here in the
//! same change that creates it; the drift test enforces that.

use super::{BlobDecl, ColumnDecl, FileDecl, Protection, SentDecl, TableDecl};
use crate::blobs::BlobKind;

const fn col(name: &'static str, holds: &'static str, protection: Protection) -> ColumnDecl {
    ColumnDecl {
        name,
        holds,
        protection,
    }
}

/// Every table of the schema, children before the tables they reference, so erasure can
/// delete in this order.
pub const TABLES: &[TableDecl] = &[
    TableDecl {
        name: "api_tokens",
        what: "API tokens: account id, name, scope, creation time",
        protection: "only a SHA-256 hash of the token",
        kept: "until revoked or tenant erase",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("id", "token id (random)", Protection::None),
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "account_id",
                "Jira account id the token acts as",
                Protection::Clear,
            ),
            col("name", "operator's label for the token", Protection::Clear),
            col("scope", "admin or agent", Protection::None),
            col("token_hash", "SHA-256 of the token", Protection::Hash),
            col("created_at_ms", "creation time", Protection::None),
        ],
    },
    TableDecl {
        name: "access_log",
        what: "access log: time, method, route, status, tenant, account id, IP",
        protection: "IP truncated (/24, /48); no tokens, paths with ids or bodies",
        kept: "7 days",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("id", "row id", Protection::None),
            col("at_ms", "request time", Protection::None),
            col("method", "HTTP method", Protection::None),
            col("route", "matched route template", Protection::None),
            col("status", "HTTP status", Protection::None),
            col("tenant_id", "tenant of the token, if any", Protection::None),
            col(
                "account_id",
                "Jira account id of the token, if any",
                Protection::Clear,
            ),
            col("ip", "client network", Protection::Truncated),
        ],
    },
    TableDecl {
        name: "console_sessions",
        what: "console sessions: account id, how it signed in, start, last use, end; for a \
               sign-in through Jira, its OAuth tokens, to check the access still stands",
        protection: "only a SHA-256 hash of the session cookie; the OAuth tokens sealed",
        kept: "idle timeout (console.session_idle_minutes), at most 12 hours; sign-out, or a \
               grant the provider no longer honours, ends it",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("id_hash", "SHA-256 of the session cookie", Protection::Hash),
            col("tenant_id", "owning tenant", Protection::None),
            col("account_id", "Jira account id signed in", Protection::Clear),
            col("via", "link or oauth", Protection::None),
            col("created_at_ms", "sign-in time", Protection::None),
            col("last_seen_ms", "last use (idle timeout)", Protection::None),
            col(
                "expires_at_ms",
                "end of its absolute lifetime",
                Protection::None,
            ),
            col(
                "grant_sealed",
                "OAuth access and refresh token of a sign-in through Jira",
                Protection::Encrypted,
            ),
            col(
                "checked_at_ms",
                "when the provider last confirmed the grant",
                Protection::None,
            ),
        ],
    },
    TableDecl {
        name: "person_requests",
        what: "requests about a person's data (find, export, erase): who asked, when, how much was found or erased",
        protection: "never whose data: no address, no hash of one, no account id of the person",
        kept: "until tenant erase (the record that a request was answered)",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col("id", "request id (random)", Protection::None),
            col("action", "find, export or erase", Protection::None),
            col(
                "subject",
                "whether an address or an account id was named",
                Protection::None,
            ),
            col("deep", "whether raw mail was scanned too", Protection::None),
            col(
                "requested_by",
                "who asked: cli, or the Jira account id of the administrator",
                Protection::Clear,
            ),
            col("requested_at_ms", "when", Protection::None),
            col("outcome", "counts per kind of record", Protection::None),
        ],
    },
    TableDecl {
        name: "console_links",
        what: "one-time console sign-in links: account id, creation and expiry",
        protection: "only a SHA-256 hash of the link's token",
        kept: "10 minutes, or until used once",
        tenant_column: Some("tenant_id"),
        columns: &[
            col(
                "token_hash",
                "SHA-256 of the link's token",
                Protection::Hash,
            ),
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "account_id",
                "Jira account id the link signs in",
                Protection::Clear,
            ),
            col("created_at_ms", "creation time", Protection::None),
            col("expires_at_ms", "expiry (10 minutes)", Protection::None),
        ],
    },
    TableDecl {
        name: "inbound_attempts",
        what: "messages for which a Jira write may have been sent but no result is recorded yet",
        protection: "ids and times only",
        kept: "until the message's result is recorded",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col("intake_id", "the intake row it is about", Protection::None),
            col(
                "started_at_ms",
                "when the first write was about to be sent",
                Protection::None,
            ),
        ],
    },
    TableDecl {
        name: "conversation_places",
        what: "where each message not carried out yet stands in its conversation, so that \
               the mails of one conversation are carried out in order",
        protection: "Message-IDs only as keyed hashes",
        kept: "until the message's result is recorded (held mail: until released); \
               at most the intake period",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col("intake_id", "the intake row it is about", Protection::None),
            col(
                "message_key",
                "keyed hash of the message's Message-ID",
                Protection::KeyedHash,
            ),
            col(
                "thread_key",
                "keyed hash of the conversation's first Message-ID",
                Protection::KeyedHash,
            ),
            col(
                "depth",
                "how many messages came before it",
                Protection::None,
            ),
            col("sent_at_ms", "the message's Date", Protection::None),
            col("received_at_ms", "when it was taken in", Protection::None),
        ],
    },
    TableDecl {
        name: "conversation_claims",
        what: "which message of a conversation a worker is carrying out now",
        protection: "Message-IDs only as keyed hashes",
        kept: "until that message's result is recorded; at most the intake period",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "thread_key",
                "keyed hash of the conversation's first Message-ID",
                Protection::KeyedHash,
            ),
            col(
                "intake_id",
                "the message being carried out",
                Protection::None,
            ),
            col("claimed_at_ms", "when the worker took it", Protection::None),
        ],
    },
    TableDecl {
        name: "profile_versions",
        what: "every saved version of the tenant's profile, with who saved it and when, to compare and restore",
        protection: "the site's own configuration, as the profile; secrets only as references; who saved it as a Jira account id",
        kept: "365 days or the last 50 versions, whichever keeps more (pruned by the retention job); the account id is erased with the person",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col("version", "the profile's version number", Protection::None),
            col(
                "document",
                "profile JSON of that version (postroom's own addresses, rules, settings)",
                Protection::Clear,
            ),
            col(
                "saved_by",
                "Jira account id of the console or API caller who saved it, or cli, config, sandbox",
                Protection::Clear,
            ),
            col("saved_at_ms", "when it was saved", Protection::None),
        ],
    },
    TableDecl {
        name: "profiles",
        what: "the tenant's profile document: own addresses, routing rules, thresholds",
        protection: "the site's own configuration; secrets only as references",
        kept: "until changed or tenant erase",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "document",
                "profile JSON (postroom's own addresses, rules, settings)",
                Protection::Clear,
            ),
            col("version", "number of imports so far", Protection::None),
            col("updated_at_ms", "time of the last import", Protection::None),
        ],
    },
    TableDecl {
        name: "thread_map",
        what: "Message-ID to issue key, for threading replies",
        protection: "Message-IDs only as keyed hashes; an issue's root Message-ID sealed",
        kept: "until tenant erase",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "id_hash",
                "keyed hash of a Message-ID",
                Protection::KeyedHash,
            ),
            col("issue_key", "Jira issue key", Protection::None),
            col(
                "root_message_id",
                "Message-ID of the mail that created the issue",
                Protection::Encrypted,
            ),
            col(
                "created_at_ms",
                "when the mapping was made",
                Protection::None,
            ),
        ],
    },
    TableDecl {
        name: "inbound_results",
        what: "processing report per message: status, issue, comment, rules fired",
        protection: "report sealed (it names sender and subject); sender as keyed hash",
        kept: "30 days (`[inbound] retention_days`)",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "intake_id",
                "the intake row (and raw mail) it is about",
                Protection::None,
            ),
            col(
                "status",
                "created, commented, ignored, held, rejected or failed",
                Protection::None,
            ),
            col(
                "issue_key",
                "issue created or commented on",
                Protection::None,
            ),
            col("comment_id", "comment posted", Protection::None),
            col(
                "sender_hash",
                "keyed hash of the sender's address",
                Protection::KeyedHash,
            ),
            col(
                "report",
                "processing report: classification, rules, action, Jira's answer",
                Protection::Encrypted,
            ),
            col("processed_at_ms", "when it was processed", Protection::None),
        ],
    },
    TableDecl {
        name: "intake_recipients",
        what: "the site's own addresses each message was delivered to, as the SMTP or LMTP \
               envelope said, so that routing knows a Bcc to an own address and every own \
               address a deduplicated message reached",
        protection: "only the site's own addresses (a recipient the profile does not call own is not kept)",
        kept: "as long as the message's intake row",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col("intake_id", "the intake row it is about", Protection::None),
            col(
                "address",
                "an own address of the site (configuration, not a person's)",
                Protection::Clear,
            ),
        ],
    },
    TableDecl {
        name: "intake",
        what: "intake: which mailbox or listener took a message in, when, its size, and refusals with their reason",
        protection: "no content: the raw mail is an encrypted blob; dedupe by SHA-256 of the Message-ID and of a content digest",
        kept: "30 days (`[inbound] retention_days`)",
        tenant_column: Some("tenant_id"),
        columns: &[
            col(
                "id",
                "intake id (random; names the raw-mail blob)",
                Protection::None,
            ),
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "mailbox",
                "configured mailbox or listener name",
                Protection::None,
            ),
            col(
                "source",
                "listener, upload, file or mailbox",
                Protection::None,
            ),
            col(
                "dedupe_hash",
                "SHA-256 of the Message-ID's hash and the content digest (From, Date, Subject, decoded parts)",
                Protection::Hash,
            ),
            col(
                "message_id_sha256",
                "SHA-256 of the Message-ID, to warn about a reused one",
                Protection::Hash,
            ),
            col("size", "message size in bytes", Protection::None),
            col("status", "queued or refused", Protection::None),
            col(
                "reason",
                "why it was refused (no personal data)",
                Protection::None,
            ),
            col("received_at_ms", "time taken in", Protection::None),
            col(
                "store_raw",
                "1 when the raw mail is kept for the retention period, 0 when it is deleted once processed",
                Protection::None,
            ),
        ],
    },
    TableDecl {
        name: "jobs",
        what: "the job queue: kind, payload, schedule, lease, attempts, last error (dead jobs stay)",
        protection: "payload opaque bytes: a job kind whose payload is personal seals it with the tenant key before enqueueing; last_error must hold no personal data",
        kept: "until done (deleted); dead jobs until retried or tenant erase",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("id", "job id", Protection::None),
            col("tenant_id", "owning tenant", Protection::None),
            col("kind", "job kind", Protection::None),
            col(
                "payload",
                "job input, sealed by its kind when personal",
                Protection::Clear,
            ),
            col(
                "idempotency_key",
                "key of the job's effect",
                Protection::None,
            ),
            col("state", "ready or dead", Protection::None),
            col("run_at_ms", "when it may run", Protection::None),
            col("locked_until_ms", "lease expiry", Protection::None),
            col("lease_seq", "lease generation", Protection::None),
            col("attempts", "attempts so far", Protection::None),
            col(
                "last_error",
                "last failure, without personal data",
                Protection::Clear,
            ),
            col("created_at_ms", "enqueue time", Protection::None),
            col(
                "priority",
                "0 live, 1 bulk import (handed out after live work)",
                Protection::None,
            ),
        ],
    },
    TableDecl {
        name: "job_done",
        what: "idempotency keys of jobs whose effect is recorded",
        protection: "keys are ids and hashes, no personal data",
        kept: "30 days",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col("idempotency_key", "key of a done effect", Protection::None),
            col("done_at_ms", "completion time", Protection::None),
        ],
    },
    TableDecl {
        name: "job_turns",
        what: "when each tenant was last served by the queue (fairness)",
        protection: "counters only",
        kept: "until tenant erase",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "tenant", Protection::None),
            col("served_seq", "turn counter", Protection::None),
        ],
    },
    TableDecl {
        name: "job_recurring",
        what: "recurring jobs declared per tenant (retention purges, sweeps)",
        protection: "settings only",
        kept: "until tenant erase",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "tenant", Protection::None),
            col("name", "recurring job name", Protection::None),
            col("kind", "job kind", Protection::None),
            col("payload", "job input (settings)", Protection::None),
            col("period_ms", "period", Protection::None),
            col("next_run_at_ms", "next due time", Protection::None),
        ],
    },
    TableDecl {
        name: "mailbox_state",
        what: "IMAP mailboxes: UIDVALIDITY and last UID read, which instance polls each, how the latest poll went",
        protection: "no personal data: the mailbox is named by the operator's label",
        kept: "while the mailbox exists",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "mailbox",
                "operator's name for the mailbox",
                Protection::Clear,
            ),
            col(
                "uid_validity",
                "IMAP UIDVALIDITY of the folder",
                Protection::None,
            ),
            col("last_uid", "last UID taken in", Protection::None),
            col(
                "lease_holder",
                "instance polling the mailbox",
                Protection::None,
            ),
            col("lease_until_ms", "lease expiry", Protection::None),
            col("updated_at_ms", "last change", Protection::None),
            col(
                "problem",
                "what went wrong in the latest poll: a fixed phrase, never a server's words",
                Protection::None,
            ),
            col("problem_at_ms", "since when", Protection::None),
            col("waiting", "messages not taken in yet", Protection::None),
        ],
    },
    TableDecl {
        name: "send_counters",
        what: "per-recipient rate counters of postroom's own mail (hourly caps)",
        protection: "recipient as keyed hash only",
        kept: "24 hours",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col("kind", "acknowledgement", Protection::None),
            col(
                "recipient_hash",
                "keyed hash of the recipient's address",
                Protection::KeyedHash,
            ),
            col(
                "last_at_ms",
                "when the last mail was decided",
                Protection::None,
            ),
        ],
    },
    TableDecl {
        name: "tenant_keys",
        what: "each site's data key as AWS KMS wrapped it, when `[keys.kms]` keeps the keys (a fleet); the vault directory holds them otherwise",
        protection: "the data key opens only through the site's own KMS key, which erasing the site disables",
        kept: "while the site exists; its KMS key is disabled and scheduled for deletion first, then the row goes with the site",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col("kms_key", "the ARN of the site's KMS key", Protection::None),
            col(
                "wrapped",
                "the site's data key, wrapped by its KMS key",
                Protection::WrappedByKms,
            ),
            col("created_at_ms", "when the key was made", Protection::None),
            col(
                "updated_at_ms",
                "when it was last re-wrapped",
                Protection::None,
            ),
        ],
    },
    TableDecl {
        name: "jira_budgets",
        what: "request budgets shared by the instances on this database: the Forge app's hourly quota as a token bucket, and the pauses Jira asked for per site and for the app",
        protection: "no personal data",
        kept: "one row per site and one for the app, while they exist; a site's row goes with the site",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("name", "forge-app, or site:TENANT", Protection::None),
            col(
                "tenant_id",
                "the site, for its own row; empty for the app's",
                Protection::None,
            ),
            col("tokens", "requests left in the bucket", Protection::None),
            col("granted", "what the last draw took", Protection::None),
            col(
                "refilled_at_ms",
                "when the bucket was last refilled",
                Protection::None,
            ),
            col(
                "paused_until_ms",
                "until when Jira asked to wait",
                Protection::None,
            ),
        ],
    },
    TableDecl {
        name: "sender_accounts",
        what: "the Jira account (or JSM customer account) each sender's address belongs to, as last looked up, so the next mail needs no lookup",
        protection: "address as keyed hash only; account id and display name sealed",
        kept: "trusted 1 hour (an account found) or 10 minutes (none found), purged hourly after an hour; erased with the person",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "address_hash",
                "keyed hash of the sender's address",
                Protection::KeyedHash,
            ),
            col("kind", "user or customer", Protection::None),
            col(
                "account",
                "the account id and display name; empty when none was found",
                Protection::Encrypted,
            ),
            col("looked_up_at_ms", "when it was looked up", Protection::None),
        ],
    },
    TableDecl {
        name: "site_mailboxes",
        what: "the IMAP mailboxes a site's administrator added in the console: name, server, \
               port, security, the mailbox's user name, folders, and its one credential (a \
               password, or the refresh token of a Google or Microsoft 365 consent)",
        protection: "the credential encrypted with the tenant's data key, never returned by the API; the rest no secrets (the user name is the mailbox's login, not a sender's)",
        kept: "until the administrator removes the mailbox, or tenant erase",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "name",
                "the administrator's name for the mailbox",
                Protection::None,
            ),
            col(
                "settings",
                "server, port, security, user name, folders, poll interval (JSON)",
                Protection::None,
            ),
            col(
                "provider",
                "google or microsoft for a connected mailbox",
                Protection::None,
            ),
            col(
                "sealed",
                "the password or refresh token",
                Protection::Encrypted,
            ),
            col("revision", "moves with every edit", Protection::None),
            col("created_at_ms", "when it was added", Protection::None),
            col("updated_at_ms", "last edit", Protection::None),
            col(
                "updated_by",
                "the Jira account id that last edited it",
                Protection::None,
            ),
            col(
                "secret_updated_at_ms",
                "when the credential was last set or rotated",
                Protection::None,
            ),
        ],
    },
    TableDecl {
        name: "sent_mail",
        what: "outbound mail postroom sent (acknowledgements, notices, notifications, an administrator's tests of the notification templates): kind, issue, status, times",
        protection: "recipient and content sealed; recipient and Message-ID as keyed hashes",
        kept: "30 days",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "id",
                "random id, also the VERP token of its return path",
                Protection::None,
            ),
            col(
                "kind",
                "acknowledgement, notice, notification or test",
                Protection::None,
            ),
            col("issue_key", "the issue it is about", Protection::None),
            col(
                "recipient_hash",
                "keyed hash of the recipient's address (hourly cap)",
                Protection::KeyedHash,
            ),
            col(
                "message_id_hash",
                "keyed hash of its Message-ID (bounce matching)",
                Protection::KeyedHash,
            ),
            col(
                "facts",
                "recipient, name, subject facts and threading ids of the message",
                Protection::Encrypted,
            ),
            col(
                "status",
                "queued, sent, skipped or failed",
                Protection::None,
            ),
            col(
                "detail",
                "why skipped or failed (no personal data)",
                Protection::None,
            ),
            col("created_at_ms", "when it was queued", Protection::None),
            col("sent_at_ms", "when the server took it", Protection::None),
            col(
                "batch",
                "the notification message several rows share",
                Protection::None,
            ),
            col(
                "mime_key",
                "blob key of the notification's full MIME (sealed blob, 7 days)",
                Protection::None,
            ),
        ],
    },
    TableDecl {
        name: "webhook_events",
        what: "Jira webhook deliveries a notification rule wanted, and their dedupe ids",
        protection: "payload sealed; delivery identifier as keyed hash",
        kept: "payload until processed (at most 7 days); the row 30 days",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col("id", "random id", Protection::None),
            col(
                "identifier_hash",
                "keyed hash of X-Atlassian-Webhook-Identifier (redeliveries)",
                Protection::KeyedHash,
            ),
            col(
                "event",
                "webhookEvent, e.g. comment_created",
                Protection::None,
            ),
            col("payload", "the webhook body", Protection::Encrypted),
            col("received_at_ms", "when it arrived", Protection::None),
            col("done_at_ms", "when it was processed", Protection::None),
        ],
    },
    TableDecl {
        name: "suppressions",
        what: "suppression list: addresses whose mail from postroom bounced",
        protection: "address and diagnostic sealed; address as keyed hash for lookup",
        kept: "until cleared by an admin or tenant erase",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "address_hash",
                "keyed hash of the address",
                Protection::KeyedHash,
            ),
            col("address", "the address", Protection::Encrypted),
            col("hard", "1 when a bounce was permanent", Protection::None),
            col("failures", "bounces counted", Protection::None),
            col(
                "suppressed",
                "1 when outbound mail skips the address",
                Protection::None,
            ),
            col(
                "status",
                "enhanced status code of the last bounce",
                Protection::None,
            ),
            col(
                "diagnostic",
                "the receiving server's last diagnostic",
                Protection::Encrypted,
            ),
            col(
                "withheld",
                "mails not sent because of the suppression",
                Protection::None,
            ),
            col("first_at_ms", "first bounce", Protection::None),
            col("last_at_ms", "last bounce", Protection::None),
        ],
    },
    TableDecl {
        name: "template_agent_revisions",
        what: "canned responses: a change counter per agent, to keep their recent uses and favourites between searches",
        protection: "account id and a number only",
        kept: "until tenant erase",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "account_id",
                "Jira account id of the agent",
                Protection::Clear,
            ),
            col(
                "revision",
                "raised by each of the agent's uses and favourite marks",
                Protection::None,
            ),
        ],
    },
    TableDecl {
        name: "template_favourites",
        what: "canned responses: each agent's favourite templates, listed first in the picker",
        protection: "account id and template id only; no content",
        kept: "until unmarked, the template is deleted, or tenant erase",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "account_id",
                "Jira account id of the agent",
                Protection::Clear,
            ),
            col("template_id", "favourite template", Protection::None),
            col("added_at_ms", "when it was marked", Protection::None),
        ],
    },
    TableDecl {
        name: "template_revisions",
        what: "canned responses: a change counter per tenant, to keep search indexes current",
        protection: "a number only",
        kept: "until tenant erase",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "revision",
                "raised by every template change",
                Protection::None,
            ),
        ],
    },
    TableDecl {
        name: "template_weekly",
        what: "Insights: per week, template and agent, how often it was inserted and posted",
        protection: "counts, template id and account id only; never text; never sent anywhere",
        kept: "365 days (pruned on each write)",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "week_ms",
                "start of the week (Monday, UTC)",
                Protection::None,
            ),
            col("template_id", "template used", Protection::None),
            col(
                "account_id",
                "Jira account id of the agent",
                Protection::Clear,
            ),
            col("inserted", "times inserted into a reply", Protection::None),
            col("posted", "times posted", Protection::None),
        ],
    },
    TableDecl {
        name: "template_uses",
        what: "canned responses: one row per use, per agent, for ranking by recent use",
        protection: "template id, account id and time only; no content",
        kept: "90 days (pruned on each use), or until the template is deleted",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("id", "row id", Protection::None),
            col("tenant_id", "owning tenant", Protection::None),
            col("template_id", "template used", Protection::None),
            col(
                "account_id",
                "Jira account id of the agent",
                Protection::Clear,
            ),
            col("used_at_ms", "time of use", Protection::None),
        ],
    },
    TableDecl {
        name: "templates",
        what: "canned responses: name, body, description, folder, tags, scope, creator account id, times, usage count",
        protection: "tenant-scoped; personal templates are shown to their owner only",
        kept: "until deleted or tenant erase",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("id", "template id (random)", Protection::None),
            col("tenant_id", "owning tenant", Protection::None),
            col("name", "template name", Protection::Clear),
            col(
                "body",
                "template text written by an agent",
                Protection::Clear,
            ),
            col("description", "what the template is for", Protection::Clear),
            col("folder", "folder it is filed in", Protection::Clear),
            col("tags", "search tags (JSON list)", Protection::Clear),
            col(
                "scope_kind",
                "personal, projects, groups or global",
                Protection::None,
            ),
            col(
                "scope_values",
                "project keys or group names (JSON list)",
                Protection::Clear,
            ),
            col(
                "owner_account_id",
                "Jira account id of the creator",
                Protection::Clear,
            ),
            col("created_at_ms", "creation time", Protection::None),
            col("updated_at_ms", "last change", Protection::None),
            col(
                "usage_count",
                "number of uses (a count only)",
                Protection::None,
            ),
            col("last_used_at_ms", "time of last use", Protection::None),
        ],
    },
    TableDecl {
        name: "test_cases",
        what: "test cases: a name and the plan its mail is expected to produce",
        protection: "expected plan sealed (it names sender and subject); the mail is an encrypted blob",
        kept: "until deleted (`testcase remove`) or tenant erase",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "id",
                "test case id (random; names the mail blob)",
                Protection::None,
            ),
            col(
                "name",
                "administrator's label for the case",
                Protection::Clear,
            ),
            col(
                "expected",
                "expected plan: action, project, fields, thread, classification",
                Protection::Encrypted,
            ),
            col("created_at_ms", "when it was added", Protection::None),
            col(
                "updated_at_ms",
                "when its plan was last accepted",
                Protection::None,
            ),
        ],
    },
    TableDecl {
        name: "forge_lifecycle_events",
        what: "the Forge app's install and uninstall events taken, by the event's own id",
        protection: "ids only",
        kept: "until tenant erase",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col("event_id", "the event's id, from Forge", Protection::None),
            col("received_at_ms", "when it was taken", Protection::None),
        ],
    },
    TableDecl {
        name: "forge_installations",
        what: "Jira Cloud sites that installed the Forge app: installation, site, licence, \
               whether a system token is held and until when",
        protection: "no secrets here (the system token is sealed in tenant_secrets)",
        kept: "until the tenant is erased, erase_after_days after an uninstall",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("installation_id", "Forge installation id", Protection::None),
            col("tenant_id", "the tenant made for it", Protection::None),
            col("cloud_id", "the site's cloud id", Protection::Clear),
            col(
                "api_base_url",
                "the site's REST API base URL",
                Protection::Clear,
            ),
            col("installed_at_ms", "latest install", Protection::None),
            col(
                "uninstalled_at_ms",
                "uninstall, until a reinstall",
                Protection::None,
            ),
            col(
                "licence_active",
                "licence state the latest token carried",
                Protection::None,
            ),
            col(
                "token_expires_at_ms",
                "expiry of the held system token",
                Protection::None,
            ),
            col("updated_at_ms", "last change", Protection::None),
        ],
    },
    TableDecl {
        name: "usage_flags",
        what: "local usage flags: per week, how often a picker feature was used (usage.flags)",
        protection: "counts only: no account, no content; never sent anywhere",
        kept: "365 days (pruned on each write)",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col(
                "week_ms",
                "start of the week (Monday, UTC)",
                Protection::None,
            ),
            col("flag", "which feature", Protection::None),
            col("count", "times used that week", Protection::None),
        ],
    },
    TableDecl {
        name: "tenant_secrets",
        what: "each site's secrets: the credential postroom reaches its Jira with, the secret \
               its webhooks are signed with, the Forge app system token, the password of its \
               own SMTP relay",
        protection: "encrypted with the tenant's data key",
        kept: "until replaced, or tenant erase",
        tenant_column: Some("tenant_id"),
        columns: &[
            col("tenant_id", "owning tenant", Protection::None),
            col("name", "which secret", Protection::None),
            col("sealed", "the secret", Protection::Encrypted),
            col("updated_at_ms", "last change", Protection::None),
            col(
                "made_by",
                "who made it (`sandbox`, or none: the site's administrator)",
                Protection::None,
            ),
        ],
    },
    TableDecl {
        name: "tenants",
        what: "tenant: Jira base URL, auth method, the account postroom acts as",
        protection: "no secrets here (they stay in secret files or sealed in tenant_secrets)",
        kept: "until tenant erase",
        tenant_column: Some("id"),
        columns: &[
            col("id", "tenant id", Protection::None),
            col("jira_url", "Jira site base URL", Protection::Clear),
            col("jira_auth", "auth method name", Protection::None),
            col(
                "retention_days",
                "the site's own period for intake records and raw mail",
                Protection::None,
            ),
            col(
                "reports_days",
                "the site's own period for processing reports",
                Protection::None,
            ),
            col(
                "sent_mail_days",
                "the site's own period for records of sent mail",
                Protection::None,
            ),
            col(
                "bounce_address",
                "the site's own bounce address (configuration, not a person's)",
                Protection::Clear,
            ),
            col("dkim_key", "name of the site's DKIM key", Protection::None),
            col(
                "store_raw",
                "whether the site keeps raw mail for the audit",
                Protection::None,
            ),
            col(
                "jira_account",
                "the service account postroom acts as",
                Protection::Clear,
            ),
            col(
                "smtp_host",
                "the site's own SMTP relay (configuration, not a person's)",
                Protection::Clear,
            ),
            col("smtp_port", "its port", Protection::None),
            col("smtp_security", "tls, starttls or plain", Protection::None),
            col(
                "smtp_username",
                "the account postroom signs in to the relay with (its password is sealed in \
                 tenant_secrets)",
                Protection::Clear,
            ),
            col("created_at_ms", "creation time", Protection::None),
            col("updated_at_ms", "last change", Protection::None),
        ],
    },
    TableDecl {
        name: "_sqlx_migrations",
        what: "schema migration history (version, description, checksum, time)",
        protection: "no personal data",
        kept: "for the life of the database",
        tenant_column: None,
        columns: &[
            col("version", "migration number", Protection::None),
            col("description", "migration name", Protection::None),
            col("installed_on", "when applied", Protection::None),
            col("success", "whether it applied", Protection::None),
            col(
                "checksum",
                "checksum of the migration file",
                Protection::None,
            ),
            col("execution_time", "how long it took", Protection::None),
        ],
    },
];

/// Every blob key prefix.
pub const BLOBS: &[BlobDecl] = &[
    BlobDecl {
        kind: BlobKind::InboundMail,
        prefix: "inbound",
        what: "raw inbound e-mail (audit)",
        protection: "encrypted with the tenant key",
        kept: "30 days (`[inbound] retention_days`); opt-out per mailbox or listener (`store_raw = false`): deleted once processed",
    },
    BlobDecl {
        kind: BlobKind::SentMime,
        prefix: "sent",
        what: "sent notification: full MIME",
        protection: "encrypted with the tenant key",
        kept: "7 days",
    },
    BlobDecl {
        kind: BlobKind::TestCaseMail,
        prefix: "testcase",
        what: "test cases: the real mail each one replays",
        protection: "encrypted with the tenant key",
        kept: "until deleted (`testcase remove`) or tenant erase",
    },
];

/// Key material under `storage.data_dir`.
pub const FILES: &[FileDecl] = &[
    FileDecl {
        path: "master.key",
        what: "instance master key (wraps every tenant key; derives the log-hash key)",
        protection: "file mode 0600; back it up apart from the data",
        kept: "for the life of the instance; replaced by `keys rotate`",
    },
    FileDecl {
        path: "keys/<tenant>.key",
        what: "one data key per tenant",
        protection: "wrapped by the master key (AES-256-GCM); file mode 0600",
        kept: "until tenant erase, which destroys it (crypto-shredding)",
    },
    FileDecl {
        path: "backups/<ID>/{database,blobs,manifest.json}",
        what: "backups (`postroom backup`): a snapshot of the database and every blob; at \
               `[backup] to` instead when set (a directory or s3://BUCKET/PREFIX)",
        protection: "sealed with a key per backup, wrapped by the master key; tenant data \
                     inside stays sealed with its tenant key, so an erased tenant stays \
                     unreadable in older backups; the master key and the key vault are never \
                     inside",
        kept: "`serve` makes one every `[backup] schedule` (weekly) and keeps the newest \
               `[backup] keep` (8) at `[backup] to`; older ones are deleted",
    },
];

/// What leaves postroom for someone other than the site's own Jira and mail.
pub const SENT: &[SentDecl] = &[SentDecl {
    to: "the operator's incoming webhook (`[operator] webhook_url_file`)",
    what: "operator events: a site installed or uninstalled the app (the site's URL), an \
           administrator's feedback (its text; their address only when they asked for it \
           to be included)",
    protection: "queued as a job sealed with the tenant key; never sent when the webhook \
                 is unset",
    kept: "not kept once delivered (the job is deleted); what the operator's chat keeps \
           is theirs",
}];
