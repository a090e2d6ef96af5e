//! Datums: what the reader produces, each with its source span.

use super::error::Span;
use crate::number::Number;

#[derive(Clone, Debug, PartialEq)]
pub struct Datum {
    pub kind: DatumKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DatumKind {
    Number(Number),
    Boolean(bool),
    Char(char),
    String(String),
    Symbol(String),
    /// The elements, and the tail after a dot (`None` for a proper list).
    List(Vec<Datum>, Option<Box<Datum>>),
    Vector(Vec<Datum>),
    Bytevector(Vec<u8>),
    /// A value that `eval` was given inside the expression it evaluates (a procedure,
    /// a string, ...): a constant. Only `eval` makes these, and it compiles them
    /// before the next safepoint, which is what the rooting invariant asks.
    Value(crate::value::Value),
}

impl Datum {
    pub fn symbol(&self) -> Option<&str> {
        match &self.kind {
            DatumKind::Symbol(s) => Some(s),
            _ => None,
        }
    }

    /// The elements of a proper list.
    pub fn list(&self) -> Option<&[Datum]> {
        match &self.kind {
            DatumKind::List(items, None) => Some(items),
            _ => None,
        }
    }
}
