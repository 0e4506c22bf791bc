//! `/api/v1`: the REST API and its OpenAPI document, generated from the handlers.

use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::response::Response;
use axum::routing::{delete, get, post};
use postroom_core::ports::tracker::Priority;
use utoipa::OpenApi;

use super::auth::ApiCaller;
use super::{
    ApiError, AppState, access_log, audit, jobs, overview, session, settings, templates, usage,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "postroom",
        description = "The REST API of postroom, the mail room of a Jira site. Every \
                       endpoint but this document and `/session/link` wants \
                       `Authorization: Bearer <token>` with a token from `postroom token \
                       create`, or the console's session cookie (then POST, PUT and DELETE \
                       also want the session's `X-CSRF-Token`)."
    ),
    paths(
        whoami,
        session::show,
        session::link,
        session::signout,
        overview::show,
        jobs::list,
        jobs::retry,
        super::mail::upload,
        audit::list,
        audit::show,
        audit::raw,
        audit::html,
        audit::bundle,
        audit::testcase,
        audit::reprocess,
        audit::release,
        audit::sent_list,
        audit::sent_show,
        audit::sent_mime,
        audit::sent_html,
        templates::list,
        templates::search,
        templates::create,
        templates::get_one,
        templates::update,
        templates::delete,
        templates::render,
        templates::apply,
        templates::export,
        templates::import,
        templates::preview,
        templates::variables,
        templates::insights,
        templates::favour,
        templates::unfavour,
        templates::issues,
        templates::issue,
        templates::favourites,
        usage::report,
        usage::show,
        super::feedback::send,
        settings::retention,
        settings::set_retention,
        settings::raw_mail,
        settings::set_raw_mail,
        super::people::find,
        super::people::export,
        super::people::erase,
        super::suppressions::list,
        super::suppressions::clear,
        super::backups::list,
        super::backups::create,
        super::backups::verify,
        super::tokens::list,
        super::tokens::create,
        super::tokens::revoke,
        access_log::list,
        super::inventory::show,
        super::site_erase::erase,
        super::jira_check::check,
        super::settings_outbound::show,
        super::settings_outbound::update,
        super::test_mail::send,
        super::webhook_secret::show,
        super::webhook_secret::rotate,
        super::profile::show,
        super::profile::replace,
        super::profile_versions::list,
        super::profile_versions::show,
        super::profile_versions::diff,
        super::profile_versions::restore,
        super::testcases::list,
        super::testcases::upload,
        super::testcases::show,
        super::testcases::remove,
        super::testcases::accept,
        super::testcases::run,
        super::profile_try::try_it,
        super::profile_try::regex,
        super::notifications::defaults,
        super::notifications::preview,
        super::notifications::preview_html,
        super::notifications::test,
        super::mailboxes::list,
        super::mailboxes::add,
        super::mailboxes::edit,
        super::mailboxes::remove,
        super::mailbox_test::test,
        super::mailbox_connect::start,
    ),
    components(schemas(
        super::error::ErrorBody,
        super::FieldError,
        ApiCaller,
        session::Role,
        session::SessionBody,
        session::LinkBody,
        super::feedback::FeedbackBody,
        settings::KindDaysBody,
        settings::OwnBody,
        settings::RetentionBody,
        settings::RetentionUpdate,
        settings::RawMailBody,
        super::feedback::FeedbackQueued,
        super::people::PersonBody,
        super::people::ErasedBody,
        super::suppressions::SuppressionBody,
        super::suppressions::SuppressionList,
        super::suppressions::ClearBody,
        super::suppressions::ClearedBody,
        super::backups::BackupBody,
        super::backups::BackupsBody,
        super::backups::VerifiedBody,
        super::tokens::TokenBody,
        super::tokens::TokenList,
        super::tokens::NewToken,
        super::tokens::MadeToken,
        access_log::AccessLine,
        access_log::AccessLog,
        super::inventory::InventoryBody,
        super::site_erase::EraseSiteBody,
        super::site_erase::SiteErased,
        super::jira_check::JiraCheckBody,
        super::settings_outbound::Source,
        super::settings_outbound::SettingBody,
        super::settings_outbound::RelayBody,
        super::settings_outbound::OutboundBody,
        super::settings_outbound::OutboundUpdate,
        super::settings_outbound::RelayUpdate,
        super::test_mail::TestMailRequest,
        super::test_mail::TestMailBody,
        super::webhook_secret::WebhookSecretBody,
        super::webhook_secret::RotatedBody,
        super::profile::ProfileBody,
        super::profile::ProfileUpdate,
        super::profile::StaleBody,
        super::profile_versions::VersionBody,
        super::profile_versions::VersionList,
        super::profile_versions::VersionDocument,
        super::profile_versions::ChangeBody,
        super::profile_versions::DiffBody,
        super::profile_versions::RestoreRequest,
        super::testcases::TestCaseBody,
        super::testcases::TestCaseList,
        super::testcases::TestCaseDetail,
        super::testcases::FieldValue,
        super::testcases::CandidateRequest,
        super::testcases::RunRequest,
        super::testcases::CaseResult,
        super::testcases::RunBody,
        super::profile_try::TryRequest,
        super::profile_try::TryBody,
        super::profile_try::RegexRequest,
        super::profile_try::RegexBody,
        super::notifications::DefaultsBody,
        super::notifications::PreviewRequest,
        super::notifications::PreviewBody,
        super::notifications::TestRequest,
        super::notifications::TestQueued,
        super::mailboxes::MailboxEntry,
        super::mailboxes::ProviderBody,
        super::mailboxes::MailboxesBody,
        super::mailbox_input::MailboxInput,
        super::mailbox_test::StepBody,
        super::mailbox_test::MailboxTestBody,
        super::mailbox_connect::ConnectRequest,
        super::mailbox_connect::ConnectBody,
        overview::OverviewBody,
        overview::ForgeBody,
        overview::ListenerBody,
        overview::MailboxBody,
        overview::JiraBody,
        overview::OutcomeCount,
        overview::AttentionBody,
        jobs::JobsBody,
        jobs::DepthBody,
        jobs::JobBody,
        super::mail::Accepted,
        audit::AuditItem,
        audit::AuditList,
        audit::AuditDetail,
        audit::Reprocessing,
        audit::TestCaseMade,
        audit::SentEntry,
        audit::SentList,
        templates::TemplateBody,
        templates::DraftBody,
        templates::ScopeBody,
        templates::ScopeKind,
        templates::RenderRequest,
        templates::PreviewBody,
        templates::ApplyRequestBody,
        templates::AppliedBody,
        templates::ExportBody,
        templates::ImportedBody,
        templates::DraftPreviewRequest,
        templates::InsightsBody,
        templates::CountsBody,
        templates::TemplateUseBody,
        templates::AgentUseBody,
        templates::WeekUseBody,
        templates::UnusedBody,
        templates::ProjectTopBody,
        templates::IssueBody,
        templates::AnswerableBody,
        templates::TransitionBody,
        usage::FlagBody,
        usage::FlagCount,
        usage::WeekBody,
        usage::UsageBody,
    ))
)]
struct ApiDoc;

