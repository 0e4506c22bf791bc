//! `/api/v1/notifications/…`: what the console's template editor asks while a rule's
//! templates are written — postroom's defaults and the variables, a live preview rendered
//! by the real notification renderer for an issue Jira returns now (or the built-in
//! example), and a test sent through the site's real transport. A preview stores nothing:
//! no delivery, no event, no record; its HTML is kept a few minutes in this process only,
//! for the console's sandboxed frame.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use postroom_core::message::EmailAddress;
use postroom_core::notify::{
    self, CompiledNotifications, DEFAULT_HTML, DEFAULT_SUBJECT, DEFAULT_TEXT, NotifyTemplates,
    Reader, TemplatePartError, Words, preview,
};
use postroom_core::ports::tracker::{Issue, Tracker, TrackerError, User};
use postroom_core::profile::{EventKind, NotificationRule, Profile};
use postroom_core::template::{CalendarDate, IssueContext};
use postroom_core::tenant::TenantId;
use postroom_engine::inbound::Sites;
use postroom_engine::outbound::test_mail::{self, TestMail, TestMailError};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::ApiCaller;
use super::error::ErrorBody;
use super::json_body::JsonBody;
use super::{ApiError, AppState, FieldError};
use crate::app::now_ms;

/// How long a preview's HTML is kept for its frame.
const PREVIEW_KEPT: Duration = Duration::from_secs(600);

/// Most previews kept at once (each at most 64 KiB, the templates' output limit).
const PREVIEWS_MAX: usize = 256;

/// Rendered previews' HTML, by random id and site, for the console's frames: a frame can
/// only load an address, and the mail's own styles only apply under the mail's policy
/// there (the console's own policy allows no inline style). Kept in this process only,
/// for [`PREVIEW_KEPT`].
#[derive(Debug, Clone, Default)]
pub struct Previews(Arc<Mutex<VecDeque<KeptPreview>>>);

#[derive(Debug)]
struct KeptPreview {
    id: String,
    tenant: TenantId,
    html: String,
    at: Instant,
}

impl Previews {
    fn put(&self, tenant: &TenantId, html: String) -> String {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        let id = hex::encode(bytes);
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.retain(|p| p.at.elapsed() < PREVIEW_KEPT);
        while kept.len() >= PREVIEWS_MAX {
            kept.pop_front();
        }
        kept.push_back(KeptPreview {
            id: id.clone(),
            tenant: tenant.clone(),
            html,
            at: Instant::now(),
        });
        id
    }

    fn get(&self, tenant: &TenantId, id: &str) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|p| p.id == id && p.tenant == *tenant && p.at.elapsed() < PREVIEW_KEPT)
            .map(|p| p.html.clone())
    }
}

/// postroom's own templates and what a template may use.
#[derive(Debug, Serialize, ToSchema)]
pub struct DefaultsBody {
    /// The default subject, text and HTML: what a rule without its own template sends.
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Every variable a notification template may use, sorted.
    pub variables: Vec<String>,
    /// The event kinds a rule may want.
    pub events: Vec<String>,
}

/// A rule's templates to render (empty or left out: postroom's default), for an issue
/// or the built-in example, as told of an event.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// The event kind, e.g. `comment_added`.
    pub event: String,
    /// An issue of the site, fetched from Jira now.
    pub issue_key: Option<String>,
    /// `true`: the built-in example issue instead.
    #[serde(default)]
    pub example: bool,
    pub subject: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
}

/// A rendered preview.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewBody {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Where the HTML can be framed (under the policy of a mail's HTML) for 10 minutes.
    pub html_url: String,
    /// The issue the words were rendered for.
    pub issue_key: String,
    /// Parts whose template failed while rendering for this issue: a notification would
    /// use postroom's default for them, as this preview does.
    pub fell_back: Vec<String>,
}

/// A test to send: one recipient, and what to render as for the preview. (Its fields are
/// written out rather than flattened, so that unknown fields are refused here too and the
/// OpenAPI schema stays one object.)
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestRequest {
    /// One address.
    pub to: String,
    pub event: String,
    pub issue_key: Option<String>,
    #[serde(default)]
    pub example: bool,
    pub subject: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
}

impl TestRequest {
    /// The recipient, and the preview's request.
    fn split(self) -> (String, PreviewRequest) {
        let preview = PreviewRequest {
            event: self.event,
            issue_key: self.issue_key,
            example: self.example,
            subject: self.subject,
            text: self.text,
            html: self.html,
        };
        (self.to, preview)
    }
}

