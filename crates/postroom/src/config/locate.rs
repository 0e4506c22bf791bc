//! Turning a key path or a parse error into `file:line`.

use super::ConfigError;

/// The configuration file's text, kept to say on which line a key stands.
pub(super) struct Located<'a> {
    file: &'a str,
    source: &'a str,
}

impl<'a> Located<'a> {
    pub(super) fn new(file: &'a str, source: &'a str) -> Self {
        Self { file, source }
    }

    /// Parses the file into a table, first checking it against the typed configuration so
    /// that a wrong type or an unknown key is reported with its line.
    pub(super) fn parse_table(&self, text: &str) -> Result<toml::Table, ConfigError> {
        if let Err(e) = toml::from_str::<super::Config>(text) {
            let line = e.span().map_or(1, |span| self.line_of_offset(span.start));
            return Err(ConfigError::Syntax {
                file: self.file.to_owned(),
                line,
                message: e.message().trim_end().to_owned(),
            });
        }
        toml::from_str(text).map_err(|e| ConfigError::Syntax {
            file: self.file.to_owned(),
            line: e.span().map_or(1, |span| self.line_of_offset(span.start)),
            message: e.message().trim_end().to_owned(),
        })
    }

    /// An invalid value at `key` (dotted path), located at the line that sets it.
    pub(super) fn invalid(&self, key: &str, message: String) -> ConfigError {
        let origin = match self.line_of_key(key) {
            Some(line) => format!("{}:{line}", self.file),
            None => format!("{} (default)", self.file),
        };
        ConfigError::Invalid {
            origin,
            key: key.to_owned(),
            message,
        }
    }

    fn line_of_offset(&self, offset: usize) -> usize {
        let end = offset.min(self.source.len());
        self.source.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    fn line_of_key(&self, key: &str) -> Option<usize> {
        let document = toml_edit::Document::parse(self.source).ok()?;
        let mut item = document.as_item();
        let mut span = None;
        for segment in key.split('.') {
            let table = item.as_table_like()?;
            let (k, value) = table.get_key_value(segment)?;
            span = k.span().or_else(|| value.span());
            item = value;
        }
        span.map(|s| self.line_of_offset(s.start))
    }
}
