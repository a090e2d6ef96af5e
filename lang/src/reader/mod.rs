//! The reader: source text to datums with source spans.
//!
//! A logos lexer feeds a lalrpop LR parser. The parser keeps its own stack, and the
//! token stream is checked for nesting depth on the way in, so deeply nested input is
//! refused with an error at a configurable depth instead of growing anything without
//! bound.

mod build;
mod error;
mod lexer;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused_parens)]
    grammar,
    "/reader/grammar.rs"
);

use std::sync::Arc;

use lalrpop_util::ParseError;
use logos::Logos;

pub use crate::datum::{Datum, DatumKind};
pub use crate::source::{SourceFile, Span};
pub use error::{LexError, ReadError};
use lexer::Token;

/// The deepest nesting of lists, vectors and prefixes the reader accepts by default.
pub const DEFAULT_MAX_DEPTH: usize = 10_000;

/// Reads every datum of `file`.
pub fn read_all(file: &Arc<SourceFile>, max_depth: usize) -> Result<Vec<Datum>, ReadError> {
    read_all_from(file, max_depth, false)
}

/// Reads every datum of `file`, whose text starts under `#!fold-case` if `fold_case`.
fn read_all_from(
    file: &Arc<SourceFile>,
    max_depth: usize,
    fold_case: bool,
) -> Result<Vec<Datum>, ReadError> {
    let tokens = Tokens::new(file, max_depth, fold_case);
    let folds = tokens.folds.clone();
    let mut datums = grammar::DatumsParser::new()
        .parse(file, tokens)
        .map_err(|e| parse_error(file, e))?;
    fold_symbols(&mut datums, &folds.borrow());
    for d in &datums {
        check_labels(d)?;
    }
    Ok(datums)
}

/// Refuses a datum that refers to a label (`#0#`) before or outside the labelling of
/// the same top-level datum (`#0=`).
fn check_labels(root: &Datum) -> Result<(), ReadError> {
    let mut defined = std::collections::HashSet::new();
    let mut pending = vec![root];
    while let Some(d) = pending.pop() {
        match &d.kind {
            DatumKind::Labeled(n, inner) => {
                defined.insert(*n);
                let mut labelled = inner;
                let mut chain = vec![*n];
                while let DatumKind::Labeled(m, inner) = &labelled.kind {
                    chain.push(*m);
                    labelled = inner;
                }
                if let DatumKind::LabelRef(m) = labelled.kind {
                    if chain.contains(&m) {
                        return Err(ReadError {
                            message: format!("`#{m}#` labels nothing but itself"),
                            span: d.span.clone(),
                            incomplete: false,
                        });
                    }
                }
                pending.push(inner);
            }
            DatumKind::LabelRef(n) if !defined.contains(n) => {
                return Err(ReadError {
                    message: format!("`#{n}#` refers to no datum labelled `#{n}=` before it"),
                    span: d.span.clone(),
                    incomplete: false,
                });
            }
            DatumKind::List(items, tail) => {
                pending.extend(tail.as_deref());
                pending.extend(items.iter().rev());
            }
            DatumKind::Vector(items) => pending.extend(items.iter().rev()),
            _ => {}
        }
    }
    Ok(())
}

/// Folds to lower case the identifiers read between `#!fold-case` and
/// `#!no-fold-case` (or the end), as R7RS 2.1 asks; `|bar|` symbols keep their case.
/// The recursion is bounded by the reader's depth limit.
fn fold_symbols(datums: &mut [Datum], folds: &[(usize, usize)]) {
    if folds.is_empty() {
        return;
    }
    for d in datums {
        let start = d.span.start;
        match &mut d.kind {
            DatumKind::Symbol(name)
                if folds.iter().any(|&(a, b)| a <= start && start < b)
                    && !d.span.file.text[start..].starts_with('|') =>
            {
                *name = caseless::default_case_fold_str(name);
            }
            DatumKind::List(items, tail) => {
                fold_symbols(items, folds);
                if let Some(t) = tail {
                    fold_symbols(std::slice::from_mut(t.as_mut()), folds);
                }
            }
            DatumKind::Vector(items) => fold_symbols(items, folds),
            _ => {}
        }
    }
}

