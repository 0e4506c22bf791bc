//! The sandboxed minijinja environment: one per compiled template, configured once.

use std::io;
use std::sync::Arc;

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};

use super::context::{GLOBALS, Missing};
use super::date::Stamp;
use super::limits::{FUEL, MAX_OUTPUT_BYTES, MAX_SOURCE_BYTES, RECURSION_LIMIT};
use super::{RenderContext, Schema, TemplateError, UnknownVariable};
use crate::markup;

/// What the rendered text is, which decides how inserted values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A body in the Markdown subset of [`crate::markup`]: inserted values are escaped so
    /// that they read as text and add no formatting (`| safe` opts out).
    Markup,
    /// Plain text such as a mail subject: values are inserted as they are.
    Text,
    /// HTML such as a notification's HTML part: values are HTML-escaped (`| safe` opts
    /// out), so that an issue summary cannot add markup to a customer's mail.
    Html,
}

/// The result of a render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The text (Markdown subset for [`Format::Markup`]).
    pub text: String,
    /// Variables the render looked up that had no value (sorted dotted paths), including
    /// those a `default(...)` then replaced: a preview shows them to the agent.
    pub missing: Vec<String>,
    /// Fuel the render used, out of [`FUEL`]: how close a template comes to the limit.
    pub fuel_used: u64,
}

/// The name under which the one template is held in its environment.
const NAME: &str = "template";

/// A template checked and compiled once, rendered as often as needed.
#[derive(Debug)]
pub struct Compiled {
    env: Environment<'static>,
}

impl Compiled {
    /// Compiles `source`: refuses sources over the size limit, syntax errors (with their
    /// position) and the statements that would reach other templates.
    pub fn new(source: &str, format: Format) -> Result<Self, TemplateError> {
        if source.len() > MAX_SOURCE_BYTES {
            return Err(TemplateError::TooLong { len: source.len() });
        }
        let mut env = sandbox(format);
        env.add_template_owned(NAME, source.to_owned())
            .map_err(|e| TemplateError::from_engine(&e, source))?;
        Ok(Self { env })
    }

    /// The variables the template uses that `schema` does not know, each with the first
    /// line that names it. Loop variables, `set` names and macro arguments are not counted.
    pub fn unknown_variables(&self, schema: &Schema) -> Vec<UnknownVariable> {
        let Ok(template) = self.env.get_template(NAME) else {
            return Vec::new();
        };
        let source = template.source();
        let mut unknown: Vec<UnknownVariable> = template
            .undeclared_variables(true)
            .into_iter()
            .filter(|name| !GLOBALS.contains(&name.as_str()) && !schema.knows(name))
            .map(|name| UnknownVariable {
                line: source
                    .lines()
                    .position(|l| l.contains(name.as_str()))
                    .map(|i| i + 1),
                name,
            })
            .collect();
        unknown.sort();
        unknown
    }

    /// Renders with `context`, within the fuel, depth and output limits.
    pub fn render(&self, context: &RenderContext) -> Result<Rendered, TemplateError> {
        let template = self
            .env
            .get_template(NAME)
            .map_err(|e| TemplateError::from_engine(&e, ""))?;
        let missing = Arc::new(Missing::default());
        let mut out = CappedBuffer::default();
        let result = template.render_captured_to(context.root(&missing), &mut out);
        if out.overflowed {
            return Err(TemplateError::OutputTooLarge);
        }
        let captured = result.map_err(|e| TemplateError::from_engine(&e, template.source()))?;
        let fuel_used = captured
            .state()
            .fuel_levels()
            .map_or(0, |(consumed, _)| consumed);
        let text = String::from_utf8(out.bytes).map_err(|_| TemplateError::Render {
            line: None,
            message: "the output is not valid UTF-8".to_owned(),
        })?;
        Ok(Rendered {
            text,
            missing: missing.take(),
            fuel_used,
        })
    }
}

/// Checks a template at save time: it compiles, and every variable it uses is in `schema`.
pub fn validate(source: &str, schema: &Schema) -> Result<(), TemplateError> {
    let unknown = Compiled::new(source, Format::Text)?.unknown_variables(schema);
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(TemplateError::UnknownVariables(unknown))
    }
}

/// Compiles and renders in one step, for one-off renders; keep a [`Compiled`] to render a
/// template many times.
pub fn render(
    source: &str,
    format: Format,
    context: &RenderContext,
) -> Result<Rendered, TemplateError> {
    Compiled::new(source, format)?.render(context)
}

/// An environment with no loader (and, built without minijinja's `multi_template`
/// feature, no `include`/`import`/`extends` syntax at all), no `debug()` global, the
/// limits of [`super::limits`], lenient undefined values and the `date` filter.
fn sandbox(format: Format) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_debug(false);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(RECURSION_LIMIT);
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.remove_global("debug");
    let mut syntax = SyntaxConfig::builder();
    syntax.trim_blocks(true).lstrip_blocks(true);
    if let Ok(syntax) = syntax.build() {
        env.set_syntax(syntax);
    }
    env.add_filter("date", date_filter);
    if format == Format::Html {
        env.set_auto_escape_callback(|_| AutoEscape::Html);
    }
    if format == Format::Markup {
        env.set_formatter(|out, state, value| {
            if value.is_safe() || value.is_undefined() {
                return minijinja::escape_formatter(out, state, value);
            }
            let mut escaped = String::new();
            markup::escape_into(&value.to_string(), &mut escaped);
            out.write_str(&escaped).map_err(Error::from)
        });
    }
    env
}

/// `{{ issue.due_date | date("%d %B %Y") }}`: formats an ISO 8601 date or date-time (see
/// [`super::date`]); without a format, `%Y-%m-%d` or `%Y-%m-%d %H:%M`. A missing value
/// stays missing, so that `| default(...)` still applies after it.
fn date_filter(value: &Value, format: Option<&str>) -> Result<Value, Error> {
    if value.is_undefined() || value.is_none() {
        return Ok(Value::UNDEFINED);
    }
    let invalid = |message: String| Error::new(ErrorKind::InvalidOperation, message);
    let text = value
        .as_str()
        .ok_or_else(|| invalid(format!("the date filter needs text, not {}", value.kind())))?;
    let stamp = Stamp::parse(text).map_err(|e| invalid(e.to_string()))?;
    let format = format.unwrap_or(if stamp.has_time() {
        "%Y-%m-%d %H:%M"
    } else {
        "%Y-%m-%d"
    });
    stamp
        .format(format)
        .map(Value::from)
        .map_err(|e| invalid(e.to_string()))
}

/// The render's output, refusing to grow past [`MAX_OUTPUT_BYTES`].
#[derive(Debug, Default)]
struct CappedBuffer {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl io::Write for CappedBuffer {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + data.len() > MAX_OUTPUT_BYTES {
            self.overflowed = true;
            return Err(io::Error::other("the output limit is reached"));
        }
        self.bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
