//! Datums: what the reader produces, each with its source span, and how a datum
//! becomes a heap value (for `quote`, `read` and `eval`).

use rudo_gc::Heap;

use crate::number::{self, Number};
use crate::object::Alloc;
use crate::source::Span;
use crate::symbol::{base_name, SymbolTable};
use crate::value::Value;

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
    Value(Value),
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

/// A datum as a heap value, its symbols interned. Nesting is bounded by the reader's
/// limit, which bounds this recursion.
pub fn to_value(heap: &mut Heap, symbols: &mut SymbolTable, d: &Datum) -> Value {
    match &d.kind {
        DatumKind::Number(n) => number::to_value(heap, n.clone()),
        DatumKind::Boolean(b) => Value::bool(*b),
        DatumKind::Char(c) => Value::char(*c),
        DatumKind::String(s) => heap.string(s),
        DatumKind::Symbol(s) => symbols.intern(heap, base_name(s)),
        DatumKind::List(items, tail) => {
            let mut acc = match tail {
                Some(t) => to_value(heap, symbols, t),
                None => Value::NIL,
            };
            for item in items.iter().rev() {
                let v = to_value(heap, symbols, item);
                acc = heap.cons(v, acc);
            }
            acc
        }
        DatumKind::Vector(items) => {
            let values: Vec<Value> = items.iter().map(|i| to_value(heap, symbols, i)).collect();
            heap.vector(&values)
        }
        DatumKind::Bytevector(b) => heap.bytevector(b),
        DatumKind::Value(v) => *v,
    }
}
