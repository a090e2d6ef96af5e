//! The actions of the grammar: turning tokens into datums.

use std::sync::Arc;

use super::error::ReadError;
use crate::datum::{Datum, DatumKind};
use crate::number::{parse_number, Number};
use crate::source::{SourceFile, Span};

pub(super) fn leaf(file: &Arc<SourceFile>, kind: DatumKind, l: usize, r: usize) -> Datum {
    Datum {
        kind,
        span: Span::new(file, l, r),
    }
}

fn error(file: &Arc<SourceFile>, message: String, l: usize, r: usize) -> ReadError {
    ReadError {
        message,
        span: Span::new(file, l, r),
        incomplete: false,
    }
}

/// The name of an identifier the source writes: never one with the mark of the names
/// macro expansion renames, which the expander would take for one of them.
pub(super) fn symbol_name(
    file: &Arc<SourceFile>,
    text: &str,
    l: usize,
    r: usize,
) -> Result<String, ReadError> {
    if text.contains(crate::symbol::ALIAS_MARK) {
        return Err(error(
            file,
            "an identifier may not hold the character U+0001, which marks renamed identifiers"
                .into(),
            l,
            r,
        ));
    }
    Ok(text.to_string())
}

/// A number if it reads as one, else a symbol.
pub(super) fn atom(
    file: &Arc<SourceFile>,
    text: &str,
    l: usize,
    r: usize,
) -> Result<Datum, ReadError> {
    let kind = match parse_number(text, 10) {
        Some(n) => DatumKind::Number(n),
        None => DatumKind::Symbol(symbol_name(file, text, l, r)?),
    };
    Ok(leaf(file, kind, l, r))
}

pub(super) fn hash_atom(
    file: &Arc<SourceFile>,
    text: &str,
    l: usize,
    r: usize,
) -> Result<Datum, ReadError> {
    let kind = match text {
        "#t" | "#true" => DatumKind::Boolean(true),
        "#f" | "#false" => DatumKind::Boolean(false),
        _ => match parse_number(text, 10) {
            Some(n) => DatumKind::Number(n),
            None => return Err(error(file, format!("unknown syntax `{text}`"), l, r)),
        },
    };
    Ok(leaf(file, kind, l, r))
}

pub(super) fn dotted_list(
    file: &Arc<SourceFile>,
    items: Vec<Datum>,
    tail: Datum,
    l: usize,
    dot: usize,
    r: usize,
) -> Result<Datum, ReadError> {
    if items.is_empty() {
        return Err(error(
            file,
            "unexpected `.`: nothing before it in the list".into(),
            dot,
            dot + 1,
        ));
    }
    Ok(leaf(file, Datum::list_kind(items, Some(tail)), l, r))
}

pub(super) fn bytevector(
    file: &Arc<SourceFile>,
    items: Vec<Datum>,
    l: usize,
    r: usize,
) -> Result<Datum, ReadError> {
    let mut bytes = Vec::with_capacity(items.len());
    for item in &items {
        match item.kind {
            DatumKind::Number(Number::Fixnum(n)) if (0..=255).contains(&n) => bytes.push(n as u8),
            _ => {
                let (l, r) = (item.span.start, item.span.end);
                return Err(error(
                    file,
                    "a bytevector holds only integers from 0 to 255".into(),
                    l,
                    r,
                ));
            }
        }
    }
    Ok(leaf(file, DatumKind::Bytevector(bytes), l, r))
}

/// `'x` is `(quote x)`, and likewise for the other prefixes.
pub(super) fn abbreviation(file: &Arc<SourceFile>, name: &str, d: Datum, l: usize) -> Datum {
    let r = d.span.end;
    let head = leaf(file, DatumKind::Symbol(name.into()), l, l + 1);
    leaf(file, DatumKind::List(vec![head, d], None), l, r)
}
