#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The stand-in for Jira's issue page (`routes::browse`): the structure a script on Jira's
//! page relies on — the key in the address, Cloud's ProseMirror editor, Data Center's
//! textarea, none at all, the colour mode — with the issue's own text escaped, and no
//! credentials needed, as for a reader Jira has signed in.

mod common;

/// The page at `path`, fetched with no credentials: its status and body.
async fn page(site: &common::Site, path: &str) -> (u16, String) {
    let answer = site
        .http
        .get(format!("{}{path}", site.sb.base_url))
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test]
async fn issue_page_shows_the_issue_with_the_editor_asked_for() {
    let site = common::start().await;
    let key = site.create("Printer <b>on fire</b> & smoking").await;

    let (status, cloud) = page(&site, &format!("/browse/{key}")).await;
    assert_eq!(status, 200);
    assert!(cloud.contains("Printer &lt;b&gt;on fire&lt;/b&gt; &amp; smoking"));
    assert!(
        !cloud.contains("<b>on fire"),
        "the summary is text, not markup"
    );
    assert!(cloud.contains("data-color-mode=\"light\""));
    assert!(cloud.contains("class=\"ProseMirror\" contenteditable=\"true\""));
    assert!(!cloud.contains("<textarea"));

    let (_, server) = page(&site, &format!("/browse/{key}?editor=server&theme=dark")).await;
    assert!(server.contains("<textarea id=\"comment\" name=\"comment\""));
    assert!(!server.contains("class=\"ProseMirror\""));
    assert!(server.contains("data-color-mode=\"dark\""));

    let (_, none) = page(&site, &format!("/browse/{key}?editor=none")).await;
    assert!(!none.contains("contenteditable") && !none.contains("<textarea"));
    assert!(none.contains(&key));
}

#[tokio::test]
async fn the_navigator_reads_the_selected_issue_and_keys_are_case_insensitive() {
    let site = common::start().await;
    let key = site.create("Navigator issue").await;
    let (status, body) = page(
        &site,
        &format!(
            "/issues/?jql=project%3DSUP&selectedIssue={}",
            key.to_lowercase()
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("Navigator issue"));
    assert!(
        body.contains(&format!("[{key}]")),
        "the page names the issue by its key"
    );
}

#[tokio::test]
async fn an_unknown_or_missing_issue_is_not_found() {
    let site = common::start().await;
    for path in [
        "/browse/SUP-999999",
        "/browse/%3Cscript%3E",
        "/issues/",
        "/issues/?selectedIssue=",
    ] {
        let (status, body) = page(&site, path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("<script>"), "{path}");
    }
}
