//! JQL parser: clauses joined by AND/OR with parentheses, and ORDER BY.

use super::JqlError;
use super::lex::{Tok, Token, tokens};

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The condition; `None` matches every issue.
    pub expr: Option<Expr>,
    /// Sort order; `None` means Jira's default for the sandbox (newest first).
    pub order: Vec<OrderBy>,
}

/// A boolean expression over clauses.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Both sides match.
    And(Box<Expr>, Box<Expr>),
    /// Either side matches.
    Or(Box<Expr>, Box<Expr>),
    /// One `field op value` clause.
    Clause(Clause),
}

/// `field op operand`.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// The field as written.
    pub field: Field,
    /// Operator (`in` for IN lists).
    pub op: &'static str,
    /// The right-hand side.
    pub operand: Operand,
    /// Position of the field, for messages.
    pub pos: usize,
}

/// A field reference.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// A system field or custom field name/id (`summary`, `"E-mail participants"`, `cf[10050]`).
    Named(String),
    /// `issue.property[key].path`.
    Property {
        /// Property key.
        key: String,
        /// Dot path inside the property value (may be empty).
        path: String,
    },
}

/// A clause's right-hand side.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A literal value.
    Value(String),
    /// A function call such as `currentUser()`.
    Function(String),
    /// An IN list.
    List(Vec<String>),
}

/// One ORDER BY item.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    /// Field name, lower-cased.
    pub field: String,
    /// Descending?
    pub descending: bool,
}

const OPERATORS: &str = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.";

struct Parser {
    toks: Vec<Token>,
    at: usize,
}

