//! A stand-in for Jira's issue page, for browser tests of what runs on it (postroom's
//! browser extension): **it imitates Jira's page; it is not Jira's page**. Jira's real issue
//! view is a large React application that cannot run here; this page copies only the parts
//! of its structure that a script on it reads or writes:
//!
//! - the addresses: `/browse/{KEY}` (both Jira Cloud and Data Center) and the issue
//!   navigator's `/issues/?selectedIssue={KEY}`, where the issue key comes from the address;
//! - `<html data-color-mode="light|dark">`, which Jira Cloud sets for its light and dark
//!   themes (`?theme=dark` here);
//! - the comment editor, by `?editor=`:
//!   - `cloud` (the default): Jira Cloud's Atlassian editor, a ProseMirror
//!     `div.ProseMirror[contenteditable=true][role=textbox]` inside
//!     `div.ak-editor-content-area`, under the comment form of the Activity section;
//!   - `server`: Jira Data Center's wiki-markup `textarea#comment.wiki-textfield` (name
//!     `comment`) in `form#issue-comment-add`;
//!   - `none`: no editor at all (the comment box not opened yet, or a layout a script does
//!     not know), for the clipboard fallback.
//!
//! The page shows the issue's key, summary and status from the site's data. It has no
//! script of its own and needs no credentials, like a page whose reader Jira has already
//! signed in; an unknown key answers 404 as Jira's page does.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::signin::escape;
use crate::app::App;

/// The page's variants.
#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    /// `cloud` (default), `server` or `none`.
    #[serde(default)]
    editor: Option<String>,
    /// `light` (default) or `dark`.
    #[serde(default)]
    theme: Option<String>,
    /// The issue navigator's selected issue (`/issues/?selectedIssue=KEY`).
    #[serde(default, rename = "selectedIssue")]
    selected_issue: Option<String>,
}

/// `GET /browse/{key}`: the issue's page.
pub async fn issue_page(
    State(app): State<App>,
    Path(key): Path<String>,
    Query(params): Query<PageParams>,
) -> Response {
    page(&app, &key, &params)
}

/// `GET /issues/?selectedIssue={key}`: the issue navigator with one issue open.
pub async fn navigator_page(State(app): State<App>, Query(params): Query<PageParams>) -> Response {
    let key = params.selected_issue.clone().unwrap_or_default();
    page(&app, &key, &params)
}

/// Jira Cloud's comment editor: the Atlassian editor's ProseMirror element.
const CLOUD_EDITOR: &str = "<form data-testid=\"issue.activity.comment\" action=\"#\">\
     <div class=\"ak-editor-content-area\">\
     <div class=\"ProseMirror\" contenteditable=\"true\" role=\"textbox\" \
     aria-multiline=\"true\" aria-label=\"Main content area, start typing to enter text.\" \
     translate=\"no\"><p><br></p></div></div>\
     <button type=\"button\">Save</button></form>";

/// Jira Data Center's comment editor: a wiki-markup text area.
const SERVER_EDITOR: &str = "<form id=\"issue-comment-add\" class=\"aui\" action=\"#\">\
     <label for=\"comment\">Comment</label>\
     <textarea id=\"comment\" name=\"comment\" class=\"textarea long-field wiki-textfield \
     mentionable\" rows=\"6\"></textarea>\
     <button type=\"button\" id=\"issue-comment-add-submit\">Add</button></form>";

const NOT_FOUND: &str = "<!doctype html><title>Issue not found</title>\
     <p>This issue does not exist, or you may not see it.</p>";

/// The page's look: enough to see which theme it is in and where the editor is.
const STYLE: &str = "html[data-color-mode=dark]{background:#1d2125;color:#b6c2cf}\
     .ProseMirror,textarea{display:block;min-height:6em;width:40em;\
     border:1px solid #8590a2;padding:8px}";

fn page(app: &App, key: &str, params: &PageParams) -> Response {
    let (key, summary, status) = {
        let site = app.store.read();
        let Some(issue) = site.issue_id(key).and_then(|id| site.issues.get(&id)) else {
            return (StatusCode::NOT_FOUND, Html(NOT_FOUND)).into_response();
        };
        let status = site
            .status(&issue.status)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        (issue.key.clone(), issue.summary.clone(), status)
    };
    let mode = match params.theme.as_deref() {
        Some("dark") => "dark",
        _ => "light",
    };
    let editor = match params.editor.as_deref() {
        Some("none") => "",
        Some("server") => SERVER_EDITOR,
        _ => CLOUD_EDITOR,
    };
    Html(format!(
        "<!doctype html><html lang=\"en\" data-color-mode=\"{mode}\"><head>\
         <meta charset=\"utf-8\"><title>[{key}] {summary} - Jira</title>\
         <style>{STYLE}</style></head><body>\
         <main id=\"jira-frontend\"><nav aria-label=\"Breadcrumbs\">{key}</nav>\
         <h1 data-testid=\"issue.views.issue-base.foundation.summary.heading\">{summary}</h1>\
         <p>Status: <span data-testid=\"issue.views.issue-base.foundation.status.\
         status-field-wrapper\">{status}</span></p>\
         <section aria-label=\"Activity\"><h2>Activity</h2>{editor}</section>\
         </main></body></html>",
        key = escape(&key),
        summary = escape(&summary),
        status = escape(&status),
    ))
    .into_response()
}
