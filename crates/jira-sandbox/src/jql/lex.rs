//! JQL tokens.

use super::JqlError;

/// One token with its 1-based character position (for Jira's "(line 1, character N)").
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What the token is.
    pub kind: Tok,
    /// 1-based character position.
    pub pos: usize,
}

/// Token kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A bare word: field name, keyword, value, `-15m`, `issue.property[k].p`.
    Word(String),
    /// A quoted string (single or double quotes), unescaped.
    Quoted(String),
    /// An operator: `=`, `!=`, `~`, `!~`, `>`, `>=`, `<`, `<=`.
    Op(&'static str),
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// `,`.
    Comma,
}

fn word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '[' | ']' | ':' | '/' | '+' | '@' | '*')
}

/// Splits a JQL string into tokens.
pub fn tokens(input: &str) -> Result<Vec<Token>, JqlError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        let next = chars.get(i + 1).copied();
        let (kind, len) = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => (Tok::Open, 1),
            ')' => (Tok::Close, 1),
            ',' => (Tok::Comma, 1),
            '=' => (Tok::Op("="), 1),
            '~' => (Tok::Op("~"), 1),
            '!' if next == Some('=') => (Tok::Op("!="), 2),
            '!' if next == Some('~') => (Tok::Op("!~"), 2),
            '>' if next == Some('=') => (Tok::Op(">="), 2),
            '<' if next == Some('=') => (Tok::Op("<="), 2),
            '>' => (Tok::Op(">"), 1),
            '<' => (Tok::Op("<"), 1),
            '"' | '\'' => {
                let (text, len) = quoted(&chars[i..], pos)?;
                (Tok::Quoted(text), len)
            }
            c if word_char(c) => {
                let len = chars[i..].iter().take_while(|c| word_char(**c)).count();
                (Tok::Word(chars[i..i + len].iter().collect()), len)
            }
            other => {
                return Err(JqlError::Syntax(format!(
                    "Error in the JQL Query: The character '{other}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u{:04x}' instead. (line 1, character {pos})",
                    other as u32
                )));
            }
        };
        out.push(Token { kind, pos });
        i += len;
    }
    Ok(out)
}

fn quoted(chars: &[char], pos: usize) -> Result<(String, usize), JqlError> {
    let quote = chars[0];
    let mut text = String::new();
    let mut i = 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                text.push(chars[i + 1]);
                i += 2;
            }
            c if c == quote => return Ok((text, i + 1)),
            c => {
                text.push(c);
                i += 1;
            }
        }
    }
    Err(JqlError::Syntax(format!(
        "Error in the JQL Query: The quoted string '{text}' has not been completed. (line 1, character {pos})"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_operators_words_and_strings() {
        let toks =
            tokens(r#"created >= -15m AND "E-mail participants" ~ 'a\'b' AND key!=SUP-1"#).unwrap();
        let kinds: Vec<_> = toks.into_iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            vec![
                Tok::Word("created".into()),
                Tok::Op(">="),
                Tok::Word("-15m".into()),
                Tok::Word("AND".into()),
                Tok::Quoted("E-mail participants".into()),
                Tok::Op("~"),
                Tok::Quoted("a'b".into()),
                Tok::Word("AND".into()),
                Tok::Word("key".into()),
                Tok::Op("!="),
                Tok::Word("SUP-1".into()),
            ]
        );
    }

    #[test]
    fn unterminated_string_and_reserved_characters_fail() {
        assert!(matches!(
            tokens(r#"summary ~ "open"#),
            Err(JqlError::Syntax(_))
        ));
        assert!(
            matches!(tokens("summary ~ a & b"), Err(JqlError::Syntax(m)) if m.contains("character 13"))
        );
        assert_eq!(tokens("").unwrap(), vec![]);
    }
}