/// Parses a JQL string.
pub fn parse(input: &str) -> Result<Query, JqlError> {
    let mut p = Parser {
        toks: tokens(input)?,
        at: 0,
    };
    let expr = if p.peek_word("order") || p.peek().is_none() {
        None
    } else {
        Some(p.or_expr()?)
    };
    let order = if p.peek_word("order") {
        p.order_by()?
    } else {
        Vec::new()
    };
    if let Some(t) = p.peek() {
        return Err(p.expected("'AND', 'OR' or 'ORDER BY'", t));
    }
    Ok(Query { expr, order })
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.at)
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token { kind: Tok::Word(w), .. }) if w.eq_ignore_ascii_case(word))
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn expected(&self, what: &str, got: &Token) -> JqlError {
        self.expected_note(what, got, "")
    }

    fn expected_note(&self, what: &str, got: &Token, note: &str) -> JqlError {
        let shown = match &got.kind {
            Tok::Word(w) | Tok::Quoted(w) => w.clone(),
            Tok::Op(o) => (*o).to_owned(),
            Tok::Open => "(".into(),
            Tok::Close => ")".into(),
            Tok::Comma => ",".into(),
        };
        JqlError::Syntax(format!(
            "Error in the JQL Query: Expecting {what} but got '{shown}'.{note} (line 1, character {})",
            got.pos
        ))
    }

    fn end(&self, what: &str) -> JqlError {
        JqlError::Syntax(format!(
            "Error in the JQL Query: Expecting {what} before the end of the query."
        ))
    }

    fn or_expr(&mut self) -> Result<Expr, JqlError> {
        let mut left = self.and_expr()?;
        while self.peek_word("or") {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and_expr()?));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Expr, JqlError> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, JqlError> {
        if self.peek_word("not") {
            return Err(JqlError::Unsupported(
                "Error in the JQL Query: the sandbox does not support 'NOT'; write the condition with '!=' or '!~'.".into(),
            ));
        }
        if matches!(
            self.peek(),
            Some(Token {
                kind: Tok::Open,
                ..
            })
        ) {
            self.at += 1;
            let inner = self.or_expr()?;
            return match self.next() {
                Some(Token {
                    kind: Tok::Close, ..
                }) => Ok(inner),
                Some(t) => Err(self.expected("')'", &t)),
                None => Err(self.end("')'")),
            };
        }
        self.clause().map(Expr::Clause)
    }

    fn clause(&mut self) -> Result<Clause, JqlError> {
        let Some(tok) = self.next() else {
            return Err(self.end("a field name"));
        };
        let name = match &tok.kind {
            Tok::Word(w) | Tok::Quoted(w) => w.clone(),
            _ => return Err(self.expected("a field name", &tok)),
        };
        let field = field(&name);
        let op = match self.next() {
            Some(Token {
                kind: Tok::Op(op), ..
            }) => op,
            Some(Token {
                kind: Tok::Word(w), ..
            }) if w.eq_ignore_ascii_case("in") => "in",
            Some(Token {
                kind: Tok::Word(w),
                pos,
            }) if w.eq_ignore_ascii_case("is") || w.eq_ignore_ascii_case("not") => {
                return Err(JqlError::Unsupported(format!(
                    "Error in the JQL Query: the sandbox does not support the operator '{}' (line 1, character {pos}).",
                    w.to_ascii_uppercase()
                )));
            }
            Some(t) => return Err(self.expected_note("operator", &t, &format!(" {OPERATORS}"))),
            None => return Err(self.end("an operator")),
        };
        let operand = if op == "in" {
            self.list()?
        } else {
            self.operand()?
        };
        Ok(Clause {
            field,
            op,
            operand,
            pos: tok.pos,
        })
    }

    fn operand(&mut self) -> Result<Operand, JqlError> {
        match self.next() {
            Some(Token {
                kind: Tok::Quoted(v),
                ..
            }) => Ok(Operand::Value(v)),
            Some(Token {
                kind: Tok::Word(w), ..
            }) => {
                if matches!(
                    self.peek(),
                    Some(Token {
                        kind: Tok::Open,
                        ..
                    })
                ) {
                    self.at += 1;
                    match self.next() {
                        Some(Token {
                            kind: Tok::Close, ..
                        }) => Ok(Operand::Function(w)),
                        Some(t) => Err(self.expected("')'", &t)),
                        None => Err(self.end("')'")),
                    }
                } else {
                    Ok(Operand::Value(w))
                }
            }
            Some(t) => Err(self.expected("either a value, 'EMPTY' or a function", &t)),
            None => Err(self.end("either a value, 'EMPTY' or a function")),
        }
    }

    fn list(&mut self) -> Result<Operand, JqlError> {
        match self.next() {
            Some(Token {
                kind: Tok::Open, ..
            }) => {}
            Some(t) => return Err(self.expected("'('", &t)),
            None => return Err(self.end("'('")),
        }
        let mut values = Vec::new();
        loop {
            match self.next() {
                Some(Token {
                    kind: Tok::Word(v) | Tok::Quoted(v),
                    ..
                }) => values.push(v),
                Some(t) => return Err(self.expected("a value", &t)),
                None => return Err(self.end("')'")),
            }
            match self.next() {
                Some(Token {
                    kind: Tok::Comma, ..
                }) => {}
                Some(Token {
                    kind: Tok::Close, ..
                }) => return Ok(Operand::List(values)),
                Some(t) => return Err(self.expected("',' or ')'", &t)),
                None => return Err(self.end("')'")),
            }
        }
    }

    fn order_by(&mut self) -> Result<Vec<OrderBy>, JqlError> {
        self.at += 1;
        if !self.peek_word("by") {
            return match self.next() {
                Some(t) => Err(self.expected("'BY'", &t)),
                None => Err(self.end("'BY'")),
            };
        }
        self.at += 1;
        let mut items = Vec::new();
        loop {
            let field = match self.next() {
                Some(Token {
                    kind: Tok::Word(w) | Tok::Quoted(w),
                    ..
                }) => w.to_ascii_lowercase(),
                Some(t) => return Err(self.expected("a field name", &t)),
                None => return Err(self.end("a field name")),
            };
            let descending = if self.peek_word("desc") || self.peek_word("asc") {
                let desc = self.peek_word("desc");
                self.at += 1;
                desc
            } else {
                false
            };
            items.push(OrderBy { field, descending });
            if matches!(
                self.peek(),
                Some(Token {
                    kind: Tok::Comma,
                    ..
                })
            ) {
                self.at += 1;
            } else {
                return Ok(items);
            }
        }
    }
}

fn field(name: &str) -> Field {
    let lower = name.to_ascii_lowercase();
    const PREFIX: &str = "issue.property[";
    // `to_ascii_lowercase` keeps byte offsets, so positions in `lower` index `name` too.
    if let Some(rest) = lower.strip_prefix(PREFIX)
        && let Some(close) = rest.find(']')
    {
        let key = name[PREFIX.len()..PREFIX.len() + close].to_owned();
        let path = name[PREFIX.len() + close + 1..]
            .trim_start_matches('.')
            .to_owned();
        return Field::Property { key, path };
    }
    Field::Named(name.to_owned())
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
