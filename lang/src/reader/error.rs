//! Read errors.

use std::fmt;

use crate::source::Span;

/// A problem inside one token.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum LexError {
    #[default]
    UnexpectedChar,
    UnterminatedString,
    UnterminatedSymbol,
    UnterminatedComment,
    BadChar(String),
    BadEscape(String),
    BadLabel,
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LexError::UnexpectedChar => write!(f, "unexpected character"),
            LexError::UnterminatedString => write!(f, "unterminated string"),
            LexError::UnterminatedSymbol => write!(f, "unterminated |symbol|"),
            LexError::UnterminatedComment => write!(f, "unterminated block comment"),
            LexError::BadChar(name) => write!(f, "unknown character name `#\\{name}`"),
            LexError::BadEscape(e) => write!(f, "bad escape `{e}`"),
            LexError::BadLabel => write!(f, "datum label number too large"),
        }
    }
}

/// Why reading failed, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadError {
    pub message: String,
    pub span: Span,
    /// The input ended inside a datum: more input could complete it (the REPL asks for
    /// another line).
    pub incomplete: bool,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: read error: {}", self.span, self.message)
    }
}

impl std::error::Error for ReadError {}
