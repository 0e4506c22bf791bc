//! Projects, issue types, fields and permissions.

use postroom_core::ports::tracker::{Field, IssueType, Project, TrackerError};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use crate::client::{JiraClient, seg};
use crate::transport::Call;

#[derive(Deserialize)]
struct ProjectBody {
    id: String,
    key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    lead: Option<LeadBody>,
}

/// The lead as `expand=lead` returns it: `accountId` on Cloud, `name` on Data Center.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LeadBody {
    account_id: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct IssueTypeBody {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    subtask: bool,
}

#[derive(Deserialize)]
struct FieldBody {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    custom: bool,
}

/// `createmeta/{project}/issuetypes` answers `{issueTypes: [...]}` on Cloud and
/// `{values: [...]}` on Data Center.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IssueTypePage {
    #[serde(default)]
    issue_types: Vec<IssueTypeBody>,
    #[serde(default)]
    values: Vec<IssueTypeBody>,
}

impl JiraClient {
    pub(crate) async fn projects_impl(
        &self,
        creatable_only: bool,
    ) -> Result<Vec<Project>, TrackerError> {
        let call =
            Call::new(Method::GET, self.api("/project"), "the projects").query("expand", "lead");
        let bodies: Vec<ProjectBody> = self.send(&call).await?.json("projects")?;
        let mut out = Vec::new();
        for p in bodies {
            if creatable_only {
                match self.issue_types_impl(&p.key).await {
                    Ok(types) if !types.is_empty() => {}
                    Ok(_) | Err(TrackerError::NotFound { .. } | TrackerError::Forbidden { .. }) => {
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
            out.push(Project {
                id: p.id,
                key: p.key,
                name: p.name,
                lead: p.lead.and_then(|l| l.account_id.or(l.name)),
            });
        }
        Ok(out)
    }

    /// Issue types of a project from its create metadata: only types the account may
    /// create, which is what postroom needs.
    pub(crate) async fn issue_types_impl(
        &self,
        project: &str,
    ) -> Result<Vec<IssueType>, TrackerError> {
        let call = Call::new(
            Method::GET,
            self.api(&format!("/issue/createmeta/{}/issuetypes", seg(project))),
            format!("issue types of project {project}"),
        );
        let page: IssueTypePage = self.send(&call).await?.json("issue types")?;
        let bodies = if page.issue_types.is_empty() {
            page.values
        } else {
            page.issue_types
        };
        Ok(bodies
            .into_iter()
            .map(|t| IssueType {
                id: t.id,
                name: t.name,
                subtask: t.subtask,
            })
            .collect())
    }

    /// Field ids the account may set when creating an issue of `type_id` in `project`.
    pub(crate) async fn create_fields(
        &self,
        project: &str,
        type_id: &str,
    ) -> Result<Vec<String>, TrackerError> {
        let call = Call::new(
            Method::GET,
            self.api(&format!(
                "/issue/createmeta/{}/issuetypes/{}",
                seg(project),
                seg(type_id)
            )),
            format!("create fields of project {project}"),
        );
        let page: Value = self.send(&call).await?.json("create fields")?;
        let list = page
            .get("fields")
            .or_else(|| page.get("values"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Ok(list
            .iter()
            .filter_map(|f| {
                f.get("fieldId")
                    .or_else(|| f.get("key"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .collect())
    }

    pub(crate) async fn fields_impl(&self) -> Result<Vec<Field>, TrackerError> {
        let call = Call::new(Method::GET, self.api("/field"), "the fields");
        let bodies: Vec<FieldBody> = self.send(&call).await?.json("fields")?;
        Ok(bodies
            .into_iter()
            .map(|f| Field {
                id: f.id,
                name: f.name,
                custom: f.custom,
            })
            .collect())
    }

    pub(crate) async fn my_permissions_impl(
        &self,
        project: Option<&str>,
        permissions: &[&str],
    ) -> Result<Vec<String>, TrackerError> {
        let mut call = Call::new(
            Method::GET,
            self.api("/mypermissions"),
            "the account's permissions",
        )
        .query("permissions", permissions.join(","));
        if let Some(p) = project {
            call = call.query("projectKey", p);
        }
        let body: Value = self.send(&call).await?.json("permissions")?;
        let granted = body
            .get("permissions")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        Ok(granted
            .into_iter()
            .filter(|(_, v)| v.get("havePermission").and_then(Value::as_bool) == Some(true))
            .map(|(k, _)| k)
            .collect())
    }
}
