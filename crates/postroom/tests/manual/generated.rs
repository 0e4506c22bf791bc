//! The manual's generated pages and the Debian package's configuration file are committed;
//! these tests fail when they differ from what the code generates now, and say which
//! command regenerates them.

use std::path::Path;

use super::repo;
use std::process::Command;

fn postroom(args: &[&str], dir: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_postroom"))
        .args(args)
        .env_remove("POSTROOM_CONFIG")
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "postroom {args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn committed_reference_pages_are_what_the_code_generates() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("reference");
    postroom(
        &["docs", "reference", "--out", out.to_str().unwrap()],
        scratch.path(),
    );
    let committed = repo().join("docs/reference");
    let regenerate = postroom::reference::COMMAND;
    assert_eq!(
        names(&committed),
        names(&out),
        "docs/reference has other pages than the code generates: run `{regenerate}` \
         (and remove stale pages), then commit docs/reference"
    );
    for name in names(&out) {
        let fresh = std::fs::read_to_string(out.join(&name)).unwrap();
        let old = std::fs::read_to_string(committed.join(&name)).unwrap();
        assert!(
            fresh == old,
            "docs/reference/{name} differs from what the code generates: run `{regenerate}` \
             and commit docs/reference"
        );
    }
}

#[test]
fn packaged_configuration_is_what_init_writes_for_var_lib_postroom() {
    let scratch = tempfile::tempdir().unwrap();
    let fresh = postroom(
        &["init", "--stdout", "--data-dir", "/var/lib/postroom"],
        scratch.path(),
    );
    assert!(
        std::fs::read_dir(scratch.path()).unwrap().next().is_none(),
        "init --stdout wrote files"
    );
    let committed =
        std::fs::read_to_string(repo().join("crates/postroom/debian/postroom.toml")).unwrap();
    assert!(
        fresh == committed,
        "crates/postroom/debian/postroom.toml differs from what `postroom init` writes: run \
         `cargo run -p postroom -- init --stdout --data-dir /var/lib/postroom > \
         crates/postroom/debian/postroom.toml` and commit it"
    );
}
