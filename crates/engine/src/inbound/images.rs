//! Uploaded inline images shown where the mail showed them (see [`super::execute`] for
//! the order of writes that keeps this exactly-once).

use postroom_core::ports::tracker::{IssueUpdate, Tracker};
use postroom_core::post::{self, Author, InlineImage};

use super::upload::OnIssue;
use super::{Failure, Report};

/// How a body shows the part with this Content-ID: the attachment that holds it.
pub(super) fn shown(on_issue: &OnIssue, content_id: &str) -> Option<InlineImage> {
    let a = on_issue.get(content_id)?;
    Some(InlineImage {
        file_name: a.file_name.clone(),
        url: a.content_url.clone()?,
    })
}

/// Sets the new issue's description once more, with its inline images in place, when it
/// shows any. Jira refusing the edit is reported; the issue and its files stand.
pub(super) async fn show_in_description<T: Tracker>(
    tracker: &T,
    issue_key: &str,
    author: Option<&Author>,
    body: &str,
    on_issue: &OnIssue,
    report: &mut Report,
) -> Result<(), Failure> {
    let images = |cid: &str| shown(on_issue, cid);
    if !post::shows_images(body, &images) {
        return Ok(());
    }
    let update = IssueUpdate {
        fields: serde_json::Map::new(),
        rich_text: vec![(
            "description".to_owned(),
            post::compose(author, body, &images),
        )],
    };
    match tracker.edit_issue(issue_key, &update).await {
        Ok(()) => report.lines.push(format!(
            "jira: description of {issue_key} shows its inline images in place"
        )),
        Err(e) if e.is_transient() => return Err(e.into()),
        Err(e) => report.lines.push(format!(
            "jira: inline images not shown in the description of {issue_key}: {e}"
        )),
    }
    Ok(())
}
