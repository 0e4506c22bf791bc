//! Forge's hosting of an app's Custom UI, as far as a page of the app meets it: the app's
//! resource (the files `forge deploy` uploads) served for one installation, module and
//! signed-in person, with Forge's bridge on the page before the app's own script, so that
//! `@forge/bridge`'s `invokeRemote` reaches the remote the way Forge carries it — a fresh
//! invocation token naming the installation, module and person, the app system token and
//! the person's user token, 25 seconds to answer, and a JSON answer handed back as
//! `{status, headers, body}`.
//!
//! Jira would show the page in an iframe of its own admin or project settings, or of an
//! issue's Activity section; the sandbox serves it whole, and takes the person from
//! `?account=` since it has no sign-in, and for the issue view the issue from `?issue=` and
//! Jira's theme from `?theme=` (what `view.getContext()` and `view.theme.enable()` hand the
//! page). The index (`/`) links every installation's pages for the sandbox's administrator
//! and agent, and opens an issue's view by its key.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{ForgePlatform, SYSTEM_TOKEN_TTL};
use crate::routes::signin::escape;
use crate::state::seed::{ADMIN_ACCOUNT_ID, AGENT_ACCOUNT_ID};

/// How long a Custom UI's call to its remote may take (Forge's limit for UI invocations).
pub const UI_INVOCATION_TIMEOUT: Duration = Duration::from_secs(25);

/// The manifest's resource every settings page shows: the console.
pub const CONSOLE_RESOURCE: &str = "console";
/// The manifest's resource of the issue view: the canned-response picker.
pub const PICKER_RESOURCE: &str = "picker";

/// The modules of `app/forge/manifest.yml` with a page, with what Jira calls the place
/// they appear in and the resource they show.
const MODULES: [(&str, &str, &str); 2] = [
    (
        "postroom-admin",
        "Jira settings → Apps → postroom",
        CONSOLE_RESOURCE,
    ),
    (
        "postroom-project",
        "Project settings → postroom",
        CONSOLE_RESOURCE,
    ),
];

/// The issue-view module (`jira:issueActivity`): a tab of an issue's Activity section.
const ISSUE_MODULE: (&str, &str, &str) = (
    "postroom-issue",
    "Issue → Activity → postroom",
    PICKER_RESOURCE,
);

/// The file the host puts on every page of the app before the app's own script.
const BRIDGE_FILE: &str = "__bridge.js";

/// The stand-in for the bridge Forge injects into a Custom UI page: `invokeRemote`
/// (`callBridge('invoke', …)` with `invokeType` `ui-remote-fetch`), carried to the
/// platform, which calls the remote; `getContext` (the module, the person, and on the issue
/// view the issue); and `enableTheming`, which sets Jira's colour mode on `<html>` as
/// Forge does.
const BRIDGE_SCRIPT: &str = r#"// The Jira sandbox's Forge bridge: invokeRemote, getContext, enableTheming.
(() => {
  const params = new URLSearchParams(location.search);
  const account = params.get('account') || '';
  const issue = params.get('issue') || '';
  const colorMode = params.get('theme') === 'dark' ? 'dark' : 'light';
  const moduleKey = location.pathname.split('/').filter(Boolean).slice(-1)[0] || '';
  const context = () => ({
    accountId: account,
    moduleKey,
    locale: 'en-US',
    theme: { colorMode },
    extension: issue
      ? { type: 'jira:issueActivity', issue: { key: issue }, project: { key: issue.split('-')[0] } }
      : { type: moduleKey === 'postroom-admin' ? 'jira:adminPage' : 'jira:projectSettingsPage' },
  });
  globalThis.__bridge = {
    callBridge: async (name, payload) => {
      if (name === 'getContext') return context();
      if (name === 'enableTheming') {
        document.documentElement.setAttribute('data-color-mode', colorMode);
        return undefined;
      }
      if (name !== 'invoke' || !payload || payload.invokeType !== 'ui-remote-fetch') {
        throw new Error('The sandbox bridge offers invokeRemote, getContext and enableTheming, not ' + name);
      }
      const answer = await fetch('__invoke?account=' + encodeURIComponent(account), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          path: payload.path,
          method: payload.method,
          headers: payload.headers || {},
          body: payload.body === undefined ? null : payload.body,
        }),
      });
      return answer.json();
    },
  };
})();
"#;

/// An app resource: each file's path inside it (`index.html`, `assets/console.js`) and bytes.
pub type ResourceFiles = HashMap<String, Vec<u8>>;

