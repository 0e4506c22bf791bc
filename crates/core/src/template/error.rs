//! What can go wrong with a template, in terms its author can act on.

use super::limits::{FUEL, MAX_OUTPUT_BYTES, MAX_SOURCE_BYTES, RECURSION_LIMIT};

/// A template that could not be saved or rendered. Every variant says where (1-based line,
/// and column when known) and what to change; none carries a rendered value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The source is longer than [`MAX_SOURCE_BYTES`].
    #[error("the template is {len} bytes long; the limit is {MAX_SOURCE_BYTES} bytes")]
    TooLong {
        /// Length of the source in bytes.
        len: usize,
    },
    /// The source is not valid template syntax.
    #[error("syntax error at {}: {message}", position(*line, *column))]
    Syntax {
        /// Line of the error.
        line: usize,
        /// Column (in characters) of the error, when known.
        column: Option<usize>,
        /// What the parser expected or found.
        message: String,
    },
    /// `include`, `import`, `from`, `extends` or `block`: a template stands alone, so that
    /// it can never reach another template or a file.
    #[error(
        "{statement:?} is not allowed (line {line}): a template cannot include, import or extend another template"
    )]
    Forbidden {
        /// The statement's keyword.
        statement: String,
        /// Line of the statement.
        line: usize,
    },
    /// Names the template uses that the context will never have (typos, mostly).
    #[error("unknown variables: {}", list(.0))]
    UnknownVariables(Vec<UnknownVariable>),
    /// The render used up its budget of [`FUEL`] steps (a loop that does not end, a value
    /// grown without bound).
    #[error("the template does too much work (a loop or value too large for the budget of {FUEL} steps){}", at(*line))]
    TooMuchWork {
        /// Line that was running, when known.
        line: Option<usize>,
    },
    /// Macros or blocks nested deeper than [`RECURSION_LIMIT`].
    #[error("the template nests too deeply (more than {RECURSION_LIMIT} levels of macros, loops or conditions){}", at(*line))]
    TooDeep {
        /// Line that was running, when known.
        line: Option<usize>,
    },
    /// The text grew past [`MAX_OUTPUT_BYTES`].
    #[error("the rendered text would be longer than {MAX_OUTPUT_BYTES} bytes")]
    OutputTooLarge,
    /// Any other failure while rendering: a filter given the wrong kind of value, a call
    /// of something that is not a function.
    #[error("rendering failed{}: {message}", at(*line))]
    Render {
        /// Line that was running, when known.
        line: Option<usize>,
        /// What went wrong.
        message: String,
    },
}

/// A variable the template uses that the schema does not know.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnknownVariable {
    /// The dotted path as written, e.g. `reporter.frist_name`.
    pub name: String,
    /// The first line where it appears, when it is written out in full there.
    pub line: Option<usize>,
}

fn position(line: usize, column: Option<usize>) -> String {
    match column {
        Some(column) => format!("line {line}, column {column}"),
        None => format!("line {line}"),
    }
}

fn at(line: Option<usize>) -> String {
    line.map(|l| format!(" (line {l})")).unwrap_or_default()
}

fn list(unknown: &[UnknownVariable]) -> String {
    let names: Vec<String> = unknown
        .iter()
        .map(|u| match u.line {
            Some(line) => format!("{} (line {line})", u.name),
            None => u.name.clone(),
        })
        .collect();
    names.join(", ")
}

const FORBIDDEN: [&str; 5] = ["include", "import", "from", "extends", "block"];

impl TemplateError {
    /// Translates a minijinja error, with the source for positions.
    pub(crate) fn from_engine(err: &minijinja::Error, source: &str) -> Self {
        use minijinja::ErrorKind;
        let line = err.line();
        let detail = err.detail().unwrap_or_default();
        match err.kind() {
            ErrorKind::SyntaxError => {
                let line = line.unwrap_or(1);
                if let Some(statement) = detail
                    .strip_prefix("unknown statement ")
                    .filter(|s| FORBIDDEN.contains(s))
                {
                    return Self::Forbidden {
                        statement: statement.to_owned(),
                        line,
                    };
                }
                Self::Syntax {
                    line,
                    column: err.range().map(|r| column(source, r.start)),
                    message: detail.to_owned(),
                }
            }
            ErrorKind::OutOfFuel => Self::TooMuchWork { line },
            ErrorKind::InvalidOperation if detail.contains("recursion") => Self::TooDeep { line },
            _ => Self::Render {
                line,
                message: match detail {
                    "" => err.kind().to_string(),
                    detail => format!("{}: {detail}", err.kind()),
                },
            },
        }
    }
}

/// The 1-based column, in characters, of byte offset `at` in `source`.
fn column(source: &str, at: usize) -> usize {
    let at = (0..=at.min(source.len()))
        .rev()
        .find(|&i| source.is_char_boundary(i))
        .unwrap_or(0);
    let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
    source[line_start..at].chars().count() + 1
}