/// A queued test.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestQueued {
    /// Its id in the audit of sent mail (`/api/v1/audit/sent/{id}`).
    pub id: String,
    /// `queued`: the send job takes it next.
    pub status: String,
}

/// postroom's default templates, the variables and the event kinds. Administrators only.
#[utoipa::path(get, path = "/api/v1/notifications/defaults", tag = "notifications",
    responses((status = 200, body = DefaultsBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn defaults(caller: ApiCaller) -> Result<Json<DefaultsBody>, ApiError> {
    caller.require_admin()?;
    let mut variables: Vec<String> = notify::schema().paths().map(str::to_owned).collect();
    variables.sort();
    Ok(Json(DefaultsBody {
        subject: DEFAULT_SUBJECT.to_owned(),
        text: DEFAULT_TEXT.to_owned(),
        html: DEFAULT_HTML.to_owned(),
        variables,
        events: EVENTS.iter().map(|k| k.as_str().to_owned()).collect(),
    }))
}

const EVENTS: [EventKind; 7] = [
    EventKind::IssueCreated,
    EventKind::CommentAdded,
    EventKind::CommentEdited,
    EventKind::StatusChanged,
    EventKind::Resolved,
    EventKind::AssigneeChanged,
    EventKind::PriorityChanged,
];

/// Renders a rule's templates as a notification of `event` on an issue (fetched from
/// Jira now) or on the built-in example, by the renderer notifications use. Nothing is
/// stored: no delivery, no event, no record. A template that cannot compile, or names a
/// variable notifications do not have, is answered 422 at its part (`subject`, `text`,
/// `html`) with the line and the reason. Administrators only.
#[utoipa::path(post, path = "/api/v1/notifications/preview", tag = "notifications",
    request_body = PreviewRequest,
    responses((status = 200, body = PreviewBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 503, description = "Jira cannot be asked", body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Json<PreviewBody>, ApiError> {
    caller.require_admin()?;
    let request: PreviewRequest = parse(&bytes)?;
    let profile = stored_profile(&state, &caller).await?;
    let rendered = render(&state, &caller, &request, &profile, None).await?;
    let id = state
        .profile
        .previews
        .put(&caller.tenant, rendered.words.html.clone());
    Ok(Json(PreviewBody {
        subject: rendered.words.subject,
        text: rendered.words.text,
        html: rendered.words.html,
        html_url: format!("/api/v1/notifications/previews/{id}"),
        issue_key: rendered.shown_key,
        fell_back: rendered
            .words
            .fell_back
            .iter()
            .map(|p| (*p).to_owned())
            .collect(),
    }))
}

/// A preview's HTML, for the console's sandboxed frame, under the policy of a mail's HTML
/// (no script, nothing loaded from anywhere); kept 10 minutes by the instance that rendered
/// it. Administrators only.
#[utoipa::path(get, path = "/api/v1/notifications/previews/{id}", tag = "notifications",
    params(("id" = String, Path, description = "The preview's id (its `html_url`)")),
    responses((status = 200, content_type = "text/html", body = String,
               description = "The preview's HTML, under a sandboxing Content-Security-Policy"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, description = "Unknown or expired", body = ErrorBody)))]
pub async fn preview_html(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let html = state
        .profile
        .previews
        .get(&caller.tenant, &id)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "no preview {id}: a preview is kept 10 minutes; render it again"
            ))
        })?;
    Ok(super::audit::framed(html))
}

/// Renders like the preview and sends the result to one address through the site's real
/// transport, as a notification of kind `test`: it shows in the audit of sent mail. A
/// suppressed address is refused (422 at `to`); a site may send 10 tests an hour (429
/// with `Retry-After` beyond). Administrators only.
#[utoipa::path(post, path = "/api/v1/notifications/test", tag = "notifications",
    request_body = TestRequest,
    responses((status = 202, body = TestQueued),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, description = "No transport, or the profile names no sender",
               body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody),
              (status = 503, description = "Jira cannot be asked", body = ErrorBody)))]
