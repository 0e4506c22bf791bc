use std::fs;
use std::io::Cursor;

use super::*;

fn read_all(paths: &[&str], stdin: &str, max: usize) -> Vec<InputMessage> {
    let paths = paths.iter().map(|p| (*p).to_owned()).collect();
    Inputs::new(paths, Cursor::new(stdin.as_bytes().to_vec()), max).collect()
}

fn ok(item: &InputMessage) -> &[u8] {
    item.bytes.as_ref().unwrap()
}

#[test]
fn single_eml_skips_a_leading_from_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.eml");
    fs::write(
        &path,
        "From x@y Mon Jan 1\nSubject: a\n\nbody\n\nFrom the bottom\n",
    )
    .unwrap();
    let given = path.to_str().unwrap();
    let items = read_all(&[given], "", 1000);
    assert_eq!(
        items.len(),
        1,
        "an .eml file is one message even if it looks like an mbox"
    );
    assert_eq!(
        items[0].source,
        Source {
            path: given.into(),
            index: 0
        }
    );
    assert_eq!(ok(&items[0]), b"Subject: a\n\nbody\n\nFrom the bottom\n");
}

#[test]
fn mbox_file_is_split_with_positions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inbox");
    fs::write(
        &path,
        "From a\nSubject: 1\n\none\n\nFrom b\nSubject: 2\n\ntwo\n",
    )
    .unwrap();
    let given = path.to_str().unwrap();
    let items = read_all(&[given], "", 1000);
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[1].source,
        Source {
            path: given.into(),
            index: 1
        }
    );
    assert_eq!(ok(&items[1]), b"Subject: 2\n\ntwo\n");
}

#[test]
fn mbox_without_a_leading_separator_yields_every_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.mbox");
    let mut text = String::from("exported by a tool\n\n");
    for n in 0..10 {
        text.push_str(&format!(
            "From ann@example.com Mon Jan  1 10:00:0{n} 2024\nSubject: {n}\n\nbody {n}\n\n"
        ));
    }
    fs::write(&path, text).unwrap();
    let items = read_all(&[path.to_str().unwrap()], "", 1000);
    assert_eq!(items.len(), 11, "the preamble and ten messages");
    assert!(matches!(
        items[0].bytes,
        Err(InputError::NotAMessage { size: 20 })
    ));
    for (n, item) in items[1..].iter().enumerate() {
        assert_eq!(ok(item), format!("Subject: {n}\n\nbody {n}\n").as_bytes());
    }
}

#[test]
fn a_message_file_with_a_paragraph_starting_with_from_is_one_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mail");
    fs::write(&path, "Subject: a\n\nhi\n\nFrom me, thanks.\n").unwrap();
    let items = read_all(&[path.to_str().unwrap()], "", 1000);
    assert_eq!(items.len(), 1);
    assert_eq!(ok(&items[0]), b"Subject: a\n\nhi\n\nFrom me, thanks.\n");
}

#[test]
fn directory_yields_eml_files_in_name_order_and_ignores_others() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("b.eml"), "Subject: b\n\n").unwrap();
    fs::write(dir.path().join("a.EML"), "Subject: a\n\n").unwrap();
    fs::write(dir.path().join("notes.txt"), "not mail").unwrap();
    let items = read_all(&[dir.path().to_str().unwrap()], "", 1000);
    let names: Vec<_> = items
        .iter()
        .map(|i| i.source.path.rsplit('/').next().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["a.EML", "b.eml"]);
    assert!(items.iter().all(|i| i.source.index == 0));
}

#[test]
fn maildir_reads_new_then_cur_with_indexes() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["new", "cur", "tmp"] {
        fs::create_dir(dir.path().join(sub)).unwrap();
    }
    fs::write(dir.path().join("cur/1.host:2,S"), "Subject: seen\n\n").unwrap();
    fs::write(dir.path().join("new/2.host"), "Subject: new\n\n").unwrap();
    fs::write(dir.path().join("tmp/3.host"), "Subject: partial\n\n").unwrap();
    let given = dir.path().to_str().unwrap();
    let items = read_all(&[given], "", 1000);
    assert_eq!(
        items.len(),
        2,
        "tmp/ holds deliveries in progress and is skipped"
    );
    assert_eq!(ok(&items[0]), b"Subject: new\n\n");
    assert_eq!(
        items[1].source,
        Source {
            path: given.into(),
            index: 1
        }
    );
}

#[test]
fn stdin_is_one_message_and_read_once() {
    let items = read_all(&["-", "-"], "From me\nSubject: s\n\nhi\n", 1000);
    assert_eq!(ok(&items[0]), b"Subject: s\n\nhi\n");
    assert_eq!(ok(&items[1]), b"", "stdin was consumed by the first -");
}

#[test]
fn oversized_inputs_are_refused_without_stopping_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.eml");
    fs::write(&big, vec![b'x'; 2000]).unwrap();
    let small = dir.path().join("small.eml");
    fs::write(&small, "Subject: s\n\n").unwrap();
    let items = read_all(
        &[big.to_str().unwrap(), "-", small.to_str().unwrap()],
        &"y".repeat(1500),
        1000,
    );
    assert!(matches!(
        items[0].bytes,
        Err(InputError::TooLarge {
            size: 2000,
            limit: 1000
        })
    ));
    assert!(matches!(
        items[1].bytes,
        Err(InputError::TooLarge { size: 1001, .. })
    ));
    assert_eq!(ok(&items[2]), b"Subject: s\n\n");
}

#[test]
fn missing_path_is_an_error_item_naming_it() {
    let items = read_all(&["/nonexistent/postroom/x.eml"], "", 1000);
    assert_eq!(items.len(), 1);
    let err = items[0].bytes.as_ref().unwrap_err().to_string();
    assert!(err.contains("/nonexistent/postroom/x.eml"), "{err}");
}

#[test]
fn empty_directory_yields_nothing() {
    let dir = tempfile::tempdir().unwrap();
    assert!(read_all(&[dir.path().to_str().unwrap()], "", 1000).is_empty());
}
