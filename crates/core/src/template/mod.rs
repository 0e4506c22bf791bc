//! The one template engine of postroom: canned responses, acknowledgements and
//! notifications all render through it.
//!
//! Templates are written by Jira administrators and agents, so the engine is a sandbox
//! (minijinja, configured in `engine`): a template sees only the [`RenderContext`] it is
//! given, cannot include, import or extend another template (the syntax does not exist
//! here), reaches no file or network, and renders within the bounds of [`limits`]: a
//! budget of work ([`limits::FUEL`]), a nesting depth and an output size. It is pure: no
//! clock is read, "today" is handed in.
//!
//! Use: [`validate`] when a template is saved (syntax errors with line and column, unknown
//! variable names against a [`Schema`]), [`Compiled::new`] once and [`Compiled::render`]
//! per use (or [`render`] for one-off renders). A render returns the text and the
//! variables that had no value. Bodies are in the Markdown subset of [`crate::markup`]
//! ([`Format::Markup`]), which turns them into ADF or wiki markup.
//!
//! # Variables of an issue (a contract with template authors)
//!
//! Built by [`IssueContext::build`]; [`issue_schema`] lists them for validation.
//!
//! | variable | value |
//! | --- | --- |
//! | `issue.key`, `issue.id` | `SUP-12`, `10012` |
//! | `issue.summary` | the summary |
//! | `issue.status`, `issue.priority`, `issue.type`, `issue.resolution` | their names |
//! | `issue.project.key`, `issue.project.name` | `SUP`, `Support` |
//! | `issue.due_date` | ISO date, `2026-11-30` |
//! | `issue.created`, `issue.updated` | ISO date-time as Jira sends it, `2026-11-23T10:43:49.123+0000` |
//! | `issue.labels`, `issue.components` | lists of names (`{{ issue.labels \| join(", ") }}`) |
//! | `issue.description` | plain text of the description |
//! | `issue.link` | `https://site/browse/SUP-12` |
//! | `issue.fields.ID`, `issue.fields["Name"]` | any field returned with the issue, by id (`issue.fields.customfield_10050`) or by its unambiguous name: rich text as plain text, users by display name, options by value, versions and other named values by name, lists item by item |
//! | `reporter.*`, `assignee.*`, `agent.*` | `display_name`, `first_name` (first word of the display name, or the word after the comma of `Last, First`; none for an e-mail address), `email` (only when Jira shows it), `account_id`; `agent` is the user applying the template |
//! | `today` | the reader's date, ISO (`2026-11-23`) |
//!
//! A field that is empty in Jira has no value: it renders as nothing, is false in
//! `{% if %}`, takes a `default` (`{{ reporter.first_name | default("there") }}`), and is
//! listed in [`Rendered::missing`]. An unassigned issue's `assignee` is empty the same way.
//!
//! # Filters
//!
//! minijinja's builtin filters (`default`, `upper`, `join`, `replace`, `truncate`…), and
//! `date(format)`: `{{ issue.due_date | date("%d %B %Y") }}` → `30 November 2026`. The
//! directives are `%Y %y %m %d %B %b %A %a %H %I %M %S %p %z %%`, with `%-d` style for no
//! leading zero; month and weekday names are English; a time is shown in the UTC offset it
//! carries.

mod context;
pub mod date;
mod engine;
mod error;
mod issue_context;
pub mod limits;
mod schema;

#[cfg(test)]
mod proptests;

pub use context::RenderContext;
pub use date::{CalendarDate, DateError};
pub use engine::{Compiled, Format, Rendered, render, validate};
pub use error::{TemplateError, UnknownVariable};
pub use issue_context::{IssueContext, issue_schema};
pub use schema::Schema;