pub async fn test(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(bytes): JsonBody,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let (to, request) = parse::<TestRequest>(&bytes)?.split();
    let to = EmailAddress::parse(to.trim()).map_err(|e| field("to", e.to_string()))?;
    if !state.profile.outbound {
        let tenant = state.tenant_of(&caller).await?;
        let record = tenant
            .record()
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
        if record.relay.is_none() {
            return Err(ApiError::Conflict(
                "this postroom has no outbound mail transport ([outbound] in postroom.toml) \
                 and the site no relay of its own (Settings → Outbound mail): nothing can be \
                 sent"
                    .to_owned(),
            ));
        }
    }
    let profile = stored_profile(&state, &caller).await?;
    let Some(from) = profile.compiled.as_ref().and_then(|c| c.from.clone()) else {
        return Err(ApiError::Conflict(
            "the profile names no sender: set notifications.from or own.addresses and save"
                .to_owned(),
        ));
    };
    let rendered = render(&state, &caller, &request, &profile, Some(&to)).await?;
    let compiled = profile.compiled.as_ref();
    let mail = TestMail {
        to,
        from,
        from_name: compiled.and_then(|c| c.from_name.clone()),
        reply_to: compiled.and_then(|c| c.reply_to.clone()),
        words: rendered.words,
        issue_key: rendered.issue_key,
        shown_key: rendered.shown_key,
        event: rendered.kind.as_str().to_owned(),
    };
    let tenant = state.tenant_of(&caller).await?;
    let id = test_mail::queue(&tenant, state.intake.keyring(), mail, now_ms())
        .await
        .map_err(|e| match e {
            TestMailError::Suppressed(_) => field("to", e.to_string()),
            TestMailError::RateLimited { retry_after_secs } => ApiError::TooManyRequests {
                message: e.to_string(),
                retry_after_secs,
            },
            other => ApiError::Internal(other.into()),
        })?;
    tracing::info!(tenant = %caller.tenant, sent = %id, "test notification queued");
    Ok((
        StatusCode::ACCEPTED,
        Json(TestQueued {
            id,
            status: "queued".to_owned(),
        }),
    )
        .into_response())
}

/// The rendered words and what they were rendered for.
struct Rendered {
    words: Words,
    kind: EventKind,
    /// The issue of the site; `None` for the example.
    issue_key: Option<String>,
    shown_key: String,
}

/// The site's stored profile and its compiled notification settings (`None` when the
/// profile has none that compile).
struct SiteProfile {
    compiled: Option<CompiledNotifications>,
}

async fn stored_profile(state: &AppState, caller: &ApiCaller) -> Result<SiteProfile, ApiError> {
    let tenant = state.tenant_of(caller).await?;
    let stored = tenant
        .profile()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let profile = match stored {
        Some(s) => Profile::from_json(&s.document).map_err(|e| ApiError::Internal(e.into()))?,
        None => Profile::default(),
    };
    let own_first = profile.own.addresses.first().map(String::as_str);
    Ok(SiteProfile {
        compiled: CompiledNotifications::new(&profile.notifications, own_first).ok(),
    })
}

async fn render(
    state: &AppState,
    caller: &ApiCaller,
    draft: &PreviewRequest,
    profile: &SiteProfile,
    to: Option<&EmailAddress>,
) -> Result<Rendered, ApiError> {
    let kind: EventKind =
        serde_json::from_value(serde_json::json!(draft.event.trim())).map_err(|_| {
            let known: Vec<&str> = EVENTS.iter().map(|k| k.as_str()).collect();
            field(
                "event",
                format!(
                    "unknown event {:?}: use one of {}",
                    draft.event,
                    known.join(", ")
                ),
            )
        })?;
    let own = |part: &Option<String>| part.clone().filter(|t| !t.trim().is_empty());
    let rule = NotificationRule {
        comment: None,
        name: None,
        projects: Vec::new(),
        events: vec![kind],
        to: Vec::new(),
        subject: own(&draft.subject),
        text: own(&draft.text),
        html: own(&draft.html),
    };
    let templates = NotifyTemplates::new(&rule).map_err(part_error)?;
    let defaults = NotifyTemplates::defaults().map_err(part_error)?;
    let (issue, issue_key) = issue_of(state, caller, draft).await?;
    let actor = user_of(&issue, "assignee").unwrap_or_else(preview::example_actor);
    let event = preview::event_for(kind, &issue, &actor)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("the preview's event: {e}")))?;
    let today = CalendarDate::from_unix_seconds(now_ms().div_euclid(1000), 0)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("the clock reads no date: {e}")))?;
    let link = state.trackers.issue_link(&caller.tenant, &issue.key);
    let site_url = link
        .as_deref()
        .and_then(|l| l.strip_suffix(&format!("/browse/{}", issue.key)))
        .unwrap_or("");
    let issue_vars = IssueContext {
        issue: &issue,
        fields: &[],
        agent: &actor,
        today,
        site_url,
    }
    .build();
    let reporter = user_of(&issue, "reporter");
    let reply_address = profile
        .compiled
        .as_ref()
        .and_then(|c| c.reply_to.as_ref())
        .map(EmailAddress::as_str);
    let reader = match to {
        Some(to) => Reader {
            name: None,
            address: to.as_str(),
            reply_address,
        },
        None => Reader {
            name: reporter.as_ref().map(|r| r.display_name.as_str()),
            address: reporter
                .as_ref()
                .and_then(|r| r.email.as_deref())
                .unwrap_or("customer@example.com"),
            reply_address,
        },
    };
    let context = notify::variables(&issue_vars, kind, &event, reader, &[]);
    let words = templates.render(&context, &defaults).map_err(part_error)?;
    Ok(Rendered {
        words,
        kind,
        issue_key,
        shown_key: issue.key.clone(),
    })
}

