//! Scheme errors as the Rust side carries them: a message, irritants, and where.

use std::fmt;

use crate::printer::{print, Style};
use crate::reader::{ReadError, Span};
use crate::value::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum ErrorKind {
    Read,
    /// Bad syntax found by the compiler.
    Syntax,
    /// An error raised while running: by `error`, `raise`, or a builtin.
    Runtime,
    /// A file could not be opened, read, written or deleted (`file-error?`).
    File,
    /// The program passed the VM's limit of nested calls. Scheme handlers do not see it:
    /// handling it would need the frames it has run out of.
    Resource,
    /// Not an error: `(exit code)` unwinding to the top level.
    Exit(i32),
    /// Standard output could not be written (`broken_pipe`: its reader has gone, as
    /// when `| head` has read enough): the program ends. Scheme handlers do not see it.
    Output {
        broken_pipe: bool,
    },
    /// The embedder asked the program to stop (`interrupt::request`), with this signal.
    /// Scheme handlers do not see it, so that a program cannot refuse to stop.
    Interrupted(i32),
}

/// A Scheme error. Its irritants are heap values: it is reported before the next
/// safepoint, so they need no rooting (see the rooting invariant in `value.rs`).
#[derive(Clone, Debug)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub irritants: Vec<Value>,
    pub span: Option<Span>,
    /// The Scheme call stack when the error was raised, innermost first.
    pub backtrace: Vec<String>,
    /// A raised object that is not an error object (`(raise 'oops)`); boxed, since it
    /// is rare and every builtin's result carries room for an error.
    pub payload: Option<Box<Value>>,
    /// Whether the message still lacks the name of the procedure that raised it: a
    /// builtin's errors get their builtin's name from the table that called it.
    pub(crate) unnamed: bool,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            irritants: Vec::new(),
            span: None,
            backtrace: Vec::new(),
            payload: None,
            unnamed: false,
        }
    }

    /// Marks the error as one whose message names no procedure yet: [`Error::named`]
    /// puts the name of the builtin that raised it before the message.
    pub(crate) fn unnamed(mut self) -> Error {
        self.unnamed = true;
        self
    }

    /// Puts `who` before the message of an error that names no procedure yet.
    pub(crate) fn named(mut self, who: &str) -> Error {
        if self.unnamed {
            self.message = format!("{who}: {}", self.message);
            self.unnamed = false;
        }
        self
    }

    pub fn runtime(message: impl Into<String>, irritants: Vec<Value>) -> Error {
        Error {
            irritants,
            ..Error::new(ErrorKind::Runtime, message)
        }
    }

    pub fn file(message: impl Into<String>, irritants: Vec<Value>) -> Error {
        Error {
            irritants,
            ..Error::new(ErrorKind::File, message)
        }
    }

    /// `(raise obj)` of any object, until a handler takes it.
    pub fn raise(obj: Value) -> Error {
        Error {
            payload: Some(Box::new(obj)),
            ..Error::new(ErrorKind::Runtime, "raise")
        }
    }

    /// Whether a Scheme exception handler may take this error.
    pub fn is_catchable(&self) -> bool {
        !matches!(
            self.kind,
            ErrorKind::Exit(_)
                | ErrorKind::Resource
                | ErrorKind::Interrupted(_)
                | ErrorKind::Output { .. }
        )
    }

    pub fn syntax(message: impl Into<String>, span: &Span) -> Error {
        Error {
            span: Some(span.clone()),
            ..Error::new(ErrorKind::Syntax, message)
        }
    }

    /// Writing standard output failed with `e`.
    pub fn output(e: &std::io::Error) -> Error {
        Error::new(
            ErrorKind::Output {
                broken_pipe: e.kind() == std::io::ErrorKind::BrokenPipe,
            },
            format!("cannot write to standard output: {e}"),
        )
    }

    /// `n` values (other than one) returned to a continuation that takes one.
    pub fn value_count(n: usize) -> Error {
        Error::runtime(
            format!("{n} values returned where exactly one is expected"),
            vec![],
        )
    }

    /// `procedure` got an argument of the wrong type.
    pub fn wrong_type(procedure: &str, expected: &str, got: Value) -> Error {
        Error::runtime(format!("{procedure}: expected {expected}"), vec![got])
    }

    /// The builtin being called got an argument of the wrong type.
    pub(crate) fn expected(expected: &str, got: Value) -> Error {
        Error::runtime(format!("expected {expected}"), vec![got]).unnamed()
    }

    pub fn at(mut self, span: Option<&Span>) -> Error {
        if self.span.is_none() {
            self.span = span.cloned();
        }
        self
    }

    /// The message and irritants, as the top level prints them.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        if let Some(&p) = self.payload.as_deref() {
            out.push_str("uncaught raise: ");
            print(p, Style::Write, &mut out);
            return out;
        }
        out.push_str(&self.message);
        for &irritant in &self.irritants {
            out.push(' ');
            print(irritant, Style::Write, &mut out);
        }
        out
    }
}

impl From<ReadError> for Error {
    fn from(e: ReadError) -> Error {
        Error {
            span: Some(e.span),
            ..Error::new(ErrorKind::Read, e.message)
        }
    }
}

impl Error {
    /// The kind of error and its description: `syntax error: bad if ...`.
    pub fn headline(&self) -> String {
        let what = match self.kind {
            ErrorKind::Read => "read error: ",
            ErrorKind::Syntax => "syntax error: ",
            _ => "",
        };
        format!("{what}{}", self.describe())
    }
}

impl fmt::Display for Error {
    /// `file:line:col: headline`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(span) = &self.span {
            write!(f, "{span}: ")?;
        }
        f.write_str(&self.headline())
    }
}