/// The `/api/v1` router. Later features add their routes here and their paths to
/// [`ApiDoc`], so the document always matches what is served. Every matched route is
/// recorded in the access log.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/whoami", get(whoami))
        .route("/session", get(session::show))
        .route("/session/link", post(session::link))
        .route("/session/signout", post(session::signout))
        .route("/overview", get(overview::show))
        .route("/jobs", get(jobs::list))
        .route("/jobs/{id}/retry", post(jobs::retry))
        .route(
            "/mail",
            post(super::mail::upload).layer(DefaultBodyLimit::max(state.intake.max_size())),
        )
        .route("/audit", get(audit::list))
        .route("/audit/{id}", get(audit::show))
        .route("/audit/{id}/raw", get(audit::raw))
        .route("/audit/{id}/html", get(audit::html))
        .route("/audit/{id}/bundle", get(audit::bundle))
        .route("/audit/{id}/testcase", post(audit::testcase))
        .route("/audit/{id}/reprocess", post(audit::reprocess))
        .route("/audit/{id}/release", post(audit::release))
        .route("/audit/sent", get(audit::sent_list))
        .route("/audit/sent/{id}", get(audit::sent_show))
        .route("/audit/sent/{id}/mime", get(audit::sent_mime))
        .route("/audit/sent/{id}/html", get(audit::sent_html))
        .route("/usage", get(usage::show))
        .route("/usage/flags", post(usage::report))
        .route("/feedback", post(super::feedback::send))
        .route(
            "/settings/retention",
            get(settings::retention).put(settings::set_retention),
        )
        .route(
            "/settings/raw-mail",
            get(settings::raw_mail).put(settings::set_raw_mail),
        )
        .route("/people/find", post(super::people::find))
        .route("/people/export", post(super::people::export))
        .route("/people/erase", post(super::people::erase))
        .route("/suppressions", get(super::suppressions::list))
        .route("/suppressions/clear", post(super::suppressions::clear))
        .route(
            "/backups",
            get(super::backups::list).post(super::backups::create),
        )
        .route("/backups/{id}/verify", post(super::backups::verify))
        .route(
            "/tokens",
            get(super::tokens::list).post(super::tokens::create),
        )
        .route("/tokens/{id}", delete(super::tokens::revoke))
        .route("/access-log", get(access_log::list))
        .route("/inventory", get(super::inventory::show))
        .route("/site/erase", post(super::site_erase::erase))
        .route("/settings/jira/check", get(super::jira_check::check))
        .route(
            "/settings/outbound",
            get(super::settings_outbound::show).put(super::settings_outbound::update),
        )
        .route("/settings/outbound/test", post(super::test_mail::send))
        .route("/settings/webhook-secret", get(super::webhook_secret::show))
        .route(
            "/settings/webhook-secret/rotate",
            post(super::webhook_secret::rotate),
        )
        .route(
            "/profile",
            get(super::profile::show).put(super::profile::replace),
        )
        .route("/profile/versions", get(super::profile_versions::list))
        .route(
            "/profile/versions/{version}",
            get(super::profile_versions::show),
        )
        .route(
            "/profile/versions/{version}/diff/{other}",
            get(super::profile_versions::diff),
        )
        .route(
            "/profile/versions/{version}/restore",
            post(super::profile_versions::restore),
        )
        .route(
            "/testcases",
            get(super::testcases::list)
                .post(super::testcases::upload)
                .layer(DefaultBodyLimit::max(state.intake.max_size())),
        )
        .route("/testcases/run", post(super::testcases::run))
        .route(
            "/testcases/{id}",
            get(super::testcases::show).delete(super::testcases::remove),
        )
        .route("/testcases/{id}/accept", post(super::testcases::accept))
        .route(
            "/profile/try",
            post(super::profile_try::try_it)
                .layer(DefaultBodyLimit::max(super::profile_try::TRY_MAX_BODY)),
        )
        .route("/profile/regex", post(super::profile_try::regex))
        .route(
            "/notifications/defaults",
            get(super::notifications::defaults),
        )
        .route(
            "/notifications/preview",
            post(super::notifications::preview),
        )
        .route(
            "/notifications/previews/{id}",
            get(super::notifications::preview_html),
        )
        .route("/notifications/test", post(super::notifications::test))
        .route(
            "/mailboxes",
            get(super::mailboxes::list).post(super::mailboxes::add),
        )
        .route("/mailboxes/connect", post(super::mailbox_connect::start))
        .route(
            "/mailboxes/{id}",
            axum::routing::put(super::mailboxes::edit).delete(super::mailboxes::remove),
        )
        .route("/mailboxes/{id}/test", post(super::mailbox_test::test))
        .merge(templates::routes())
        .route_layer(middleware::from_fn(interactive))
        .route_layer(middleware::from_fn_with_state(state, access_log::record))
        .fallback(unknown_route)
}

/// Someone waits on every API request (an agent at the picker, an administrator at the
/// console): the Jira requests it makes go before live mail's and a bulk import's.
async fn interactive(request: axum::extract::Request, next: middleware::Next) -> Response {
    Priority::Interactive.scope(next.run(request)).await
}

/// An API path that does not exist answers in the API's own error format.
async fn unknown_route(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("no API endpoint at {}", uri.path()))
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The tenant, account and scope the presented token speaks for: the first call a script
/// makes to check its token.
#[utoipa::path(
    get,
    path = "/api/v1/whoami",
    responses(
        (status = 200, description = "The caller", body = ApiCaller),
        (status = 401, description = "No valid token", body = super::error::ErrorBody),
    )
)]
async fn whoami(caller: ApiCaller) -> Json<ApiCaller> {
    Json(caller)
}