/// The issue to render for: fetched from the site's Jira, or the built-in example.
async fn issue_of(
    state: &AppState,
    caller: &ApiCaller,
    draft: &PreviewRequest,
) -> Result<(Issue, Option<String>), ApiError> {
    let key = draft
        .issue_key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let key = match (key, draft.example) {
        (None, true) => return Ok((preview::example_issue(), None)),
        (Some(_), true) => {
            return Err(field(
                "issue_key",
                "name an issue key or ask for the example, not both",
            ));
        }
        (None, false) => {
            return Err(field(
                "issue_key",
                "name an issue key, or ask for the example (`example: true`)",
            ));
        }
        (Some(key), false) if looks_like_key(key) => key,
        (Some(key), false) => {
            return Err(field(
                "issue_key",
                format!("{key:?} is not an issue key (e.g. SUP-12)"),
            ));
        }
    };
    let site = state.trackers.get(&caller.tenant).ok_or_else(|| {
        ApiError::ServiceUnavailable("no Jira site is configured for this site".to_owned())
    })?;
    let client = site
        .client()
        .await
        .map_err(|e| ApiError::ServiceUnavailable(format!("Jira cannot be reached: {e}")))?;
    match client.get_issue(key, &[]).await {
        Ok(issue) => {
            let key = issue.key.clone();
            Ok((issue, Some(key)))
        }
        Err(TrackerError::NotFound { .. } | TrackerError::Forbidden { .. }) => Err(field(
            "issue_key",
            format!("Jira shows postroom no issue {key}"),
        )),
        Err(e) if e.is_transient() => Err(ApiError::ServiceUnavailable(format!(
            "Jira did not answer for {key}: {e}"
        ))),
        Err(e) => Err(field("issue_key", e.to_string())),
    }
}

/// `PROJECT-123`: letters, digits and underscores starting with a letter, a dash, digits.
fn looks_like_key(key: &str) -> bool {
    let Some((project, number)) = key.rsplit_once('-') else {
        return false;
    };
    project.starts_with(|c: char| c.is_ascii_alphabetic())
        && project
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
}

/// The user in the issue's field `name` (`reporter`, `assignee`), when it has one.
fn user_of(issue: &Issue, name: &str) -> Option<User> {
    let value = issue.fields.get(name).filter(|v| v.is_object())?;
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    Some(User {
        account_id: text("accountId").or_else(|| text("name"))?,
        display_name: text("displayName").unwrap_or_default(),
        email: text("emailAddress").filter(|e| !e.is_empty()),
        active: true,
    })
}

fn part_error(e: TemplatePartError) -> ApiError {
    field(e.part, e.source.to_string())
}

fn field(name: &str, message: impl Into<String>) -> ApiError {
    ApiError::Unprocessable {
        errors: vec![FieldError {
            field: name.to_owned(),
            message: message.into(),
        }],
    }
}

fn parse<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| field(".", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_is_found_by_its_own_site_only() {
        let previews = Previews::default();
        let a = TenantId::default_tenant();
        let b = TenantId::parse("beta").unwrap_or_else(|e| panic!("{e}"));
        let id = previews.put(&a, "<p>hi</p>".to_owned());
        assert_eq!(previews.get(&a, &id).as_deref(), Some("<p>hi</p>"));
        assert_eq!(previews.get(&b, &id), None);
        assert_eq!(previews.get(&a, "0000"), None);
    }

    #[test]
    fn only_issue_keys_are_asked_of_jira() {
        for key in ["SUP-12", "sup-1", "A_B2-904"] {
            assert!(looks_like_key(key), "{key}");
        }
        for other in [
            "SUP", "SUP-", "-12", "1SUP-2", "SUP-1a", "../SUP-1", "SUP 1",
        ] {
            assert!(!looks_like_key(other), "{other}");
        }
    }

    #[test]
    fn the_oldest_previews_make_room() {
        let previews = Previews::default();
        let a = TenantId::default_tenant();
        let first = previews.put(&a, String::new());
        for _ in 0..PREVIEWS_MAX {
            previews.put(&a, String::new());
        }
        assert_eq!(previews.get(&a, &first), None);
    }
}
