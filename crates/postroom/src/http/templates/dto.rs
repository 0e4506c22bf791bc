//! The JSON shapes of `/api/v1/templates`, documented in the OpenAPI description, and their
//! conversion to and from the core types.

use std::collections::BTreeMap;

use postroom_core::canned::{Access, Draft, Scope};
use postroom_engine::responses::{Applied, Preview, Visible};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::FieldError;

/// Who a template is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    Personal,
    Projects,
    Groups,
    Global,
}

/// A scope: `personal` and `global` take no values; `projects` lists project keys and
/// `groups` group names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ScopeBody {
    pub kind: ScopeKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// The part of a template an agent writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DraftBody {
    pub name: String,
    /// Markdown subset with template variables (`{{ reporter.first_name }}`).
    pub body: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub folder: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub scope: ScopeBody,
}

impl DraftBody {
    /// The core draft; a scope kind given values it does not take is a field error.
    pub fn into_draft(self) -> Result<Draft, FieldError> {
        let ScopeBody { kind, values } = self.scope;
        let scope = match kind {
            ScopeKind::Projects => Scope::Projects(values),
            ScopeKind::Groups => Scope::Groups(values),
            ScopeKind::Personal | ScopeKind::Global if !values.is_empty() => {
                return Err(FieldError {
                    field: "scope.values".to_owned(),
                    message: "personal and global scopes take no values".to_owned(),
                });
            }
            ScopeKind::Personal => Scope::Personal,
            ScopeKind::Global => Scope::Global,
        };
        Ok(Draft {
            name: self.name,
            body: self.body,
            description: self.description,
            folder: self.folder,
            tags: self.tags,
            scope,
        })
    }

    pub(super) fn of(draft: Draft) -> Self {
        let kind = match &draft.scope {
            Scope::Personal => ScopeKind::Personal,
            Scope::Projects(_) => ScopeKind::Projects,
            Scope::Groups(_) => ScopeKind::Groups,
            Scope::Global => ScopeKind::Global,
        };
        let values = draft.scope.values().to_vec();
        Self {
            name: draft.name,
            body: draft.body,
            description: draft.description,
            folder: draft.folder,
            tags: draft.tags,
            scope: ScopeBody { kind, values },
        }
    }
}

/// A stored template, as the caller may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TemplateBody {
    pub id: String,
    #[serde(flatten)]
    pub draft: DraftBody,
    /// Jira account id of its creator.
    pub owner_account_id: String,
    /// Unix ms.
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// Number of uses (a count only).
    pub usage_count: i64,
    pub last_used_at_ms: Option<i64>,
    /// `use`, or `administer` when the caller may change and delete it.
    pub access: String,
}

impl From<Visible> for TemplateBody {
    fn from(v: Visible) -> Self {
        let t = v.template;
        Self {
            id: t.id,
            draft: DraftBody::of(t.draft),
            owner_account_id: t.owner,
            created_at_ms: t.created_ms,
            updated_at_ms: t.updated_ms,
            usage_count: t.usage_count,
            last_used_at_ms: t.last_used_ms,
            access: match v.access {
                Access::Administer => "administer",
                _ => "use",
            }
            .to_owned(),
        }
    }
}

/// The issue to render a template for.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RenderRequest {
    /// Issue key, e.g. `SUP-12`.
    pub issue: String,
    /// Text for variables the issue has no value for, by dotted path as `missing` names
    /// them; a value the issue has is never replaced.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// True when the agent inserted the template into a reply (the picker's Enter), not
    /// just looked at it: counted for Insights.
    #[serde(default)]
    pub inserted: bool,
}

/// A rendered template.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreviewBody {
    /// The text in the Markdown subset.
    pub text: String,
    /// Variables that had no value on this issue.
    pub missing: Vec<String>,
}

impl From<Preview> for PreviewBody {
    fn from(p: Preview) -> Self {
        Self {
            text: p.text,
            missing: p.missing,
        }
    }
}

/// How to apply a template.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ApplyRequestBody {
    /// Issue key, e.g. `SUP-12`.
    pub issue: String,
    /// Jira Service Management: `false` for an internal note, `true` for a reply the
    /// customer sees; absent leaves Jira's default.
    #[serde(default)]
    pub public: Option<bool>,
    /// A transition to perform after commenting, by id or name ("Wait for customer").
    #[serde(default)]
    pub transition: Option<String>,
    /// Text for variables the issue has no value for, by dotted path; a value the issue
    /// has is never replaced.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
}

/// What applying did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppliedBody {
    pub comment_id: String,
    pub text: String,
    pub missing: Vec<String>,
    pub transition_id: Option<String>,
}

impl From<Applied> for AppliedBody {
    fn from(a: Applied) -> Self {
        Self {
            comment_id: a.comment_id,
            text: a.preview.text,
            missing: a.preview.missing,
            transition_id: a.transition_id,
        }
    }
}

/// The exchange format (`format` is `postroom.templates`, `version` is 1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExportBody {
    pub format: String,
    pub version: u32,
    pub templates: Vec<DraftBody>,
}

impl From<postroom_core::canned::Export> for ExportBody {
    fn from(e: postroom_core::canned::Export) -> Self {
        Self {
            format: e.format,
            version: e.version,
            templates: e.templates.into_iter().map(DraftBody::of).collect(),
        }
    }
}

/// The templates an import created.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedBody {
    pub imported: Vec<TemplateBody>,
}
