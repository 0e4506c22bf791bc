//! The starter templates shipped with postroom, in the exchange format, one file per
//! language under `crates/engine/starter/` (see the README on adding a translation).

/// Languages with starter templates, and their files.
const STARTERS: [(&str, &str); 1] = [("en", include_str!("../../starter/en.json"))];

/// The starter templates in `language` (e.g. `en`) as an export file, `None` when there is
/// no translation.
pub fn starter(language: &str) -> Option<&'static str> {
    STARTERS
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(language))
        .map(|(_, file)| *file)
}

/// The languages that have starter templates.
pub fn starter_languages() -> impl Iterator<Item = &'static str> {
    STARTERS.iter().map(|(code, _)| *code)
}

#[cfg(test)]
mod tests {
    use postroom_core::canned::parse_import;
    use postroom_core::template::issue_schema;

    use super::*;

    #[test]
    fn every_starter_file_imports_cleanly() {
        for language in starter_languages() {
            let file = starter(language).unwrap_or_default();
            let drafts = parse_import(file.as_bytes(), &issue_schema(&[]))
                .unwrap_or_else(|e| panic!("{language}: {e}"));
            let names: Vec<&str> = drafts.iter().map(|d| d.name.as_str()).collect();
            assert_eq!(names.len(), 5, "{language}: {names:?}");
        }
        assert_eq!(starter("EN"), starter("en"));
        assert!(starter("xx").is_none());
    }
}