/// Reads the first datum of `file`, for `read` from a port: the datum, the length of
/// text it took (comments before it included), and whether `#!fold-case` is in force
/// after it; or `None` when there is none. `fold_case` says whether it is in force at
/// the start, as a port remembers from the datum it gave before.
pub fn read_first(
    file: &Arc<SourceFile>,
    max_depth: usize,
    fold_case: bool,
) -> Result<Option<(Datum, usize, bool)>, ReadError> {
    let mut tokens = Tokens::new(file, max_depth, fold_case);
    // Each point where the token stream is back at the top level ends a datum (or a
    // datum comment's datum, which reads as nothing): parse up to there.
    while let Some(token) = tokens.next() {
        let (_, token, end) = token?;
        let closes = !matches!(
            token,
            Token::OpenParen | Token::VectorOpen | Token::BytevectorOpen
        );
        if closes && tokens.open.is_empty() {
            let head = SourceFile::new(file.name.clone(), &file.text[..end]);
            let datum = read_all_from(&head, max_depth, fold_case)?
                .into_iter()
                .next();
            if let Some(d) = datum {
                return Ok(Some((d, end, tokens.folding.is_some())));
            }
        }
    }
    Ok(None)
}

/// What is open at a point of the token stream.
#[derive(Copy, Clone, PartialEq)]
enum Open {
    /// A list or vector, closed by `)` or (`bracket`) by `]`; opened at `start`.
    List { bracket: bool, start: usize },
    /// A prefix (`'`, `#;`, ...) waiting for its datum.
    Prefix,
}

type Spanned<'s> = Result<(usize, Token<'s>, usize), ReadError>;

/// The lexer's tokens, with lexical errors made read errors and nesting depth checked.
struct Tokens<'s> {
    file: &'s Arc<SourceFile>,
    lexer: logos::SpannedIter<'s, Token<'s>>,
    open: Vec<Open>,
    max_depth: usize,
    failed: bool,
    /// Where `#!fold-case` is in force: the start of the open range, and the ranges.
    folding: Option<usize>,
    folds: std::rc::Rc<std::cell::RefCell<Vec<(usize, usize)>>>,
}

impl<'s> Tokens<'s> {
    fn new(file: &'s Arc<SourceFile>, max_depth: usize, fold_case: bool) -> Tokens<'s> {
        let lexer = Token::lexer(&file.text).spanned();
        Tokens {
            file,
            lexer,
            open: Vec::new(),
            max_depth,
            failed: false,
            folding: fold_case.then_some(0),
            folds: Default::default(),
        }
    }

    /// The next token, with the `#!fold-case` and `#!no-fold-case` directives taken out
    /// and noted.
    fn next_token(&mut self) -> Option<Spanned<'s>> {
        loop {
            let token = self.next_raw();
            let directive = match &token {
                Some(Ok((_, Token::HashAtom(text), _))) => text.to_ascii_lowercase(),
                None => {
                    if let Some(start) = self.folding.take() {
                        self.folds.borrow_mut().push((start, self.file.text.len()));
                    }
                    return None;
                }
                _ => return token,
            };
            let Some(Ok((start, _, end))) = token else {
                unreachable!("a directive is a token")
            };
            match directive.as_str() {
                "#!fold-case" => {
                    self.folding.get_or_insert(end);
                }
                "#!no-fold-case" => {
                    if let Some(from) = self.folding.take() {
                        self.folds.borrow_mut().push((from, start));
                    }
                }
                _ => return token,
            }
        }
    }

    /// At the end of input: an error if a list is still open, pointing at its opener.
    fn unclosed(&mut self) -> Option<Spanned<'s>> {
        let start = self.open.iter().rev().find_map(|o| match o {
            Open::List { start, .. } => Some(*start),
            Open::Prefix => None,
        })?;
        self.failed = true;
        let opener = &self.file.text[start..];
        let len = if opener.starts_with("#u8(") {
            4
        } else if opener.starts_with("#(") {
            2
        } else {
            1
        };
        Some(Err(ReadError {
            message: format!(
                "unexpected end of input: `{}` is never closed",
                &opener[..len]
            ),
            span: Span::new(self.file, start, start + len),
            incomplete: true,
        }))
    }

    /// A datum just ended: the prefixes waiting for it are complete too.
    fn datum_done(&mut self) {
        while self.open.last() == Some(&Open::Prefix) {
            self.open.pop();
        }
    }
}

impl<'s> Iterator for Tokens<'s> {
    type Item = Spanned<'s>;

    fn next(&mut self) -> Option<Spanned<'s>> {
        self.next_token()
    }
}

