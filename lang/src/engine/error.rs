//! Scheme errors as an embedder receives them: owned text, with no heap values in them.

use std::fmt;

pub use crate::error::ErrorKind;

/// An error raised while reading, compiling or running Scheme, or a value of the wrong
/// type where Rust asked for a conversion.
#[derive(Clone, Debug)]
pub struct SchemeError {
    /// What went wrong: a read or syntax error, a run-time error, `(exit n)`, a limit.
    pub kind: ErrorKind,
    /// The message with its irritants, as the REPL prints it: `car: expected a pair 5`.
    pub message: String,
    /// Where the error was raised: file name, line and column (both from 1).
    pub location: Option<(String, usize, usize)>,
    /// The Scheme calls that led there, innermost first: `name at file:line:col`.
    pub backtrace: Vec<String>,
}

impl From<crate::error::Error> for SchemeError {
    fn from(e: crate::error::Error) -> SchemeError {
        let location = e.span.as_ref().map(|span| {
            let (line, column) = span.file.line_col(span.start);
            (span.file.name.clone(), line, column)
        });
        SchemeError {
            message: e.headline(),
            kind: e.kind,
            location,
            backtrace: e.backtrace,
        }
    }
}

impl fmt::Display for SchemeError {
    /// `file:line:col: message`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((file, line, column)) = &self.location {
            write!(f, "{file}:{line}:{column}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for SchemeError {}