impl ForgePlatform {
    /// Uploads the files of one of the manifest's resources ([`CONSOLE_RESOURCE`],
    /// [`PICKER_RESOURCE`]), as `forge deploy` does.
    pub fn set_resource(&self, resource: &'static str, files: ResourceFiles) {
        self.inner
            .resources
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(resource, Arc::new(files));
    }

    fn resource_file(&self, resource: &str, path: &str) -> Option<Vec<u8>> {
        self.inner
            .resources
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(resource)?
            .get(path)
            .cloned()
    }
}

/// The installation id of the `uuid` a page's URL names.
fn installation(uuid: &str) -> String {
    format!("ari:cloud:ecosystem::installation/{uuid}")
}

/// `GET /`: every installation's console pages, for the administrator and the agent, and a
/// form that opens an issue's view.
pub(super) async fn index(State(platform): State<ForgePlatform>) -> Html<String> {
    let mut installs: Vec<(String, String)> = platform
        .inner
        .installs
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .values()
        .map(|i| {
            (
                i.forge.api_base_url.clone(),
                i.forge.installation_id.clone(),
            )
        })
        .collect();
    installs.sort();
    // Absolute links: the index answers at the platform's root with or without a slash.
    let own = platform
        .inner
        .own_url
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .unwrap_or_default();
    let mut items = String::new();
    for (site, id) in &installs {
        let uuid = id.rsplit('/').next().unwrap_or(id);
        items.push_str(&format!("<li><h2>{}</h2><ul>", escape(site)));
        for (module, place, _) in MODULES {
            for (who, account) in [
                ("the administrator", ADMIN_ACCOUNT_ID),
                ("the agent", AGENT_ACCOUNT_ID),
            ] {
                items.push_str(&format!(
                    "<li><a href=\"{}/ui/{uuid}/{module}/?account={}\">{} (as {who})</a></li>",
                    escape(&own),
                    escape(account),
                    escape(place)
                ));
            }
        }
        let (module, place, _) = ISSUE_MODULE;
        items.push_str(&format!(
            "</ul><form method=\"get\" action=\"{own}/ui/{uuid}/{module}/\" \
             aria-label=\"{place} on {site}\"><h3>{place}</h3>\
             <label>Issue key <input name=\"issue\" required></label> \
             <label>As <select name=\"account\"><option value=\"{agent}\">the agent</option>\
             <option value=\"{admin}\">the administrator</option></select></label> \
             <label>Jira's theme <select name=\"theme\"><option>light</option>\
             <option>dark</option></select></label> \
             <button type=\"submit\">Open the issue's activity</button></form></li>",
            own = escape(&own),
            place = escape(place),
            site = escape(site),
            agent = escape(AGENT_ACCOUNT_ID),
            admin = escape(ADMIN_ACCOUNT_ID),
        ));
    }
    if installs.is_empty() {
        items.push_str("<li>The app is installed nowhere yet.</li>");
    }
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Forge sandbox: \
         postroom's app</title></head><body><main><h1>postroom's app in the sandbox's \
         Cloud sites</h1><ul>{items}</ul></main></body></html>"
    ))
}

/// `GET /ui/{uuid}/{module}`: on to the page's own folder, where its relative paths work.
pub(super) async fn page_root(
    Path((_uuid, module)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Redirect {
    let query = query.map(|q| format!("?{q}")).unwrap_or_default();
    Redirect::to(&format!("{module}/{query}"))
}

/// `GET /ui/{uuid}/{module}/`: the resource's page.
pub(super) async fn page_index(
    State(platform): State<ForgePlatform>,
    Path((uuid, module)): Path<(String, String)>,
) -> Response {
    serve(&platform, &uuid, &module, "index.html")
}

/// `GET /ui/{uuid}/{module}/{*path}`: a file of the resource.
pub(super) async fn file(
    State(platform): State<ForgePlatform>,
    Path((uuid, module, path)): Path<(String, String, String)>,
) -> Response {
    serve(&platform, &uuid, &module, &path)
}

/// The resource a module of the manifest shows.
fn resource_of(module: &str) -> Option<&'static str> {
    MODULES
        .iter()
        .chain([&ISSUE_MODULE])
        .find(|(key, _, _)| *key == module)
        .map(|(_, _, resource)| *resource)
}

/// A file of the resource `module` shows for installation `uuid`, with the bridge on its
/// page.
fn serve(platform: &ForgePlatform, uuid: &str, module: &str, path: &str) -> Response {
    let Some(resource) =
        resource_of(module).filter(|_| platform.installed(&installation(uuid)).is_some())
    else {
        return (StatusCode::NOT_FOUND, "no such app page").into_response();
    };
    if path == BRIDGE_FILE {
        return typed(
            "text/javascript; charset=utf-8",
            BRIDGE_SCRIPT.as_bytes().to_vec(),
        );
    }
    let Some(bytes) = platform.resource_file(resource, path) else {
        return (StatusCode::NOT_FOUND, "no such file in the resource").into_response();
    };
    if path == "index.html" {
        let page = String::from_utf8_lossy(&bytes).replacen(
            "<head>",
            &format!("<head>\n    <script src=\"{BRIDGE_FILE}\"></script>"),
            1,
        );
        return typed("text/html; charset=utf-8", page.into_bytes());
    }
    let kind = match path.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    };
    typed(kind, bytes)
}