impl<'s> Tokens<'s> {
    fn next_raw(&mut self) -> Option<Spanned<'s>> {
        if self.failed {
            return None;
        }
        let Some((token, span)) = self.lexer.next() else {
            return self.unclosed();
        };
        let token = match token {
            Ok(t) => t,
            Err(e) => {
                self.failed = true;
                let incomplete = matches!(
                    e,
                    LexError::UnterminatedString
                        | LexError::UnterminatedComment
                        | LexError::UnterminatedSymbol
                );
                let message = e.to_string();
                return Some(Err(ReadError {
                    message,
                    span: Span::new(self.file, span.start, span.end),
                    incomplete,
                }));
            }
        };
        let error = |message: String| ReadError {
            message,
            span: Span::new(self.file, span.start, span.end),
            incomplete: false,
        };
        match token {
            Token::OpenParen | Token::VectorOpen | Token::BytevectorOpen => {
                self.open.push(Open::List {
                    bracket: false,
                    start: span.start,
                })
            }
            Token::OpenBracket => self.open.push(Open::List {
                bracket: true,
                start: span.start,
            }),
            Token::Quote
            | Token::Quasiquote
            | Token::Unquote
            | Token::UnquoteSplicing
            | Token::DatumComment
            | Token::Label(_) => self.open.push(Open::Prefix),
            Token::CloseParen | Token::CloseBracket => {
                if let Some(&Open::List { bracket, start }) = self.open.last() {
                    if bracket != (token == Token::CloseBracket) {
                        self.failed = true;
                        let (line, col) = self.file.line_col(start);
                        let opener = if bracket { "[" } else { "(" };
                        return Some(Err(error(format!(
                            "{} does not match the `{opener}` at {line}:{col}",
                            describe(&token)
                        ))));
                    }
                    self.open.pop();
                }
                self.datum_done();
            }
            Token::Dot => {}
            _ => self.datum_done(),
        }
        if self.open.len() > self.max_depth {
            self.failed = true;
            return Some(Err(error(format!(
                "nesting deeper than {} levels",
                self.max_depth
            ))));
        }
        Some(Ok((span.start, token, span.end)))
    }
}

fn describe(token: &Token<'_>) -> String {
    match token {
        Token::OpenParen => "`(`".into(),
        Token::CloseParen => "`)`".into(),
        Token::OpenBracket => "`[`".into(),
        Token::CloseBracket => "`]`".into(),
        Token::VectorOpen => "`#(`".into(),
        Token::BytevectorOpen => "`#u8(`".into(),
        Token::Quote => "`'`".into(),
        Token::Quasiquote => "`` ` ``".into(),
        Token::Unquote => "`,`".into(),
        Token::UnquoteSplicing => "`,@`".into(),
        Token::Dot => "`.`".into(),
        Token::DatumComment => "`#;`".into(),
        Token::String(s) => format!("string {s:?}"),
        Token::Char(c) => format!("character {c:?}"),
        Token::BarSymbol(s) => format!("`|{s}|`"),
        Token::Atom(s) | Token::HashAtom(s) => format!("`{s}`"),
        Token::Label(n) => format!("`#{n}=`"),
        Token::LabelRef(n) => format!("`#{n}#`"),
        Token::BlockComment | Token::UnterminatedString | Token::UnterminatedSymbol => {
            "token".into()
        }
    }
}

fn parse_error(file: &Arc<SourceFile>, e: ParseError<usize, Token<'_>, ReadError>) -> ReadError {
    let at = |l: usize, r: usize| Span::new(file, l, r);
    match e {
        ParseError::User { error } => error,
        ParseError::InvalidToken { location } => ReadError {
            message: "unexpected character".into(),
            span: at(location, location + 1),
            incomplete: false,
        },
        ParseError::UnrecognizedEof { location, expected } => {
            let closing = expected.iter().any(|t| t == "\")\"" || t == "\"]\"");
            let message = if closing {
                "unexpected end of input: a list or vector is missing its `)`"
            } else {
                "unexpected end of input: a datum is missing"
            };
            ReadError {
                message: message.into(),
                span: at(location, location),
                incomplete: true,
            }
        }
        ParseError::UnrecognizedToken {
            token: (l, token, r),
            ..
        } => {
            let mut message = format!("unexpected {}", describe(&token));
            if matches!(token, Token::Dot) {
                message.push_str(": a dot belongs only before the last element of a list");
            }
            ReadError {
                message,
                span: at(l, r),
                incomplete: false,
            }
        }
        ParseError::ExtraToken {
            token: (l, token, r),
        } => ReadError {
            message: format!("unexpected {}", describe(&token)),
            span: at(l, r),
            incomplete: false,
        },
    }
}

#[cfg(test)]
mod tests;