fn typed(kind: &'static str, bytes: Vec<u8>) -> Response {
    let mut response = bytes.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    response
}

/// What the page's bridge asks to be carried to the remote.
#[derive(Debug, Deserialize)]
pub(super) struct Invoke {
    path: String,
    method: String,
    #[serde(default)]
    headers: Map<String, Value>,
    #[serde(default)]
    body: Value,
}

/// The bridge's answer for `invokeRemote`: `{success, payload | error}`, each
/// `{status, headers, body}` as `@forge/bridge` hands it to the app.
fn bridge_answer(status: u16, headers: Value, body: Value) -> Json<Value> {
    let answer = json!({"status": status, "headers": headers, "body": body});
    if (200..300).contains(&status) {
        Json(json!({"success": true, "payload": answer}))
    } else {
        Json(json!({"success": false, "error": answer}))
    }
}

/// `POST /ui/{uuid}/{module}/__invoke?account=…`: one `invokeRemote` of the page.
pub(super) async fn invoke(
    State(platform): State<ForgePlatform>,
    Path((uuid, module)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    Json(call): Json<Invoke>,
) -> Json<Value> {
    let refused = |status: u16, why: &str| bridge_answer(status, json!({}), json!({"error": why}));
    let installation_id = installation(&uuid);
    let principal = query.get("account").filter(|a| !a.is_empty()).cloned();
    let Some(installed) = platform.installed(&installation_id) else {
        return refused(404, "the app is not installed on this site");
    };
    let method = match call.method.as_str() {
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" => call.method.as_str(),
        _ => return refused(400, "invokeRemote takes GET, POST, PUT, PATCH or DELETE"),
    };
    if !call.path.starts_with('/') {
        return refused(400, "invokeRemote's path must start with /");
    }
    let (Some(fit), Some(system)) = (
        platform.invocation_token(&installation_id, &module, principal.as_deref()),
        platform.system_token(&installation_id, SYSTEM_TOKEN_TTL),
    ) else {
        return refused(404, "the app is not installed on this site");
    };
    let url = format!(
        "{}{}",
        platform
            .inner
            .remote
            .read()
            .unwrap_or_else(PoisonError::into_inner),
        call.path
    );
    let mut request = platform
        .inner
        .http
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET),
            &url,
        )
        .timeout(UI_INVOCATION_TIMEOUT)
        .bearer_auth(fit)
        .header("x-forge-oauth-system", system);
    if let Some((user, _)) = principal.as_deref().and_then(|account| {
        installed
            .site
            .grant_forge_token(&installation_id, Some(account), SYSTEM_TOKEN_TTL)
    }) {
        request = request.header("x-forge-oauth-user", user);
    }
    for name in ["accept", "content-type"] {
        if let Some(value) = call
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
        {
            request = request.header(name, value);
        }
    }
    if !call.body.is_null() && method != "GET" {
        request = request.json(&call.body);
    }
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) if e.is_timeout() => return refused(504, "the remote did not answer in 25 s"),
        Err(_) => return refused(502, "the remote cannot be reached"),
    };
    let status = response.status().as_u16();
    let mut headers = Map::new();
    for (name, value) in response.headers() {
        if let Ok(value) = value.to_str() {
            let entry = headers
                .entry(name.as_str().to_owned())
                .or_insert_with(|| json!([]));
            if let Some(list) = entry.as_array_mut() {
                list.push(json!(value));
            }
        }
    }
    let text = response.text().await.unwrap_or_default();
    // Forge hands the app only JSON answers (or none).
    let body = if text.trim().is_empty() {
        Value::Null
    } else {
        match serde_json::from_str::<Value>(&text) {
            Ok(v) => v,
            Err(_) => return refused(502, "the remote's answer is not JSON"),
        }
    };
    bridge_answer(status, Value::Object(headers), body)
}
